import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SourceSecrets, WebhookRequest, WebhookResult } from '../types.ts';

// What Meta webhooks (Facebook Pages and Instagram) share: the subscription handshake and the
// X-Hub-Signature-256 check. Meta still sends the legacy SHA-1 X-Hub-Signature beside it; it is
// ignored, because accepting it would let the weaker hash stand in for the stronger one.

/** sha256=<hex HMAC-SHA256(app secret, raw body)>, compared in constant time. */
export function verifyHubSignature(appSecret: string, rawBody: Buffer, header: string | undefined): boolean {
  if (typeof header !== 'string' || !header.startsWith('sha256=') || header.length !== 7 + 64) return false;
  const expected = Buffer.from(createHmac('sha256', appSecret).update(rawBody).digest('hex'), 'utf8');
  const given = Buffer.from(header.slice(7).toLowerCase(), 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=… → echo the challenge when the token
 * matches. The challenge is echoed as the response body, so only plain tokens are echoed.
 */
export function answerHubChallenge(request: WebhookRequest, verifyToken: string | null): WebhookResult {
  const mode = request.query['hub.mode'];
  const token = request.query['hub.verify_token'];
  const challenge = request.query['hub.challenge'];
  if (mode !== 'subscribe' || typeof token !== 'string' || typeof challenge !== 'string') {
    return { kind: 'rejected', status: 400, reason: 'not a hub.mode=subscribe verification request' };
  }
  if (verifyToken === null || !safeEqual(token, verifyToken)) {
    return { kind: 'rejected', status: 403, reason: 'hub.verify_token does not match' };
  }
  if (!/^[A-Za-z0-9._-]{1,256}$/.test(challenge)) return { kind: 'rejected', status: 400, reason: 'hub.challenge is not a plain token' };
  return { kind: 'challenge', body: challenge };
}

/** Verifies a POST and parses its JSON, or says why not. Never throws. */
export function verifyMetaDelivery(
  request: WebhookRequest,
  secrets: SourceSecrets,
): { ok: true; body: Record<string, unknown> } | { ok: false; result: WebhookResult } {
  if (request.method !== 'POST') return { ok: false, result: { kind: 'rejected', status: 400, reason: 'expected POST' } };
  // No app secret for this source: nothing can be verified, so nothing is accepted.
  if (!secrets.hasSecret('appSecret'))
    return { ok: false, result: { kind: 'rejected', status: 401, reason: 'no app secret is set for this source' } };
  const appSecret = secrets.secret('appSecret');
  if (!verifyHubSignature(appSecret, request.rawBody, request.headers['x-hub-signature-256'])) {
    return { ok: false, result: { kind: 'rejected', status: 401, reason: 'X-Hub-Signature-256 missing or wrong' } };
  }
  let body: unknown;
  try {
    body = JSON.parse(request.rawBody.toString('utf8'));
  } catch {
    return { ok: false, result: { kind: 'rejected', status: 400, reason: 'body is not JSON' } };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, result: { kind: 'rejected', status: 400, reason: 'body is not an object' } };
  }
  return { ok: true, body: body as Record<string, unknown> };
}

/** The credential when the source has one, else null. */
export function optionalSecret(secrets: SourceSecrets, name: string): string | null {
  return secrets.hasSecret(name) ? secrets.secret(name) : null;
}

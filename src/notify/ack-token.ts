import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

// Acknowledgement links: `v1.<payload>.<mac>`, payload base64url JSON {o: org, i: incident,
// n: nonce, e: expiry ms}, mac HMAC-SHA256 over "v1.<payload>". Pure: the key is passed in.
// The signature makes a link unforgeable and its expiry untouchable; single use is the
// ack_links row (its nonce), so a link can be spent once even though the token itself is stateless.

export interface AckClaims {
  orgId: string;
  incidentId: string;
  nonce: string;
  expiresAt: Date;
}

export type AckVerdict = { ok: true; claims: AckClaims } | { ok: false; reason: 'forged' | 'expired' };

const b64 = (b: Buffer) => b.toString('base64url');

export function newNonce(): string {
  return randomBytes(16).toString('hex');
}

export function signAckToken(key: Buffer, claims: AckClaims): string {
  const payload = b64(
    Buffer.from(JSON.stringify({ o: claims.orgId, i: claims.incidentId, n: claims.nonce, e: claims.expiresAt.getTime() })),
  );
  const mac = b64(createHmac('sha256', key).update(`v1.${payload}`).digest());
  return `v1.${payload}.${mac}`;
}

export function verifyAckToken(key: Buffer, token: string, now: Date): AckVerdict {
  const m = /^v1\.([A-Za-z0-9_-]{1,400})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return { ok: false, reason: 'forged' };
  const expected = createHmac('sha256', key).update(`v1.${m[1]}`).digest();
  const given = Buffer.from(m[2]!, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'forged' };
  let p: { o?: unknown; i?: unknown; n?: unknown; e?: unknown };
  try {
    p = JSON.parse(Buffer.from(m[1]!, 'base64url').toString('utf8')) as typeof p;
  } catch {
    return { ok: false, reason: 'forged' };
  }
  if (typeof p.o !== 'string' || typeof p.i !== 'string' || typeof p.n !== 'string' || typeof p.e !== 'number')
    return { ok: false, reason: 'forged' };
  if (p.e <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, claims: { orgId: p.o, incidentId: p.i, nonce: p.n, expiresAt: new Date(p.e) } };
}

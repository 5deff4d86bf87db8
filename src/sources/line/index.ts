import { logger } from '../../logger.ts';
import type { SourceDefinition, SourceSecrets, WebhookRequest, WebhookResult } from '../types.ts';
import { slot } from '../config-fields.ts';
import { isRecord } from '../payload.ts';
import { parseLineConfig, type LineConfig } from './config.ts';
import { parseLineEvents } from './map.ts';
import { verifyLineSignature } from './signature.ts';

export type { LineConfig } from './config.ts';

// LINE messages are the clinic's own channel, not a watch target's; `targets` is not needed.
export function handleLineWebhook(request: WebhookRequest, config: LineConfig, secrets: SourceSecrets): WebhookResult {
  if (request.method !== 'POST') return { kind: 'rejected', status: 400, reason: 'LINE webhooks are POST requests' };
  // A missing secret is the server's misconfiguration, not the sender's fault: secret() throws and
  // the platform marks the source unhealthy; nothing unsigned is ever accepted.
  const channelSecret = secrets.secret('channelSecret');
  if (!verifyLineSignature(channelSecret, request.rawBody, request.headers['x-line-signature'])) {
    return { kind: 'rejected', status: 401, reason: 'x-line-signature missing or wrong' };
  }
  let body: unknown;
  try {
    body = JSON.parse(request.rawBody.toString('utf8'));
  } catch {
    return { kind: 'rejected', status: 400, reason: 'body is not JSON' };
  }
  if (!isRecord(body) || !Array.isArray(body.events)) return { kind: 'rejected', status: 400, reason: 'body has no events array' };
  if (config.destination !== null && body.destination !== config.destination) {
    return { kind: 'rejected', status: 403, reason: 'delivery is addressed to another LINE bot' };
  }
  // An empty events array is LINE's connection check: answered 200 with nothing to store.
  const parsed = parseLineEvents(body.events);
  if (parsed.skipped.length > 0) {
    logger.warn({ source: 'line', skippedEventIndexes: parsed.skipped.slice(0, 50) }, 'skipped malformed LINE events');
  }
  return {
    kind: 'events',
    page: { mentions: parsed.mentions, tombstones: parsed.tombstones },
    eventIds: parsed.eventIds,
    activities: parsed.activities,
  };
}

export const lineSource: SourceDefinition<LineConfig> = {
  type: 'line',
  label: 'LINE 公式アカウント',
  // Push only: the schedule is unused, kept for the common source shape.
  defaultSchedule: '0 * * * *',
  parseConfig: parseLineConfig,
  credentials: [slot('channelSecret', 'チャネルシークレット (channel secret)', (c) => c.channelSecretEnv)],
  requiredCredentials: () => ['channelSecret'],
  // Push only: nothing is fetched, so no credential leaves the server.
  endpoints: () => ({ credentialOrigins: [], operatorUrls: [] }),
  webhook: { handle: handleLineWebhook },
};

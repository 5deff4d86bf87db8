import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/errors.ts';
import { lineSource } from '../../../src/sources/line/index.ts';
import { parseLineConfig } from '../../../src/sources/line/config.ts';
import { lineSignature, verifyLineSignature } from '../../../src/sources/line/signature.ts';
import type { WebhookRequest, WebhookResult } from '../../../src/sources/types.ts';
import { LineFake, type LineDelivery } from '../../fakes/line-fake.ts';
import { secretsFrom } from '../../fakes/source-runtime.ts';

const secrets: Record<string, string> = { channelSecret: 'line-test-secret' };
const secret = secretsFrom(secrets);
const config = parseLineConfig({});
const line = new LineFake('line-test-secret');

function request(delivery: LineDelivery, overrides: Partial<WebhookRequest> = {}): WebhookRequest {
  return { method: 'POST', headers: { ...delivery.headers }, query: {}, rawBody: Buffer.from(delivery.body), ...overrides };
}
function handle(req: WebhookRequest, cfg = config): WebhookResult {
  return lineSource.webhook!.handle(req, cfg, secret, []);
}
function events(result: WebhookResult) {
  if (result.kind !== 'events') throw new Error(`expected events, got ${JSON.stringify(result)}`);
  return result;
}

describe('LINE signature', () => {
  it('passes the official test vector from the Messaging API docs', () => {
    const body = Buffer.from('{"hello":"world"}');
    expect(lineSignature('test_secret', body)).toBe('t7Hn4ZDHqs6e+wdvI5TyQIvzie0DmMUmuXEBqyyE/tM=');
    expect(verifyLineSignature('test_secret', body, 't7Hn4ZDHqs6e+wdvI5TyQIvzie0DmMUmuXEBqyyE/tM=')).toBe(true);
    // The fake signs by the contract on its own, and agrees with the official vector too.
    expect(LineFake.sign('test_secret', body)).toBe('t7Hn4ZDHqs6e+wdvI5TyQIvzie0DmMUmuXEBqyyE/tM=');
  });
  it('rejects wrong, truncated, empty and missing signatures', () => {
    const body = Buffer.from('{"hello":"world"}');
    expect(verifyLineSignature('test_secret', body, 't7Hn4ZDHqs6e+wdvI5TyQIvzie0DmMUmuXEBqyyE/tN=')).toBe(false);
    expect(verifyLineSignature('test_secret', body, 't7Hn4ZDHqs6e')).toBe(false);
    expect(verifyLineSignature('test_secret', body, '')).toBe(false);
    expect(verifyLineSignature('test_secret', body, undefined)).toBe(false);
    expect(verifyLineSignature('other', body, 't7Hn4ZDHqs6e+wdvI5TyQIvzie0DmMUmuXEBqyyE/tM=')).toBe(false);
  });
});

describe('LINE webhook', () => {
  it('turns text messages into private mentions and keeps no reply tokens', () => {
    const msg = line.textMessage('Uaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', '予約の時間に行ったのに1時間待たされました');
    const result = events(handle(request(line.delivery([msg]))));
    expect(result.page.mentions).toHaveLength(1);
    const m = result.page.mentions[0]!;
    expect(m).toMatchObject({
      externalId: (msg.message as { id: string }).id,
      text: '予約の時間に行ったのに1時間待たされました',
      authorId: 'Uaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      isPrivate: true,
      url: null,
      postedAt: new Date(msg.timestamp as number),
    });
    expect(JSON.stringify(m.raw)).not.toContain('replyToken');
    expect(JSON.stringify(m.raw)).not.toContain('mark-read-token');
    expect(result.eventIds).toEqual([msg.webhookEventId]);
  });

  it('maps unsend to an unsent tombstone, follow/unfollow/stickers to activities', () => {
    const user = 'Ubbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
    const msg = line.textMessage(user, '先生の態度が最悪', { quotedMessageId: '499999999999999' });
    const unsend = line.unsend(user, (msg.message as { id: string }).id);
    const follow = line.follow(user);
    const unfollow = line.unfollow(user);
    const sticker = line.sticker(user);
    const result = events(handle(request(line.delivery([msg, unsend, follow, unfollow, sticker]))));
    expect(result.page.mentions.map((m) => m.replyToExternalId)).toEqual(['499999999999999']);
    expect(result.page.tombstones).toEqual([expect.objectContaining({ externalId: (msg.message as { id: string }).id, reason: 'unsent' })]);
    expect(result.activities?.map((a) => [a.kind, a.actorId, a.isPrivate])).toEqual([
      ['line.follow', user, true],
      ['line.unfollow', user, true],
      ['line.message.sticker', user, true],
    ]);
    expect(result.eventIds).toEqual([msg, unsend, follow, unfollow, sticker].map((e) => e.webhookEventId));
    expect(result.page.mentions.every((m) => m.text.length > 0)).toBe(true);
  });

  it('gives a redelivery the same event ids, so it is stored once', () => {
    const msg = line.textMessage('Ucccccccccccccccccccccccccccccccc', '受付の対応が丁寧でした');
    const first = events(handle(request(line.delivery([msg]))));
    const again = events(handle(request(line.delivery(line.redelivery([msg])))));
    expect(again.eventIds).toEqual(first.eventIds);
    expect(again.page.mentions[0]!.externalId).toBe(first.page.mentions[0]!.externalId);
  });

  it('answers the empty connection check with nothing to store', () => {
    const result = events(handle(request(line.delivery([]))));
    expect(result).toMatchObject({ page: { mentions: [], tombstones: [] }, eventIds: [] });
  });

  it('rejects bad or missing signatures with 401 and stores nothing', () => {
    const msg = line.textMessage('Udddddddddddddddddddddddddddddddd', 'x');
    const forged = line.delivery([msg], { secret: 'not-the-secret' });
    expect(handle(request(forged))).toMatchObject({ kind: 'rejected', status: 401 });
    const good = line.delivery([msg]);
    expect(handle(request(good, { headers: {} }))).toMatchObject({ kind: 'rejected', status: 401 });
    // One byte changed after signing.
    expect(handle(request(good, { rawBody: Buffer.from(good.body.replace('"x"', '"y"')) }))).toMatchObject({
      kind: 'rejected',
      status: 401,
    });
    // No secret for this source: secret() throws and the platform marks the source unhealthy.
    expect(() => lineSource.webhook!.handle(request(good), config, secretsFrom({}), [])).toThrow(/channelSecret/);
  });

  it('survives hostile bodies: signed garbage, wrong shapes, malformed events', () => {
    const signed = (body: string): LineDelivery => ({
      body,
      headers: { 'x-line-signature': LineFake.sign('line-test-secret', body) },
    });
    expect(handle(request(signed('{not json')))).toMatchObject({ kind: 'rejected', status: 400 });
    expect(handle(request(signed('[1,2]')))).toMatchObject({ kind: 'rejected', status: 400 });
    const good = line.textMessage('Ueeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee', 'ok');
    const body = JSON.stringify({
      destination: line.destination,
      events: [
        null,
        { type: 'message' },
        { ...good, webhookEventId: 'nope' },
        good,
        { ...line.unsend('U1', '1'), unsend: { messageId: { $gt: '' } } },
      ],
    });
    const result = events(handle(request(signed(body))));
    expect(result.page.mentions).toHaveLength(1);
    expect(result.eventIds).toEqual([good.webhookEventId]);
    expect(handle(request(line.delivery([good]), { method: 'GET' }))).toMatchObject({ kind: 'rejected', status: 400 });
  });

  it('refuses deliveries for another bot when the destination is configured', () => {
    const cfg = parseLineConfig({ channelSecretEnv: 'LINE_CHANNEL_SECRET', destination: line.destination });
    const msg = line.textMessage('Uffffffffffffffffffffffffffffffff', 'x');
    expect(handle(request(line.delivery([msg])), cfg).kind).toBe('events');
    expect(handle(request(line.delivery([msg], { destination: `U${'f'.repeat(32)}` })), cfg)).toMatchObject({
      kind: 'rejected',
      status: 403,
    });
  });

  it('validates config naming the field', () => {
    expect(() => parseLineConfig({ channelSecretEnv: 'not a name' })).toThrow(/channelSecretEnv/);
    expect(() => parseLineConfig({ channelSecretEnv: 'A', destination: 'bot' })).toThrow(ValidationError);
    expect(lineSource.credentials.map((s) => s.name)).toEqual(['channelSecret']);
    expect(lineSource.requiredCredentials(config)).toEqual(['channelSecret']);
    expect(lineSource.credentials[0]!.envName(parseLineConfig({ channelSecretEnv: 'HINOKO_ORG_1_LINE' }))).toBe('HINOKO_ORG_1_LINE');
    expect(lineSource.collect).toBeUndefined();
  });
});

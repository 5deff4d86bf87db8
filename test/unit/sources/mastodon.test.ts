import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NormalizedMention, Tombstone } from '../../../src/mention.ts';
import { newerId } from '../../../src/sources/mastodon/collector.ts';
import { mastodonSource, type MastodonConfig } from '../../../src/sources/mastodon/index.ts';
import { mapStatus } from '../../../src/sources/mastodon/map.ts';
import { SourceAuthError, type WatchTargetSpec } from '../../../src/sources/types.ts';
import { runCollections } from '../../fakes/faulty-server.ts';
import { MastodonFake } from '../../fakes/mastodon-fake.ts';
import { createTestRuntime, createVirtualClock, drainCollector, type TestRuntime, type VirtualClock } from '../../fakes/source-runtime.ts';

let clock: VirtualClock;
let fake: MastodonFake;
let runtime: TestRuntime;
const tag = 'さくら内科';
const targets: WatchTargetSpec[] = [{ id: 't1', names: ['さくら内科'], keywords: [], handles: {}, exclusions: [] }];

beforeEach(async () => {
  clock = createVirtualClock(new Date('2026-11-25T09:00:00.000Z'));
  fake = await new MastodonFake({ now: () => clock.now().getTime() }).start();
  runtime = createTestRuntime({ clock });
});
afterEach(async () => {
  await fake.close();
});

function config(extra: Record<string, unknown> = {}): MastodonConfig {
  return mastodonSource.parseConfig({ baseUrl: fake.baseUrl, requestTimeoutMs: 1000, ...extra });
}

async function run(cursor: unknown, cfg = config(), stopAfterPages = Infinity) {
  const { pages, error } = await drainCollector(() => mastodonSource.collect!({ config: cfg, cursor, targets, runtime }), {
    stopAfterPages,
  });
  const mentions: NormalizedMention[] = pages.flatMap((p) => p.mentions);
  const tombstones: Tombstone[] = pages.flatMap((p) => p.tombstones ?? []);
  return { pages, mentions, tombstones, cursor: pages.at(-1)?.cursor ?? cursor, error };
}

const at = (minute: number) => new Date(Date.UTC(2026, 10, 25, 0, minute));
function seed(count: number, from = 0): void {
  for (let i = from; i < from + count; i += 1) fake.post({ text: `投稿${i}`, tags: [tag], at: at(i) });
}

describe('mastodon collector', () => {
  it('backfills the hashtag newest-first through Link rel="next", with HTML stripped and the target attached', async () => {
    seed(100);
    fake.post({ text: '別のタグ', tags: ['other'], at: at(200) });
    const result = await run(null);
    expect(result.error).toBeNull();
    // 40 + 40 + 20, then the empty page that the last Link rel="next" leads to.
    expect(result.pages.map((p) => p.mentions.length)).toEqual([40, 40, 20, 0]);
    expect([...result.mentions.map((m) => m.externalId)].sort()).toEqual(fake.allIds(tag).sort());
    const first = result.mentions[0]!;
    expect(first).toMatchObject({ text: '投稿99 #さくら内科', watchTargetId: 't1', language: 'ja', authorHandle: 'kanja@mstdn.example' });
    expect(fake.http.answered(`/api/v1/timelines/tag/${encodeURIComponent(tag)}`)[1]?.query.max_id).toBe(result.mentions[39]!.externalId);
    expect((result.cursor as any).tags[tag]).toEqual({ minId: fake.allIds(tag).at(-1), backfill: null });
  });

  it('reads only backfillPages of history on the first run', async () => {
    seed(100);
    const result = await run(null, config({ backfillPages: 2 }));
    expect(result.mentions).toHaveLength(80);
    expect((result.cursor as any).tags[tag].minId).toBe(fake.allIds(tag).at(-1));
  });

  it('walks forward with min_id afterwards; a run interrupted after a page resumes without gaps or repeats', async () => {
    seed(10);
    const first = await run(null);
    seed(90, 10);
    const partial = await run(first.cursor, config(), 1);
    expect(partial.mentions.map((m) => m.text.split(' ')[0])).toEqual(Array.from({ length: 40 }, (_, i) => `投稿${49 - i}`));
    const rest = await run(partial.cursor);
    const ids = [...partial.mentions, ...rest.mentions].map((m) => m.externalId);
    expect(ids).toHaveLength(90);
    expect(new Set([...first.mentions.map((m) => m.externalId), ...ids]).size).toBe(100);
    const calls = fake.http.answered(`/api/v1/timelines/tag/${encodeURIComponent(tag)}`);
    expect(calls.slice(2).every((c) => c.query.min_id !== undefined)).toBe(true);
  });

  it('re-reads recent statuses: edits come back with new text, deletions become tombstones', async () => {
    seed(5);
    const first = await run(null);
    const [a, b] = fake.allIds(tag);
    fake.edit(a!, '投稿0（訂正）', at(30));
    fake.delete(b!);
    const second = await run(first.cursor);
    expect(second.mentions.map((m) => [m.externalId, m.text])).toEqual([[a, '投稿0（訂正） #さくら内科']]);
    expect(second.tombstones.map((t) => t.externalId)).toEqual([b]);
    const third = await run(second.cursor);
    expect(third.mentions).toHaveLength(0);
    expect(third.tombstones).toHaveLength(0);
  });

  it('honours X-RateLimit-Reset (ISO 8601) before and after a 429, and retries an HTML 500', async () => {
    seed(50);
    fake.exhaustWindow();
    fake.http.failNext('rate-limit');
    fake.http.failNext('server-error');
    const result = await run(null);
    expect(result.error).toBeNull();
    expect(result.mentions).toHaveLength(50);
    expect(runtime.sleeps[0]).toBe(15_000);
    expect(runtime.sleeps[1]!).toBeLessThan(2_000);
    expect(runtime.sleeps).toContain(300_000);
  });

  it('sends the access token when configured; without it a locked timeline is an auth error', async () => {
    seed(3);
    fake.requiredToken = 'tok-1';
    expect((await run(null)).error).toBeInstanceOf(SourceAuthError);
    runtime = createTestRuntime({ clock, secrets: { accessToken: 'tok-1' } });
    const ok = await run(null);
    expect(ok.error).toBeNull();
    expect(ok.mentions).toHaveLength(3);
  });

  it('maps content warnings, replies and boosts; rejects malformed statuses without throwing', () => {
    const base = {
      id: '1',
      created_at: '2026-11-25T00:00:00Z',
      account: { id: '9', acct: 'a' },
      content: '<p>本文&amp;</p>',
      spoiler_text: 'CW',
    };
    expect(mapStatus({ ...base, in_reply_to_id: '0' }, null)).toMatchObject({
      ok: true,
      mention: { text: 'CW\n本文&', replyToExternalId: '0' },
    });
    expect(
      mapStatus({ ...base, spoiler_text: '', content: '', reblog: { ...base, id: '5', content: '<p>元</p>', spoiler_text: '' } }, null),
    ).toMatchObject({ ok: true, mention: { repostOfExternalId: '5', text: '元' } });
    expect(mapStatus({ ...base, created_at: 'x' }, null)).toMatchObject({ ok: false, id: '1' });
    expect(mapStatus({ ...base, id: '../../etc' }, null)).toMatchObject({ ok: false });
    expect(mapStatus('nope', null)).toMatchObject({ ok: false });
    expect(newerId('999', '1000')).toBe('1000');
  });

  it("converges to exactly the hashtag's statuses under random faults, with edits and deletions applied", async () => {
    seed(60);
    fake.http.setFaults({ rate: 0.3, seed: 3 });
    const deleted: string[] = [];
    let edited = '';
    const result = await runCollections({
      runs: 45,
      collect: (cursor) =>
        mastodonSource.collect!({ config: config({ pageSize: 20, recheckLimit: 5, requestTimeoutMs: 400 }), cursor, targets, runtime }),
      between: (run, stored) => {
        if (run === 40) fake.http.setFaults({ rate: 0 });
        if (run < 35) seed(3, 100 + run * 3);
        if (run === 20) {
          edited = fake.allIds(tag).at(-1)!;
          fake.edit(edited, '訂正版', at(500));
        }
        if (run === 36) {
          // The newest status already stored disappears; the recheck must notice.
          const victim = fake
            .allIds(tag)
            .filter((id) => stored.has(id))
            .at(-2)!;
          deleted.push(victim);
          fake.delete(victim);
        }
      },
    });
    expect(result.failedRuns).toBeGreaterThan(0);
    expect([...result.stored.keys()].filter((id) => !deleted.includes(id)).sort()).toEqual(fake.allIds(tag).sort());
    expect([...result.tombstoned]).toEqual(deleted);
    expect(result.stored.get(edited)).toBe('訂正版 #さくら内科');
  });

  it('validates its config', () => {
    expect(() => mastodonSource.parseConfig({ hashtags: ['bad tag'] })).toThrow(/hashtags\[0\]/);
    expect(() => mastodonSource.parseConfig({ pageSize: 80 })).toThrow(/pageSize/);
    expect(mastodonSource.parseConfig({ hashtags: ['#さくら内科'] }).hashtags).toEqual(['さくら内科']);
  });
});

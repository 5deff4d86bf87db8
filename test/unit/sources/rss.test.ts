import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NormalizedMention } from '../../../src/mention.ts';
import { parseFeed } from '../../../src/sources/rss/feed.ts';
import { htmlToText } from '../../../src/sources/html-text.ts';
import { rssSource, type RssConfig } from '../../../src/sources/rss/index.ts';
import { parseXml, XmlParseError } from '../../../src/sources/rss/xml.ts';
import type { WatchTargetSpec } from '../../../src/sources/types.ts';
import { runCollections } from '../../fakes/faulty-server.ts';
import { encodeJapanese, RssFake } from '../../fakes/rss-fake.ts';
import { createTestRuntime, createVirtualClock, drainCollector, type TestRuntime, type VirtualClock } from '../../fakes/source-runtime.ts';

let clock: VirtualClock;
let fake: RssFake;
let runtime: TestRuntime;
const targets: WatchTargetSpec[] = [{ id: 't1', names: ['さくら内科'], keywords: ['ＳＡＫＵＲＡ内科'], handles: {}, exclusions: ['札幌'] }];

beforeEach(async () => {
  clock = createVirtualClock(new Date('2026-11-25T09:00:00.000Z'));
  fake = await new RssFake({ now: () => clock.now().getTime() }).start();
  runtime = createTestRuntime({ clock });
  const day = (d: number) => new Date(Date.UTC(2026, 10, d, 3));
  fake.add(
    {
      guid: 'n1',
      title: 'さくら内科で待ち時間トラブル',
      description: '<p>患者から<b>苦情</b>&amp;批判</p>',
      pubDate: day(20),
      author: '記者A',
    },
    day(20),
  );
  fake.add({ guid: 'n2', title: '駅前再開発のお知らせ', description: '<p>関係のない記事</p>', pubDate: day(21) }, day(21));
  fake.add({ guid: 'n3', title: '札幌のさくら内科が開院', description: '別の病院', pubDate: day(22) }, day(22));
  fake.add({ guid: 'https://news.example.jp/a/4', title: 'Sakura clinic news', description: 'sakura 内科 ok', pubDate: null }, day(23));
});
afterEach(async () => {
  await fake.close();
});

function config(feeds: unknown[] = [`${fake.baseUrl}/feed.xml`], extra: Record<string, unknown> = {}): RssConfig {
  return rssSource.parseConfig({ feeds, requestTimeoutMs: 1000, ...extra });
}

async function run(cursor: unknown, cfg = config()) {
  const { pages, error } = await drainCollector(() => rssSource.collect!({ config: cfg, cursor, targets, runtime }));
  const mentions: NormalizedMention[] = pages.flatMap((p) => p.mentions);
  return { pages, mentions, cursor: pages.at(-1)?.cursor ?? cursor, error };
}

describe('rss collector', () => {
  it('keeps the items that name a watch target (NFKC, exclusions honoured) and maps them', async () => {
    const result = await run(null);
    expect(result.error).toBeNull();
    const feedUrl = `${fake.baseUrl}/feed.xml`;
    expect(result.mentions.map((m) => m.externalId)).toEqual([`${feedUrl}#n1`]);
    expect(result.mentions[0]).toMatchObject({
      url: 'https://news.example.jp/articles/n1',
      authorName: '記者A',
      language: 'ja',
      watchTargetId: 't1',
      text: 'さくら内科で待ち時間トラブル\n患者から苦情&批判',
      postedAt: new Date(Date.UTC(2026, 10, 20, 3)),
    });
    // Full-width ＳＡＫＵＲＡ内科 in the target matches "SAKURA内科" after NFKC and case folding.
    fake.add({ guid: 'n5', title: 'SAKURA内科の新サービス', description: '', pubDate: null }, new Date(Date.UTC(2026, 10, 24)));
    const again = await run(result.cursor);
    expect(again.mentions.map((m) => m.externalId)).toContain(`${feedUrl}#n5`);
    expect(again.mentions.find((m) => m.externalId === `${feedUrl}#n5`)?.postedAt).toEqual(clock.now());
  });

  it('sends If-None-Match and If-Modified-Since and yields nothing on 304; changes come through', async () => {
    const first = await run(null);
    const second = await run(first.cursor);
    expect(second.pages).toHaveLength(0);
    const conditional = fake.http.answered('/feed.xml').at(-1)!;
    expect(conditional.headers['if-none-match']).toMatch(/^"[0-9a-f]{16}"$/);
    expect(conditional.headers['if-modified-since']).toBe('Mon, 23 Nov 2026 03:00:00 GMT');
    fake.items.find((i) => i.guid === 'n1')!.description = '<p>続報：院長が謝罪</p>';
    fake.touch(new Date(Date.UTC(2026, 10, 25)));
    const third = await run(second.cursor);
    expect(third.mentions.map((m) => m.text)).toEqual(['さくら内科で待ち時間トラブル\n続報：院長が謝罪']);
  });

  it('uses Last-Modified alone when the server sends no ETag', async () => {
    fake.validators = 'last-modified';
    const first = await run(null);
    expect((first.cursor as any).feeds[`${fake.baseUrl}/feed.xml`]).toEqual({ etag: null, lastModified: 'Mon, 23 Nov 2026 03:00:00 GMT' });
    const second = await run(first.cursor);
    expect(second.pages).toHaveLength(0);
  });

  it('reads Atom with matchAll, keeping URI ids as they are', async () => {
    const result = await run(null, config([{ url: `${fake.baseUrl}/atom.xml`, matchAll: true }]));
    expect(result.error).toBeNull();
    expect(result.mentions.map((m) => m.externalId)).toEqual([
      'tag:news.example.jp,2026:https://news.example.jp/a/4',
      'tag:news.example.jp,2026:n3',
      'tag:news.example.jp,2026:n2',
      'tag:news.example.jp,2026:n1',
    ]);
    expect(result.mentions.find((m) => m.externalId.endsWith(':n2'))?.watchTargetId).toBeNull();
    expect(result.mentions.find((m) => m.externalId.endsWith(':n1'))?.text).toBe('さくら内科で待ち時間トラブル\n患者から苦情&批判');
  });

  it('refuses a DOCTYPE (entity bomb) in one feed, still collects the others, and reports the failure', async () => {
    fake.rawBodies.set(
      '/bomb.xml',
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><rss><channel><item><title>&lol2;</title></item></channel></rss>',
    );
    const result = await run(null, config([`${fake.baseUrl}/bomb.xml`, `${fake.baseUrl}/feed.xml`]));
    expect(result.mentions).toHaveLength(1);
    expect(String(result.error)).toMatch(/bomb\.xml.*DOCTYPE/);
    expect(Object.keys((result.cursor as any).feeds)).toEqual([`${fake.baseUrl}/bomb.xml`, `${fake.baseUrl}/feed.xml`]);
  });

  it('fails cleanly on broken XML, non-UTF-8 feeds and oversized bodies; retries 503 and waits for Retry-After', async () => {
    fake.rawBodies.set('/broken.xml', '<rss><channel><item><title>x</title></channel></rss>');
    expect(String((await run(null, config([`${fake.baseUrl}/broken.xml`]))).error)).toMatch(/cannot parse feed/);
    fake.rawBodies.set('/koi.xml', '<?xml version="1.0" encoding="x-unknown-charset"?><rss><channel></channel></rss>');
    expect(String((await run(null, config([`${fake.baseUrl}/koi.xml`]))).error)).toMatch(/unknown charset x-unknown-charset/);
    // Streaming 11 MB takes longer than the 1 s timeout on a busy machine: the size cap, not the
    // clock, must be what stops it.
    fake.http.failNext('oversized');
    expect(String((await run(null, config(undefined, { requestTimeoutMs: 120_000 }))).error)).toMatch(/bytes/);
    fake.http.failNext('rate-limit');
    fake.http.failNext('unavailable');
    const ok = await run(null);
    expect(ok.error).toBeNull();
    expect(runtime.sleeps[0]).toBe(15_000);
    expect(ok.mentions).toHaveLength(1);
  });

  it('decodes Shift_JIS and EUC-JP feeds from their bytes', async () => {
    const doc = (encoding: string) => `<?xml version="1.0" encoding="${encoding}"?><rss version="2.0"><channel><title>地域</title>
<item><title>さくら内科の口コミが炎上</title><guid>https://old.example.jp/${encoding}/1</guid><description>&lt;p&gt;ひどい対応&lt;/p&gt;</description></item></channel></rss>`;
    fake.rawBodies.set('/sjis.xml', encodeJapanese(doc('Shift_JIS'), 'shift_jis'));
    fake.rawBodies.set('/euc.xml', encodeJapanese(doc('EUC-JP'), 'euc-jp'));
    const result = await run(null, config([`${fake.baseUrl}/sjis.xml`, `${fake.baseUrl}/euc.xml`]));
    expect(result.error).toBeNull();
    expect(result.mentions.map((m) => m.text)).toEqual(['さくら内科の口コミが炎上\nひどい対応', 'さくら内科の口コミが炎上\nひどい対応']);
  });

  it('converges to exactly the matching items under random faults', async () => {
    fake.http.setFaults({ rate: 0.3, seed: 9 });
    const feedUrl = `${fake.baseUrl}/feed.xml`;
    const expected = new Set([`${feedUrl}#n1`]);
    const result = await runCollections({
      runs: 45,
      collect: (cursor) => rssSource.collect!({ config: config(undefined, { requestTimeoutMs: 400 }), cursor, targets, runtime }),
      between: (run) => {
        if (run === 40) fake.http.setFaults({ rate: 0 });
        if (run < 35 && run % 2 === 0) {
          fake.add(
            { guid: `live${run}`, title: `さくら内科 続報${run}`, description: '', pubDate: new Date(Date.UTC(2026, 10, 24, 0, run)) },
            new Date(Date.UTC(2026, 10, 24, 0, run)),
          );
          expected.add(`${feedUrl}#live${run}`);
        }
      },
    });
    expect(result.failedRuns).toBeGreaterThan(0);
    expect([...result.stored.keys()].sort()).toEqual([...expected].sort());
  });

  it('validates its config', () => {
    expect(() => rssSource.parseConfig({ feeds: [] })).toThrow(/feeds/);
    expect(() => rssSource.parseConfig({ feeds: ['file:///etc/passwd'] })).toThrow(/feeds\[0\]\.url/);
    expect(() => rssSource.parseConfig({ feeds: ['https://a.example/f', 'https://a.example/f'] })).toThrow(/duplicate/);
    expect(rssSource.parseConfig({ feeds: ['https://a.example/f'] }).feeds).toEqual([{ url: 'https://a.example/f', matchAll: false }]);
  });
});

describe('feed and XML parsing', () => {
  it('decodes only XML entities and character references, leaving escaped HTML for the HTML stage', () => {
    const root = parseXml('<a x="1 &amp; 2">&lt;b&gt;太字&lt;/b&gt; &#x1F525; &unknown;<![CDATA[<i>raw</i> &amp;]]></a>');
    expect(root.attrs.x).toBe('1 & 2');
    const text = root.children.filter((c): c is string => typeof c === 'string');
    expect(text).toHaveLength(root.children.length);
    expect(text.join('')).toBe('<b>太字</b> 🔥 &unknown;<i>raw</i> &amp;');
  });

  it('caps nesting depth and node count', () => {
    expect(() => parseXml('<a>'.repeat(100) + '</a>'.repeat(100))).toThrow(XmlParseError);
    expect(() => parseXml(`<r>${'<i/>'.repeat(50)}</r>`, { maxDepth: 10, maxNodes: 20 })).toThrow(/nodes/);
  });

  it('reads RSS 1.0 (RDF) feeds', () => {
    const feed = parseFeed(`<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://blog.example.jp/"><title>ブログ</title></channel>
<item rdf:about="https://blog.example.jp/entry/1"><title>さくら内科に行った</title><link>https://blog.example.jp/entry/1</link>
<description>よかった</description><dc:date>2026-11-20T10:00:00+09:00</dc:date><dc:creator>ぶろがー</dc:creator></item></rdf:RDF>`);
    expect(feed.format).toBe('rdf');
    expect(feed.items[0]).toMatchObject({
      id: 'https://blog.example.jp/entry/1',
      author: 'ぶろがー',
      publishedAt: new Date('2026-11-20T01:00:00Z'),
      text: 'よかった',
    });
  });

  it('strips HTML to text with paragraph breaks and without script or style content', () => {
    expect(htmlToText('<style>p{}</style><p>一行目</p><p>二行目<br>三行目</p><script>alert(1)</script>')).toBe('一行目\n\n二行目\n三行目');
    expect(htmlToText('a &lt; b &#0; &#xD800;')).toBe('a < b \ufffd \ufffd');
  });
});

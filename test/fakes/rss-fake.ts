// Fake feed server: RSS 2.0 at /feed.xml and Atom at /atom.xml over the same items, with ETag
// and Last-Modified validators, 304 on If-None-Match / If-Modified-Since, and a raw-body
// override for hostile documents (DOCTYPE bombs, broken XML).

import { createHash } from 'node:crypto';
import { escapeMarkup, FaultyServer, FaultyServerFake, type FakeRequest, type FakeResponse } from './faulty-server.ts';

export interface FakeItem {
  guid: string;
  title: string;
  /** HTML */
  description: string;
  link: string;
  pubDate: Date | null;
  author?: string;
}

export class RssFake extends FaultyServerFake {
  readonly http: FaultyServer;
  items: FakeItem[] = [];
  /** Which validators the server sends (and honours). */
  validators: 'both' | 'etag' | 'last-modified' | 'none' = 'both';
  /** Served instead of the generated document, per path (bytes for non-UTF-8 feeds). */
  readonly rawBodies = new Map<string, string | Buffer>();
  private changedAt: Date;
  private readonly clock: () => number;

  constructor(options: { now?: () => number } = {}) {
    super();
    this.clock = options.now ?? Date.now;
    this.changedAt = new Date(this.clock());
    this.http = new FaultyServer({
      handle: (r) => this.handle(r),
      rateLimited: (resetAt) => ({
        status: 429,
        headers: { 'retry-after': String(Math.ceil((resetAt.getTime() - this.clock()) / 1000)), 'content-type': 'text/plain' },
        body: 'Too Many Requests',
      }),
      serverError: (status) => ({ status, headers: { 'content-type': 'text/html' }, body: '<h1>Service Unavailable</h1>' }),
      now: this.clock,
    });
  }

  /** Call after changing items so Last-Modified moves (HTTP dates have one-second resolution). */
  touch(at: Date): void {
    this.changedAt = at;
  }

  add(item: Omit<FakeItem, 'link'> & { link?: string }, at: Date): void {
    this.items.unshift({ link: `https://news.example.jp/articles/${encodeURIComponent(item.guid)}`, ...item });
    this.touch(at);
  }

  rss(): string {
    const items = this.items
      .map(
        (i) => `
    <item>
      <title>${escapeMarkup(i.title)}</title>
      <link>${escapeMarkup(i.link)}</link>
      <guid isPermaLink="false">${escapeMarkup(i.guid)}</guid>
      <description><![CDATA[${i.description}]]></description>
      ${i.pubDate === null ? '' : `<pubDate>${i.pubDate.toUTCString()}</pubDate>`}
      ${i.author === undefined ? '' : `<dc:creator>${escapeMarkup(i.author)}</dc:creator>`}
    </item>`,
      )
      .join('');
    return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/">
  <channel>
    <title>地域ニュース</title>
    <link>https://news.example.jp/</link>
    <description>テスト用フィード</description>
    <language>ja</language>${items}
  </channel>
</rss>`;
  }

  atom(): string {
    const entries = this.items
      .map(
        (i) => `
  <entry>
    <id>tag:news.example.jp,2026:${escapeMarkup(i.guid)}</id>
    <title type="html">${escapeMarkup(i.title)}</title>
    <link rel="alternate" href="${escapeMarkup(i.link)}"/>
    ${i.pubDate === null ? '' : `<published>${i.pubDate.toISOString()}</published><updated>${i.pubDate.toISOString()}</updated>`}
    <content type="html">${escapeMarkup(i.description)}</content>
    ${i.author === undefined ? '' : `<author><name>${escapeMarkup(i.author)}</name></author>`}
  </entry>`,
      )
      .join('');
    return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ja">
  <title>地域ニュース</title>
  <id>tag:news.example.jp,2026:feed</id>
  <updated>${this.changedAt.toISOString()}</updated>${entries}
</feed>`;
  }

  private handle(request: FakeRequest): FakeResponse {
    const path = request.url.pathname;
    let body = this.rawBodies.get(path);
    let type = 'application/xml; charset=utf-8';
    if (body === undefined) {
      if (path === '/feed.xml') {
        body = this.rss();
        type = 'application/rss+xml; charset=utf-8';
      } else if (path === '/atom.xml') {
        body = this.atom();
        type = 'application/atom+xml; charset=utf-8';
      } else {
        return { status: 404, headers: { 'content-type': 'text/html' }, body: '<h1>Not Found</h1>' };
      }
    }
    if (Buffer.isBuffer(body)) type = 'application/xml';
    const etag = `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"`;
    const lastModified = new Date(Math.floor(this.changedAt.getTime() / 1000) * 1000).toUTCString();
    const headers: Record<string, string> = { 'content-type': type };
    const sendEtag = this.validators === 'both' || this.validators === 'etag';
    const sendLastModified = this.validators === 'both' || this.validators === 'last-modified';
    if (sendEtag) headers.etag = etag;
    if (sendLastModified) headers['last-modified'] = lastModified;
    const inm = request.headers['if-none-match'];
    const ims = request.headers['if-modified-since'];
    // RFC 9110 §13.1.3: If-None-Match takes precedence over If-Modified-Since.
    if (sendEtag && typeof inm === 'string') {
      if (
        inm
          .split(',')
          .map((t) => t.trim())
          .includes(etag)
      )
        return { status: 304, headers };
    } else if (sendLastModified && typeof ims === 'string') {
      const since = Date.parse(ims);
      if (!Number.isNaN(since) && Math.floor(this.changedAt.getTime() / 1000) * 1000 <= since) return { status: 304, headers };
    }
    return { status: 200, headers, body };
  }
}

/**
 * Encodes text as Shift_JIS or EUC-JP (Node has decoders but no encoders for them), by
 * inverting the decoder over every two-byte sequence. For serving legacy-encoded feeds.
 */
export function encodeJapanese(text: string, encoding: 'shift_jis' | 'euc-jp'): Buffer {
  const decoder = new TextDecoder(encoding);
  const table = new Map<string, number[]>();
  const leads =
    encoding === 'shift_jis'
      ? [
          [0x81, 0x9f],
          [0xe0, 0xfc],
        ]
      : [[0xa1, 0xfe]];
  const trails =
    encoding === 'shift_jis'
      ? [
          [0x40, 0x7e],
          [0x80, 0xfc],
        ]
      : [[0xa1, 0xfe]];
  for (const [leadFrom, leadTo] of leads as [number, number][]) {
    for (let lead = leadFrom; lead <= leadTo; lead += 1) {
      for (const [trailFrom, trailTo] of trails as [number, number][]) {
        for (let trail = trailFrom; trail <= trailTo; trail += 1) {
          const ch = decoder.decode(Uint8Array.of(lead, trail));
          if (ch.length === 1 && ch !== '\ufffd' && !table.has(ch)) table.set(ch, [lead, trail]);
        }
      }
    }
  }
  const bytes: number[] = [];
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    if (code < 0x80) bytes.push(code);
    else {
      const pair = table.get(ch);
      if (pair === undefined) throw new Error(`cannot encode ${ch} as ${encoding}`);
      bytes.push(...pair);
    }
  }
  return Buffer.from(bytes);
}

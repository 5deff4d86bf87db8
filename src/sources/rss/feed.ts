// RSS 2.0, RSS 1.0 (RDF — still common on Japanese blogs and news sites) and Atom 1.0, read
// into one item shape. Pure: bytes in, items out; the collector decides what to keep.

import { htmlToText } from '../html-text.ts';
import { childElements, innerXml, localName, parseXml, textContent, type XmlElement } from './xml.ts';

export type FeedFormat = 'rss' | 'rdf' | 'atom';

export interface FeedItem {
  /** guid / atom:id / rdf:about, or the link when the feed gives no id. */
  id: string | null;
  link: string | null;
  title: string;
  /** Body as plain text (HTML stripped). */
  text: string;
  author: string | null;
  publishedAt: Date | null;
  language: string | null;
  /** The item element as a plain object, kept as evidence. */
  raw: unknown;
}

export interface ParsedFeed {
  format: FeedFormat;
  title: string;
  language: string | null;
  items: FeedItem[];
  /** Items that could not be read (no id and no link), with why. */
  skipped: { index: number; reason: string }[];
}

export class FeedFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FeedFormatError';
  }
}

/** Parses a feed document; throws FeedFormatError (or XmlParseError) on anything else. */
export function parseFeed(xml: string): ParsedFeed {
  const root = parseXml(xml);
  const rootName = localName(root.name);
  if (rootName === 'rss') {
    const channel = firstLocal(root, 'channel');
    if (channel === undefined) throw new FeedFormatError('RSS document without <channel>');
    return readRss('rss', channel, childrenLocal(channel, 'item'));
  }
  if (rootName === 'RDF') {
    const channel = firstLocal(root, 'channel');
    return readRss('rdf', channel ?? root, childrenLocal(root, 'item'));
  }
  if (rootName === 'feed') return readAtom(root);
  throw new FeedFormatError(`not an RSS or Atom feed (root element <${root.name}>)`);
}

function childrenLocal(element: XmlElement, name: string): XmlElement[] {
  return childElements(element).filter((c) => localName(c.name) === name);
}
function firstLocal(element: XmlElement, name: string, prefix?: string): XmlElement | undefined {
  return childElements(element).find((c) => localName(c.name) === name && (prefix === undefined || c.name === `${prefix}:${name}`));
}
function textOf(element: XmlElement | undefined): string | null {
  if (element === undefined) return null;
  const text = textContent(element).trim();
  return text === '' ? null : text;
}

/** RFC 822 (RSS), RFC 3339 (Atom, dc:date); unreadable dates become null, never Invalid Date. */
export function parseFeedDate(value: string | null): Date | null {
  if (value === null) return null;
  let text = value.trim();
  // Date.parse understands RFC 822 except the military and some named zones feeds use.
  text = text
    .replace(/\b(JST)\b/, '+0900')
    .replace(/\bUT\b/, 'GMT')
    .replace(/\bZ$/, 'Z');
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) return null;
  const date = new Date(ms);
  return date.getUTCFullYear() < 1990 || date.getUTCFullYear() > 9999 ? null : date;
}

function readRss(format: 'rss' | 'rdf', channel: XmlElement, itemElements: XmlElement[]): ParsedFeed {
  const language = textOf(firstLocal(channel, 'language'));
  const items: FeedItem[] = [];
  const skipped: ParsedFeed['skipped'] = [];
  itemElements.forEach((item, index) => {
    const link = textOf(firstLocal(item, 'link'));
    const guid = textOf(firstLocal(item, 'guid')) ?? item.attrs['rdf:about'] ?? null;
    const id = guid ?? link;
    if (id === null) {
      skipped.push({ index, reason: 'item has neither guid nor link' });
      return;
    }
    const body = textOf(firstLocal(item, 'encoded', 'content')) ?? textOf(firstLocal(item, 'description')) ?? '';
    items.push({
      id,
      link,
      title: htmlToText(textOf(firstLocal(item, 'title')) ?? ''),
      text: htmlToText(body),
      author: textOf(firstLocal(item, 'creator', 'dc')) ?? textOf(firstLocal(item, 'author')),
      publishedAt: parseFeedDate(textOf(firstLocal(item, 'pubDate')) ?? textOf(firstLocal(item, 'date', 'dc'))),
      language: textOf(firstLocal(item, 'language', 'dc')) ?? language,
      raw: toPlain(item),
    });
  });
  return { format, title: htmlToText(textOf(firstLocal(channel, 'title')) ?? ''), language, items, skipped };
}

function atomText(element: XmlElement | undefined): string {
  if (element === undefined) return '';
  const type = element.attrs.type ?? 'text';
  if (type === 'xhtml') return htmlToText(innerXml(element));
  if (type === 'html' || type === 'text/html') return htmlToText(textContent(element));
  // type="text" is plain text, but entity-escaped markup still turns up in it; strip it too
  // only when it looks like markup, so "a < b" survives.
  const text = textContent(element);
  return /<\/?[A-Za-z][^>]*>/.test(text) ? htmlToText(text) : text.trim();
}

function atomLink(entry: XmlElement): string | null {
  const links = childrenLocal(entry, 'link');
  const alternate = links.find((l) => (l.attrs.rel ?? 'alternate') === 'alternate') ?? links[0];
  return alternate?.attrs.href ?? null;
}

function readAtom(feed: XmlElement): ParsedFeed {
  const language = feed.attrs['xml:lang'] ?? null;
  const items: FeedItem[] = [];
  const skipped: ParsedFeed['skipped'] = [];
  childrenLocal(feed, 'entry').forEach((entry, index) => {
    const link = atomLink(entry);
    const id = textOf(firstLocal(entry, 'id')) ?? link;
    if (id === null) {
      skipped.push({ index, reason: 'entry has neither id nor link' });
      return;
    }
    const author = firstLocal(entry, 'author');
    items.push({
      id,
      link,
      title: atomText(firstLocal(entry, 'title')),
      text: atomText(firstLocal(entry, 'content') ?? firstLocal(entry, 'summary')),
      author: author === undefined ? null : textOf(firstLocal(author, 'name')),
      publishedAt: parseFeedDate(textOf(firstLocal(entry, 'published')) ?? textOf(firstLocal(entry, 'updated'))),
      language: entry.attrs['xml:lang'] ?? language,
      raw: toPlain(entry),
    });
  });
  return { format: 'atom', title: atomText(firstLocal(feed, 'title')), language, items, skipped };
}

/** The element as JSON: `{ name, attrs?, text?, children? }`, compact enough to store as raw. */
function toPlain(element: XmlElement): unknown {
  const elements = childElements(element);
  const text = element.children
    .filter((c): c is string => typeof c === 'string')
    .join('')
    .trim();
  const plain: Record<string, unknown> = { name: element.name };
  if (Object.keys(element.attrs).length > 0) plain.attrs = element.attrs;
  if (text !== '') plain.text = text;
  if (elements.length > 0) plain.children = elements.map(toPlain);
  return plain;
}

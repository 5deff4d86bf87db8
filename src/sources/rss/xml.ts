// A small non-validating XML parser for RSS 2.0 and Atom feeds. Feeds come from anywhere, so it
// refuses DOCTYPE (no entity expansion, no external entities — "billion laughs" and XXE cannot
// happen), decodes only the five predefined entities and character references, and caps depth
// and node count so a hostile feed costs bounded memory.

import { decodeEntities } from '../html-text.ts';

export interface XmlElement {
  /** Qualified name as written, e.g. `item`, `content:encoded`, `atom:link`. */
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
}
export type XmlNode = XmlElement | string;

export class XmlParseError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} (offset ${offset})`);
    this.name = 'XmlParseError';
  }
}

export interface XmlLimits {
  maxDepth: number;
  maxNodes: number;
}
const defaultLimits: XmlLimits = { maxDepth: 64, maxNodes: 200_000 };

const nameChar = /[A-Za-z0-9_:.\-\u00b7\u00c0-\uffff]/;

function decodeXmlText(raw: string): string {
  // Only XML's own references: `&amp;lt;` must stay `&lt;` (escaped HTML inside a description),
  // which the HTML stage decodes later.
  return raw.replace(/&(#[xX][0-9a-fA-F]{1,8}|#[0-9]{1,10}|amp|lt|gt|quot|apos);/g, (whole) => decodeEntities(whole));
}

export function parseXml(input: string, limits: XmlLimits = defaultLimits): XmlElement {
  let pos = 0;
  let nodes = 0;
  const src = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const root: XmlElement = { name: '#document', attrs: {}, children: [] };
  const stack: XmlElement[] = [root];

  const fail = (message: string): never => {
    throw new XmlParseError(message, pos);
  };
  const top = (): XmlElement => stack[stack.length - 1] as XmlElement;
  const addNode = (node: XmlNode): void => {
    nodes += 1;
    if (nodes > limits.maxNodes) fail(`more than ${limits.maxNodes} nodes`);
    top().children.push(node);
  };
  const readName = (): string => {
    const start = pos;
    while (pos < src.length && nameChar.test(src[pos] as string)) pos += 1;
    if (pos === start) fail('expected a name');
    return src.slice(start, pos);
  };
  const skipSpace = (): void => {
    while (pos < src.length && /\s/.test(src[pos] as string)) pos += 1;
  };

  while (pos < src.length) {
    const lt = src.indexOf('<', pos);
    if (lt === -1) {
      const tail = src.slice(pos);
      if (tail.trim() !== '') {
        if (stack.length === 1) fail('text outside the root element');
        addNode(decodeXmlText(tail));
      }
      pos = src.length;
      break;
    }
    if (lt > pos) {
      const text = src.slice(pos, lt);
      if (stack.length > 1) addNode(decodeXmlText(text));
      else if (text.trim() !== '') fail('text outside the root element');
    }
    pos = lt;
    if (src.startsWith('<!--', pos)) {
      const end = src.indexOf('-->', pos + 4);
      if (end === -1) fail('unterminated comment');
      pos = end + 3;
    } else if (src.startsWith('<![CDATA[', pos)) {
      const end = src.indexOf(']]>', pos + 9);
      if (end === -1) fail('unterminated CDATA section');
      if (stack.length === 1) fail('CDATA outside the root element');
      addNode(src.slice(pos + 9, end));
      pos = end + 3;
    } else if (src.startsWith('<?', pos)) {
      const end = src.indexOf('?>', pos + 2);
      if (end === -1) fail('unterminated processing instruction');
      pos = end + 2;
    } else if (src.startsWith('<!', pos)) {
      // DOCTYPE (and any other declaration) is where entity definitions live: refuse outright.
      fail('DOCTYPE and markup declarations are not accepted');
    } else if (src.startsWith('</', pos)) {
      pos += 2;
      const name = readName();
      skipSpace();
      if (src[pos] !== '>') fail('malformed end tag');
      pos += 1;
      const open = top();
      if (stack.length === 1 || open.name !== name) fail(`end tag </${name}> does not match <${open.name}>`);
      stack.pop();
    } else {
      pos += 1;
      const name = readName();
      const attrs: Record<string, string> = {};
      for (;;) {
        skipSpace();
        const ch = src[pos];
        if (ch === undefined) fail('unterminated start tag');
        if (ch === '>' || (ch === '/' && src[pos + 1] === '>')) break;
        const attrName = readName();
        skipSpace();
        if (src[pos] !== '=') fail(`attribute ${attrName} without a value`);
        pos += 1;
        skipSpace();
        const quote = src[pos];
        if (quote !== '"' && quote !== "'") fail(`attribute ${attrName} value is not quoted`);
        const end = src.indexOf(quote as string, pos + 1);
        if (end === -1) fail('unterminated attribute value');
        const value = src.slice(pos + 1, end);
        if (value.includes('<')) fail(`'<' in attribute ${attrName}`);
        attrs[attrName] = decodeXmlText(value);
        pos = end + 1;
      }
      const selfClosing = src[pos] === '/';
      pos += selfClosing ? 2 : 1;
      if (stack.length === 1 && root.children.some((c) => typeof c !== 'string')) fail('more than one root element');
      const element: XmlElement = { name, attrs, children: [] };
      addNode(element);
      if (!selfClosing) {
        if (stack.length > limits.maxDepth) fail(`nested deeper than ${limits.maxDepth}`);
        stack.push(element);
      }
    }
  }
  if (stack.length > 1) fail(`unclosed element <${top().name}>`);
  const documentElement = root.children.find((c): c is XmlElement => typeof c !== 'string');
  if (documentElement === undefined) fail('no root element');
  return documentElement as XmlElement;
}

/** Local part of a qualified name: `atom:link` → `link`. */
export function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon === -1 ? name : name.slice(colon + 1);
}

export function childElements(element: XmlElement, name?: string): XmlElement[] {
  return element.children.filter((c): c is XmlElement => typeof c !== 'string' && (name === undefined || c.name === name));
}

/** Concatenated text of an element and its descendants. */
export function textContent(element: XmlElement): string {
  let out = '';
  for (const child of element.children) out += typeof child === 'string' ? child : textContent(child);
  return out;
}

/** Re-serialises an element's children: Atom `type="xhtml"` content is markup, not text. */
export function innerXml(element: XmlElement): string {
  let out = '';
  for (const child of element.children) {
    if (typeof child === 'string') {
      out += child.replace(/&/g, '&amp;').replace(/</g, '&lt;');
      continue;
    }
    const attrs = Object.entries(child.attrs)
      .map(([k, v]) => ` ${k}="${v.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"`)
      .join('');
    out += `<${child.name}${attrs}>${innerXml(child)}</${child.name}>`;
  }
  return out;
}

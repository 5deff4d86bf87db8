import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Agent } from 'undici';
import { addressPermitted, type AddressAllowList } from './addresses.ts';

// The one door every collector and feed request goes out through. It enforces what a URL typed by
// an organisation's admin must never do:
// - reach an internal address: every address a host name resolves to is checked *when the socket
//   connects* (the undici Agent's lookup), so a DNS answer that changes between a check and the
//   connection (rebinding) gains nothing, and so is every redirect hop;
// - carry a credential to a host other than the platform's: any credential value found in the URL,
//   a header or the body of a request to another origin stops the request before it is sent, and
//   redirects to another origin drop Authorization and Cookie (the fetch standard's rule, applied
//   here because we follow redirects ourselves);
// - tell the admin what is inside: refusals and connection failures read the same to org users
//   whatever the reason; the detail goes to the operator's log only.

export const MAX_REDIRECTS = 5;

/** Raised (as the request's cause) when the guard refuses a request. The message is safe for org users. */
export class OutboundRefusedError extends Error {
  readonly code = 'EHINOKO_OUTBOUND_REFUSED';
  /** For the operator's log: which rule refused what. Never shown to org users. */
  readonly detail: string;
  constructor(message: string, detail: string) {
    super(message);
    this.name = 'OutboundRefusedError';
    this.detail = detail;
  }
}

const internalRefusal = (detail: string) =>
  new OutboundRefusedError('接続先が許可されていません (destination not allowed: internal or reserved address)', detail);

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A connection pool whose every new connection checks the addresses it is about to use. */
export function guardedAgent(allow: AddressAllowList, resolve: typeof dnsLookup = dnsLookup): Agent {
  return new Agent({
    connect: {
      lookup: ((hostname, options, callback: LookupCallback) => {
        resolve(hostname, { ...options, all: true }, (err, addresses) => {
          if (err) return callback(err, []);
          const list = addresses;
          const refused = list.find((a) => !addressPermitted(a.address, allow));
          if (refused || list.length === 0)
            return callback(internalRefusal(`${hostname} resolves to ${refused?.address ?? 'nothing'}`), []);
          // undici asks for all addresses (autoSelectFamily) or one; answer in the form asked.
          if ((options as { all?: boolean }).all) return callback(null, list);
          return callback(null, list[0]!.address, list[0]!.family);
        });
      }) satisfies LookupFunction,
    },
  });
}

export interface GuardOptions {
  allow: AddressAllowList;
  agent: Agent;
  /** Origins this source's credentials may go to (scheme://host:port). */
  credentialOrigins: readonly string[];
  /** The credential values handed to the source so far (read at each request). */
  credentials: () => readonly string[];
}

function headersOf(init: RequestInit | undefined): Headers {
  return new Headers(init?.headers ?? {});
}

/** Whether any credential appears in what this request would send. */
function carriesCredential(url: URL, headers: Headers, body: unknown, credentials: readonly string[]): boolean {
  const texts = [url.href, decodeURIComponentSafe(url.href), ...[...headers.values()]];
  if (typeof body === 'string') texts.push(body, decodeURIComponentSafe(body));
  else if (body instanceof URLSearchParams) texts.push(body.toString(), decodeURIComponentSafe(body.toString()));
  // Credentials shorter than 4 characters would match by accident; none of the platforms' are.
  return credentials.some((c) => c.length >= 4 && texts.some((t) => t.includes(c)));
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

function checkUrl(url: URL, allow: AddressAllowList): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new OutboundRefusedError('http(s) の URL のみ取得できます (http and https only)', url.protocol);
  if (url.username || url.password)
    throw new OutboundRefusedError('URL に資格情報を含めることはできません (no credentials in URLs)', 'userinfo');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  // An address literal never reaches the lookup hook, so it is checked here.
  if (isIP(host) !== 0 && !addressPermitted(host, allow)) throw internalRefusal(`literal ${host}`);
}

const redirectStatuses = new Set([301, 302, 303, 307, 308]);

/**
 * Wraps a fetch (globalThis.fetch in production, an instrumented one in tests) with the guard.
 * Redirects are followed here, each hop checked like the first.
 */
export function guardFetch(base: typeof fetch, options: GuardOptions): typeof fetch {
  return async (input, init) => {
    if (input instanceof Request) throw new OutboundRefusedError('internal: pass a URL, not a Request', 'Request object');
    let url = new URL(String(input));
    let method = (init?.method ?? 'GET').toUpperCase();
    let headers = headersOf(init);
    let body = init?.body;
    for (let hop = 0; ; hop++) {
      checkUrl(url, options.allow);
      if (!options.credentialOrigins.includes(url.origin) && carriesCredential(url, headers, body, options.credentials())) {
        throw new OutboundRefusedError(
          '資格情報をこのプラットフォーム以外に送ることはできません (credentials may only be sent to the platform they belong to)',
          `credential bound for ${options.credentialOrigins.join(', ') || 'nowhere'} in a request to ${url.origin}`,
        );
      }
      const response = await base(url.href, { ...init, method, headers, body, redirect: 'manual', dispatcher: options.agent });
      const location = response.headers.get('location');
      if (!redirectStatuses.has(response.status) || location === null) return response;
      await response.body?.cancel().catch(() => {});
      if (hop + 1 > MAX_REDIRECTS)
        throw new OutboundRefusedError(`リダイレクトが多すぎます (more than ${MAX_REDIRECTS} redirects)`, url.href);
      const next = new URL(location, url);
      if (next.origin !== url.origin) {
        headers = new Headers(headers);
        headers.delete('authorization');
        headers.delete('cookie');
      }
      // 303, and 301/302 after a POST, continue as GET without a body (the fetch standard).
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
        headers.delete('content-type');
      }
      url = next;
    }
  };
}

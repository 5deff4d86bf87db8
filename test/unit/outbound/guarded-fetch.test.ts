import { type lookup as dnsLookup } from 'node:dns';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AddressAllowList } from '../../../src/outbound/addresses.ts';
import { guardedAgent, guardFetch, OutboundRefusedError } from '../../../src/outbound/guarded-fetch.ts';

// Real HTTP listeners on loopback addresses. Linux answers the whole of 127/8, so 127.0.0.1 plays
// "the platform" the operator allowed and 127.0.0.2 "the inside" that must never be reached.

interface Listener {
  url: string;
  requests: { path: string; authorization?: string }[];
  close(): Promise<void>;
}

async function listen(host: string, handler: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<Listener> {
  const requests: Listener['requests'] = [];
  const server = http.createServer((req, res) => {
    requests.push({ path: req.url ?? '', authorization: req.headers.authorization });
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://${host}:${port}`, requests, close: () => new Promise((r) => server.close(() => r())) };
}

let platform: Listener;
let inside: Listener;
beforeAll(async () => {
  inside = await listen('127.0.0.2', (_req, res) => res.end('secret inside'));
  platform = await listen('127.0.0.1', (req, res) => {
    if (req.url?.startsWith('/to-inside')) return void res.writeHead(302, { location: `${inside.url}/meta-data` }).end();
    if (req.url?.startsWith('/hop')) {
      const n = Number(req.url.split('/')[2] ?? 0);
      return void res.writeHead(302, { location: `/hop/${n + 1}` }).end();
    }
    if (req.url?.startsWith('/to-other-origin'))
      return void res.writeHead(307, { location: `${platform.url.replace('127.0.0.1', 'localhost')}/landed` }).end();
    res.end('ok');
  });
});
afterAll(async () => {
  await platform.close();
  await inside.close();
});

function guarded(options: { allow?: string[]; credentialOrigins?: string[]; credentials?: string[]; resolve?: typeof dnsLookup } = {}) {
  const allow = new AddressAllowList(options.allow ?? ['127.0.0.1']);
  const agent = guardedAgent(allow, options.resolve);
  return guardFetch(globalThis.fetch, {
    allow,
    agent,
    credentialOrigins: options.credentialOrigins ?? [],
    credentials: () => options.credentials ?? [],
  });
}

async function refusal(p: Promise<unknown>): Promise<OutboundRefusedError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  const refused = err instanceof OutboundRefusedError ? err : (err as { cause?: unknown })?.cause;
  expect(refused, String(err)).toBeInstanceOf(OutboundRefusedError);
  return refused as OutboundRefusedError;
}

describe('the outbound guard', () => {
  it('refuses internal address literals, the metadata service and IPv6 loopback before connecting', async () => {
    const f = guarded({ allow: [] });
    for (const url of [
      `${platform.url}/`,
      'http://169.254.169.254/latest/meta-data/',
      'http://[::1]:5432/',
      'http://[::ffff:127.0.0.1]:5432/',
      'http://0.0.0.0:5432/',
    ]) {
      const err = await refusal(f(url));
      // The same words whatever the reason: nothing to scan the inside with.
      expect(err.message).toBe('接続先が許可されていません (destination not allowed: internal or reserved address)');
    }
    expect(platform.requests).toHaveLength(0);
  });

  it('checks what a host name resolves to when the socket connects, so a name cannot smuggle an inside address', async () => {
    const port = new URL(inside.url).port;
    const resolveToInside = ((_host: string, options: object, cb: (e: null, a: { address: string; family: number }[]) => void) =>
      cb(null, [{ address: '127.0.0.2', family: 4 }])) as unknown as typeof dnsLookup;
    await refusal(guarded({ resolve: resolveToInside })(`http://clinic-feed.example.jp:${port}/feed.xml`));
    // localhost is a name too: 127.0.0.1 is allowed here, ::1 and 127.0.0.2 are not.
    const before = inside.requests.length;
    await refusal(guarded({ allow: [] })(`http://localhost:${port}/`));
    expect(inside.requests.length).toBe(before);
  });

  it('follows redirects itself and checks every hop', async () => {
    const f = guarded();
    await refusal(f(`${platform.url}/to-inside`));
    expect(inside.requests).toHaveLength(0);
    const hops = await refusal(f(`${platform.url}/hop/0`));
    expect(hops.message).toContain('redirects');
    const ok = await f(`${platform.url}/plain`);
    expect(await ok.text()).toBe('ok');
  });

  it("sends a credential only to the platform's origins, and drops Authorization on a redirect elsewhere", async () => {
    const token = 'tok-XYZ-0123456789';
    const f = guarded({ allow: ['127.0.0.1'], credentialOrigins: [platform.url], credentials: [token] });
    const fine = await f(`${platform.url}/plain`, { headers: { authorization: `Bearer ${token}` } });
    expect(fine.status).toBe(200);
    expect(platform.requests.at(-1)!.authorization).toBe(`Bearer ${token}`);
    // In a header, in the query (even percent-encoded) or in the body, to another origin: refused.
    const other = platform.url.replace('127.0.0.1', 'localhost');
    const count = platform.requests.length;
    for (const init of [
      { url: `${other}/x`, init: { headers: { authorization: `Bearer ${token}` } } },
      { url: `${other}/x?key=${encodeURIComponent(token)}`, init: {} },
      { url: `${other}/x`, init: { method: 'POST', body: `password=${token}` } },
    ]) {
      const err = await refusal(f(init.url, init.init));
      expect(err.message).toContain('credentials may only be sent to the platform');
    }
    expect(platform.requests.length).toBe(count);
    // The platform redirecting to another origin: the request goes on without the credential.
    const landed = await guarded({ allow: ['127.0.0.1'], credentialOrigins: [platform.url], credentials: [] })(
      `${platform.url}/to-other-origin`,
      { headers: { authorization: `Bearer ${token}` } },
    );
    expect(landed.status).toBe(200);
    expect(platform.requests.at(-1)).toEqual({ path: '/landed', authorization: undefined });
  });

  it('refuses schemes other than http(s) and credentials in URLs', async () => {
    const f = guarded();
    await refusal(f('file:///etc/passwd'));
    await refusal(f(`http://user:pass@127.0.0.1:${new URL(platform.url).port}/`));
  });
});

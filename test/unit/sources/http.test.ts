import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  blockedUntilFromHeaders,
  nextLinkUrl,
  parseLinkHeader,
  parseResetInstant,
  parseRetryAfter,
} from '../../../src/sources/http-response.ts';
import { createHttpClient, redactUrl } from '../../../src/sources/http.ts';
import { SourceHttpError, SourceRateLimitedError, SourceResponseError } from '../../../src/sources/http-errors.ts';
import { SourceAuthError } from '../../../src/sources/types.ts';
import { createTestRuntime, type TestRuntime } from '../../fakes/source-runtime.ts';

// A scripted server: each incoming request takes the next step off the queue.
type Step = (req: IncomingMessage, res: ServerResponse) => void;
let server: Server;
let base: string;
let steps: Step[] = [];
let seen: { url: string; headers: IncomingMessage['headers'] }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    const step = steps.shift();
    if (!step) {
      res.writeHead(500).end('no step scripted');
      return;
    }
    step(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  steps = [];
  seen = [];
});

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Step =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  };
const reset: Step = (req) => req.socket.destroy();
const hang: Step = () => {};

function client(runtime: TestRuntime, extra: Partial<Parameters<typeof createHttpClient>[0]> = {}) {
  return createHttpClient({ runtime, label: 'test', timeoutMs: 1000, backoffBaseMs: 1000, backoffCapMs: 8000, ...extra });
}
const nowSec = (rt: TestRuntime) => Math.floor(rt.now().getTime() / 1000);

describe('requestJson', () => {
  it('returns the parsed body and sends the client headers', async () => {
    const rt = createTestRuntime();
    steps = [json(200, { ok: true })];
    const res = await client(rt, { headers: { authorization: 'Bearer t' } }).requestJson<{ ok: boolean }>(`${base}/a`);
    expect(res.body).toEqual({ ok: true });
    expect(seen[0]?.headers.authorization).toBe('Bearer t');
    expect(rt.sleeps).toEqual([]);
  });

  it('retries 5xx, connection resets and timeouts with full-jitter exponential backoff', async () => {
    const rt = createTestRuntime({ random: () => 0.5 });
    steps = [json(503, { title: 'Service Unavailable' }), reset, hang, json(200, { ok: 1 })];
    const http = client(rt);
    const res = await http.requestJson(`${base}/b`);
    expect(res.body).toEqual({ ok: 1 });
    // 0.5 × min(8000, 1000·2^n) for n = 0, 1, 2
    expect(rt.sleeps).toEqual([500, 1000, 2000]);
    expect(http.stats).toMatchObject({ requests: 4, retries: 3 });
  });

  it('caps the backoff step', async () => {
    const rt = createTestRuntime({ random: () => 0.999 });
    steps = Array.from({ length: 5 }, () => json(500, {}));
    await expect(client(rt, { maxAttempts: 5, backoffCapMs: 3000 }).requestJson(`${base}/c`)).rejects.toBeInstanceOf(SourceHttpError);
    expect(rt.sleeps).toEqual([999, 1998, 2997, 2997]);
  });

  it('gives up after the retry budget with a clear error', async () => {
    const rt = createTestRuntime();
    steps = Array.from({ length: 3 }, () => json(502, { title: 'Bad Gateway' }));
    const err = await client(rt, { maxAttempts: 3 })
      .requestJson(`${base}/d`)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceHttpError);
    expect((err as SourceHttpError).status).toBe(502);
    expect((err as Error).message).toMatch(/3 回試行/);
    expect((err as Error).message).toMatch(/Bad Gateway/);
    expect(seen).toHaveLength(3);
  });

  it('after a 429 waits exactly until x-rate-limit-reset, then retries', async () => {
    const rt = createTestRuntime();
    const resetAt = nowSec(rt) + 120;
    steps = [
      json(429, { title: 'Too Many Requests', status: 429 }, { 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(resetAt) }),
      json(200, { ok: 1 }),
    ];
    const before = rt.now().getTime();
    await client(rt).requestJson(`${base}/e`);
    expect(rt.sleeps).toEqual([resetAt * 1000 - before]);
  });

  it('waits before the next request when the window is exhausted, before any 429', async () => {
    const rt = createTestRuntime();
    const resetAt = nowSec(rt) + 60;
    steps = [
      json(200, { page: 1 }, { 'x-rate-limit-limit': '450', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(resetAt) }),
      json(200, { page: 2 }, { 'x-rate-limit-remaining': '449', 'x-rate-limit-reset': String(resetAt + 900) }),
      json(200, { page: 3 }),
    ];
    const http = client(rt);
    const start = rt.now().getTime();
    await http.requestJson(`${base}/f1`);
    expect(rt.sleeps).toEqual([]);
    await http.requestJson(`${base}/f2`);
    expect(rt.sleeps).toEqual([resetAt * 1000 - start]);
    await http.requestJson(`${base}/f3`);
    expect(rt.sleeps).toHaveLength(1);
    expect(http.stats.waits[0]?.reason).toBe('rate-limit');
  });

  it('honours Retry-After in seconds and Mastodon ISO resets', async () => {
    const rt = createTestRuntime();
    steps = [json(429, { error: 'Too many requests' }, { 'retry-after': '7' }), json(200, {})];
    await client(rt).requestJson(`${base}/g`);
    expect(rt.sleeps).toEqual([7000]);

    const rt2 = createTestRuntime();
    const resetIso = new Date(rt2.now().getTime() + 30_000).toISOString();
    steps = [json(429, { error: 'Too many requests' }, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': resetIso }), json(200, {})];
    await client(rt2).requestJson(`${base}/h`);
    expect(rt2.sleeps).toEqual([30_000]);
  });

  it('ends as rate limited, not broken, when every attempt is throttled', async () => {
    const rt = createTestRuntime({ random: () => 0.5 });
    steps = Array.from({ length: 3 }, () => json(429, { error: 'Too many requests' }));
    const err = await client(rt, { maxAttempts: 3 })
      .requestJson(`${base}/q`)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceRateLimitedError);
    expect(rt.sleeps).toEqual([500, 1000]);
    expect(seen).toHaveLength(3);
  });

  it('ends the run with SourceRateLimitedError when the reset is too far away', async () => {
    const rt = createTestRuntime();
    const resetAt = nowSec(rt) + 3600;
    steps = [json(429, {}, { 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(resetAt) })];
    const err = await client(rt)
      .requestJson(`${base}/i`)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceRateLimitedError);
    expect((err as SourceRateLimitedError).retryAt?.getTime()).toBe(resetAt * 1000);
    expect(rt.sleeps).toEqual([]);
  });

  it('pauses on Meta usage headers before the platform refuses', async () => {
    const rt = createTestRuntime();
    steps = [
      json(
        200,
        { data: [] },
        {
          'x-business-use-case-usage': JSON.stringify({
            '1234': [{ type: 'pages', call_count: 100, total_cputime: 20, total_time: 20, estimated_time_to_regain_access: 3 }],
          }),
        },
      ),
      json(200, { data: [] }, { 'x-app-usage': JSON.stringify({ call_count: 95, total_cputime: 10, total_time: 10 }) }),
      json(200, { data: [] }),
    ];
    const http = client(rt);
    await http.requestJson(`${base}/m1`);
    await http.requestJson(`${base}/m2`);
    await http.requestJson(`${base}/m3`);
    expect(rt.sleeps).toEqual([3 * 60_000, 5 * 60_000]);
  });

  it('401 and 403 become SourceAuthError after one request', async () => {
    for (const status of [401, 403]) {
      const rt = createTestRuntime();
      seen = [];
      steps = [json(status, { title: 'Unauthorized' }), json(200, {})];
      await expect(client(rt).requestJson(`${base}/j`)).rejects.toBeInstanceOf(SourceAuthError);
      expect(seen).toHaveLength(1);
      steps = [];
    }
  });

  it('lets a source classify platform errors (Meta 400 + code 190 is an auth error)', async () => {
    const rt = createTestRuntime();
    steps = [json(400, { error: { message: 'Error validating access token', type: 'OAuthException', code: 190 } })];
    const http = client(rt, {
      classifyError: ({ json: body }) => {
        const code = (body as { error?: { code?: number } } | undefined)?.error?.code;
        return code === 190 ? { kind: 'auth' } : undefined;
      },
    });
    const err = await http.requestJson(`${base}/k?access_token=SECRET123`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceAuthError);
    expect((err as Error).message).toMatch(/Error validating access token/);
  });

  it('never puts access tokens into errors or logs', async () => {
    const rt = createTestRuntime();
    steps = [json(500, {}), json(400, { error: { message: 'bad' } })];
    const err = await client(rt)
      .requestJson(`${base}/l?access_token=SECRET123&fields=id`)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceHttpError);
    expect((err as Error).message).not.toContain('SECRET123');
    expect(JSON.stringify(rt.logs)).not.toContain('SECRET123');
    expect(JSON.stringify(rt.logs)).toContain('REDACTED');
  });

  it('refuses oversized bodies, declared or streamed', async () => {
    const rt = createTestRuntime();
    steps = [
      json(200, { blob: 'x'.repeat(2000) }),
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"blob":"');
        res.write('y'.repeat(3000));
        res.end('"}');
      },
    ];
    const http = client(rt, { maxBodyBytes: 1000 });
    await expect(http.requestJson(`${base}/n1`)).rejects.toBeInstanceOf(SourceResponseError);
    const err = await http.requestJson(`${base}/n2`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceResponseError);
    expect((err as Error).message).toMatch(/大きすぎ/);
  });

  it('malformed JSON is a clear error, not a crash', async () => {
    const rt = createTestRuntime();
    steps = [(_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"data": [')];
    const err = await client(rt)
      .requestJson(`${base}/o`)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceResponseError);
    expect((err as Error).message).toMatch(/JSON/);
  });

  it('does conditional GET with ETag and Last-Modified', async () => {
    const rt = createTestRuntime();
    steps = [
      (_req, res) => res.writeHead(200, { etag: '"v1"', 'last-modified': 'Tue, 24 Nov 2026 10:00:00 GMT' }).end('<rss/>'),
      (req, res) => res.writeHead(req.headers['if-none-match'] === '"v1"' ? 304 : 200).end(),
    ];
    const http = client(rt);
    const first = await http.requestText(`${base}/feed`);
    expect(first).toMatchObject({
      status: 200,
      text: '<rss/>',
      etag: '"v1"',
      lastModified: 'Tue, 24 Nov 2026 10:00:00 GMT',
      notModified: false,
    });
    const second = await http.requestText(`${base}/feed`, { ifNoneMatch: first.etag, ifModifiedSince: first.lastModified });
    expect(second).toMatchObject({ status: 304, notModified: true, etag: '"v1"', lastModified: 'Tue, 24 Nov 2026 10:00:00 GMT' });
    expect(seen[1]?.headers['if-modified-since']).toBe('Tue, 24 Nov 2026 10:00:00 GMT');
  });

  it('stops at once when the run is aborted', async () => {
    const rt = createTestRuntime();
    steps = [hang];
    const http = client(rt, { timeoutMs: 10_000 });
    const pending = http.requestJson(`${base}/p`).catch((e: unknown) => e);
    // Aborted once the server holds the request (not after a fixed delay a busy machine outruns).
    while (seen.length === 0) await new Promise((r) => setImmediate(r));
    rt.abort(new Error('shutdown'));
    const err = await pending;
    expect((err as Error).message).toBe('shutdown');
    expect(seen).toHaveLength(1);
  });
});

describe('header parsing', () => {
  const now = Date.parse('2026-11-25T09:00:00Z');
  it('reads Retry-After as seconds or HTTP-date', () => {
    expect(parseRetryAfter('120', now)).toBe(now + 120_000);
    expect(parseRetryAfter('Wed, 25 Nov 2026 09:01:00 GMT', now)).toBe(now + 60_000);
    expect(parseRetryAfter('soon', now)).toBeNull();
  });
  it('reads resets as epoch seconds, ISO instants or delays', () => {
    expect(parseResetInstant(String(now / 1000 + 5), now)).toBe(now + 5000);
    expect(parseResetInstant('2026-11-25T09:00:10.000Z', now)).toBe(now + 10_000);
    expect(parseResetInstant('30', now)).toBe(now + 30_000);
    expect(parseResetInstant('garbage', now)).toBeNull();
  });
  it('ignores a window with requests left and unparsable Meta headers', () => {
    const h = new Headers({ 'x-rate-limit-remaining': '3', 'x-rate-limit-reset': String(now / 1000 + 60), 'x-app-usage': '{not json' });
    expect(blockedUntilFromHeaders(h, now, 200)).toBeNull();
    const b = new Headers({ 'ratelimit-remaining': '0', 'ratelimit-reset': String(now / 1000 + 60) });
    expect(blockedUntilFromHeaders(b, now, 200)).toBe(now + 60_000);
  });
  it('parses Link headers and resolves rel="next"', () => {
    const link =
      '<https://m.example/api/v1/timelines/tag/x?max_id=9>; rel="next", <https://m.example/api/v1/timelines/tag/x?min_id=12>; rel="prev"';
    expect(parseLinkHeader(link)).toEqual({
      next: 'https://m.example/api/v1/timelines/tag/x?max_id=9',
      prev: 'https://m.example/api/v1/timelines/tag/x?min_id=12',
    });
    expect(nextLinkUrl(new Headers({ link: '</page/2>; rel=next' }), 'https://a.example/page/1')).toBe('https://a.example/page/2');
    expect(nextLinkUrl(new Headers(), 'https://a.example/')).toBeNull();
    expect(parseLinkHeader('<<<;;;rel')).toEqual({});
  });
  it('redacts credentials from URLs', () => {
    expect(redactUrl('https://graph.facebook.com/v25.0/1/feed?access_token=abc&appsecret_proof=def&limit=5')).toBe(
      'https://graph.facebook.com/v25.0/1/feed?access_token=REDACTED&appsecret_proof=REDACTED&limit=5',
    );
  });
});

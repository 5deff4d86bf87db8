// The HTTP core shared by collectors-B's fakes (Google reviews, YouTube, Bluesky, Mastodon,
// RSS): a real node:http server on 127.0.0.1 with a request log and fault injection, both
// scripted (`failNext`) and random with a seed (`faults.rate`) so a randomized test is
// reproducible. A fault is decided BEFORE the handler runs, so an injected failure never
// changes the fake's state — exactly like a real API that failed before doing anything.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { seededRandom } from './source-runtime.ts';

export type FaultKind = 'rate-limit' | 'server-error' | 'unavailable' | 'hang' | 'reset' | 'malformed' | 'oversized';
export const allFaultKinds: FaultKind[] = ['rate-limit', 'server-error', 'unavailable', 'hang', 'reset', 'malformed', 'oversized'];

export interface FakeRequest {
  method: string;
  url: URL;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface FakeResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface FaultSettings {
  /** Probability that a request gets a fault instead of an answer. */
  rate: number;
  kinds: FaultKind[];
  seed: number;
}

export interface FaultyServerOptions {
  handle(request: FakeRequest): FakeResponse | Promise<FakeResponse>;
  /** The 429 this API sends (its own headers and body), given the reset time. */
  rateLimited(resetAt: Date): FakeResponse;
  /** The 5xx body this API sends. */
  serverError(status: 500 | 503): FakeResponse;
  /** Which requests faults may hit (e.g. not the login endpoint); all by default. */
  faultable?(request: FakeRequest): boolean;
  now?: () => number;
  /** Size of an injected oversized body. */
  oversizedBytes?: number;
  /** How far in the future an injected 429 says the limit resets. */
  rateLimitResetMs?: number;
}

export interface LoggedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  /** The fault injected instead of an answer, if any. */
  fault: FaultKind | null;
}

export class FaultyServer {
  readonly requests: LoggedRequest[] = [];
  private server: http.Server;
  private scripted: FaultKind[] = [];
  private faults: FaultSettings = { rate: 0, kinds: allFaultKinds, seed: 1 };
  private random = seededRandom(1);
  private port = 0;

  constructor(private readonly options: FaultyServerOptions) {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void this.respond(req, res, Buffer.concat(chunks));
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The next `count` faultable requests get this fault, before any random ones. */
  failNext(kind: FaultKind, count = 1): void {
    for (let i = 0; i < count; i += 1) this.scripted.push(kind);
  }

  setFaults(settings: Partial<FaultSettings>): void {
    this.faults = { ...this.faults, ...settings };
    if (settings.seed !== undefined) this.random = seededRandom(settings.seed);
  }

  /** Requests that reached the handler (no fault), optionally for one path. */
  answered(path?: string): LoggedRequest[] {
    return this.requests.filter((r) => r.fault === null && (path === undefined || r.path === path));
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  private pickFault(request: FakeRequest): FaultKind | null {
    if (this.options.faultable !== undefined && !this.options.faultable(request)) return null;
    const scripted = this.scripted.shift();
    if (scripted !== undefined) return scripted;
    if (this.faults.rate <= 0 || this.faults.kinds.length === 0) return null;
    if (this.random() >= this.faults.rate) return null;
    return this.faults.kinds[Math.floor(this.random() * this.faults.kinds.length)] ?? null;
  }

  private async respond(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const request: FakeRequest = { method: req.method ?? 'GET', url, headers: req.headers, body };
    const fault = this.pickFault(request);
    this.requests.push({
      method: request.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      fault,
    });
    let answer: FakeResponse;
    switch (fault) {
      case 'hang':
        return; // never answers; the client's timeout must fire
      case 'reset':
        req.socket.destroy();
        return;
      case 'rate-limit':
        answer = this.options.rateLimited(new Date(this.now() + (this.options.rateLimitResetMs ?? 15_000)));
        break;
      case 'server-error':
        answer = this.options.serverError(500);
        break;
      case 'unavailable':
        answer = this.options.serverError(503);
        break;
      case 'malformed':
        answer = { status: 200, headers: { 'content-type': 'application/json' }, body: '{"truncated": [ {"id": "1", ' };
        break;
      case 'oversized':
        answer = {
          status: 200,
          headers: { 'content-type': 'application/json' },
          body: Buffer.alloc(this.options.oversizedBytes ?? 11 * 1024 * 1024, 0x20),
        };
        break;
      default:
        try {
          answer = await this.options.handle(request);
        } catch (error) {
          answer = { status: 500, headers: { 'content-type': 'text/plain' }, body: `fake crashed: ${String(error)}` };
        }
    }
    res.writeHead(answer.status, answer.headers ?? {});
    res.end(answer.body ?? '');
  }
}

/** Escapes text for HTML or XML the way the platforms' own serialisers do (&, <, >, "). */
export function escapeMarkup(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): FakeResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(body) };
}

/** Opaque page tokens, the way real APIs hand them out: clients must not parse them. */
export function encodeToken(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
export function decodeToken<T>(token: string): T | null {
  try {
    return JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as T;
  } catch {
    return null;
  }
}

/**
 * Drives repeated collection runs the way the platform does — each page's mentions,
 * tombstones and cursor applied together, a failed run keeping what it committed — and
 * returns what a store keyed on externalId would hold. For randomized fault tests.
 */
export async function runCollections(options: {
  runs: number;
  collect(
    cursor: unknown,
  ): AsyncIterable<{ mentions: { externalId: string; text: string }[]; tombstones?: { externalId: string }[]; cursor: unknown }>;
  /** Called before each run (add new posts, edit, delete …), with what is stored so far. */
  between?(run: number, stored: ReadonlyMap<string, string>): void;
}): Promise<{ stored: Map<string, string>; tombstoned: Set<string>; cursor: unknown; failedRuns: number; deliveries: number }> {
  const stored = new Map<string, string>();
  const tombstoned = new Set<string>();
  let cursor: unknown = null;
  let failedRuns = 0;
  let deliveries = 0;
  for (let run = 0; run < options.runs; run += 1) {
    options.between?.(run, stored);
    try {
      for await (const page of options.collect(cursor)) {
        for (const m of page.mentions) {
          stored.set(m.externalId, m.text);
          deliveries += 1;
        }
        for (const t of page.tombstones ?? []) tombstoned.add(t.externalId);
        cursor = page.cursor;
      }
    } catch {
      failedRuns += 1;
    }
  }
  return { stored, tombstoned, cursor, failedRuns, deliveries };
}

/**
 * The lifecycle every fake built on FaultyServer exposes the same way. `http` stays public so a
 * test scripts faults and reads the request log through it.
 */
export abstract class FaultyServerFake {
  abstract readonly http: FaultyServer;

  async start(): Promise<this> {
    await this.http.start();
    return this;
  }
  close(): Promise<void> {
    return this.http.close();
  }
  get baseUrl(): string {
    return this.http.baseUrl;
  }
}

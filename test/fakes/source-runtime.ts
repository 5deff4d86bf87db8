import { Writable } from 'node:stream';
import { pino } from 'pino';
import { SourceAuthError, type CollectPage, type SessionStore, type SourceRuntime, type SourceSecrets } from '../../src/sources/types.ts';
import { memorySessionStore } from '../support/runtime.ts';

// An in-memory SourceRuntime for collector tests: a virtual clock that sleep() advances instantly
// (every requested wait is recorded so tests can assert it), a seeded random source, secrets from
// a plain map, and a logger whose lines are kept for assertions. fetch is the real one: collectors
// are tested against real HTTP fakes on 127.0.0.1.

export interface TestRuntime extends SourceRuntime {
  /** Every sleep requested, in order, in ms. */
  readonly sleeps: number[];
  /** Parsed log lines (pino JSON). */
  readonly logs: Record<string, unknown>[];
  /** The virtual clock, shared with fakes so their reset headers agree with the collector. */
  clock: VirtualClock;
  abort(reason?: unknown): void;
}

export interface VirtualClock {
  now(): Date;
  advance(ms: number): void;
}

export function createVirtualClock(start = new Date('2026-11-25T09:00:00.000Z')): VirtualClock {
  let t = start.getTime();
  return {
    now: () => new Date(t),
    advance: (ms) => {
      t += Math.max(0, ms);
    },
  };
}

import { mulberry32 as seededRandom } from '../../src/random.ts';

export { seededRandom };

export function createTestRuntime(
  options: {
    secrets?: Record<string, string>;
    clock?: VirtualClock;
    random?: () => number;
    fetch?: typeof fetch;
    /** Shared by runtimes standing for separate processes on one database. */
    session?: SessionStore;
  } = {},
): TestRuntime {
  const clock = options.clock ?? createVirtualClock();
  const sleeps: number[] = [];
  const logs: Record<string, unknown>[] = [];
  const controller = new AbortController();
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  const log = pino({ level: 'debug', base: undefined }, sink);
  return {
    fetch: options.fetch ?? globalThis.fetch,
    secret(name) {
      const value = options.secrets?.[name];
      if (value === undefined) throw new SourceAuthError(`secret ${name} is not set`);
      return value;
    },
    hasSecret: (name) => options.secrets?.[name] !== undefined,
    now: () => clock.now(),
    async sleep(ms) {
      sleeps.push(ms);
      clock.advance(ms);
      await Promise.resolve();
    },
    random: options.random ?? seededRandom(1),
    signal: controller.signal,
    log,
    session: options.session ?? memorySessionStore(),
    sleeps,
    logs,
    clock,
    abort: (reason) => controller.abort(reason),
  };
}

/**
 * Drains one collector run the way runSource does: page by page, keeping the pages that came
 * before a failure, so a test can assert on what was delivered and on the error together.
 */
export async function drainCollector(
  start: () => AsyncIterable<CollectPage>,
  options: { stopAfterPages?: number; onPage?: (page: CollectPage) => void } = {},
): Promise<{ pages: CollectPage[]; error: unknown }> {
  const pages: CollectPage[] = [];
  let error: unknown = null;
  try {
    for await (const page of start()) {
      pages.push(page);
      options.onPage?.(page);
      if (pages.length >= (options.stopAfterPages ?? Infinity)) break;
    }
  } catch (e) {
    error = e;
  }
  return { pages, error };
}

/** Source secrets from a plain map, for webhook handlers tested without a runtime. */
export function secretsFrom(map: Record<string, string>): SourceSecrets {
  return {
    secret(name) {
      const value = map[name];
      if (value === undefined) throw new SourceAuthError(`secret ${name} is not set`);
      return value;
    },
    hasSecret: (name) => map[name] !== undefined,
  };
}

import { logger } from '../../src/logger.ts';
import type { SourceRuntime } from '../../src/sources/types.ts';

/** A runtime for pure collector tests: no network, instant sleeps, a fixed clock. */
export function inMemoryRuntime(now: () => Date): SourceRuntime {
  return {
    fetch: () => Promise.reject(new Error('no network in this test')),
    secret: (name) => {
      throw new Error(`no secret ${name} in this test`);
    },
    hasSecret: () => false,
    now,
    sleep: async () => {},
    random: () => 0.5,
    signal: new AbortController().signal,
    log: logger,
    session: memorySessionStore(),
  };
}

/** A session store in memory (a test's "database"). */
export function memorySessionStore(): SourceRuntime['session'] & { value: string | null } {
  const store = {
    value: null as string | null,
    load: async () => store.value,
    save: async (v: string | null) => {
      store.value = v;
    },
  };
  return store;
}

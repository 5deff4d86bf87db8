import { afterAll, beforeAll, expect, it } from 'vitest';
import postgres from 'postgres';
import { inject } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// patches/postgres+3.4.9.patch (applied by `npm ci` through patch-package): postgres.js writing to
// a connection whose backend has died must fail the query, not throw from a setImmediate and take
// the process down (porsager/postgres#1208), and must not poison the connection for later use.

let db: TestDatabase;
let admin: postgres.Sql;
beforeAll(async () => {
  db = await createTestDatabase();
  admin = postgres(inject('hinokoAdminUrl'), { max: 1, onnotice: () => {} });
});
afterAll(async () => {
  await admin.end({ timeout: 5 });
  await db.drop();
});

it('queries on a reserved connection whose backend died settle (no crash, no hang), and the pool goes on working', async () => {
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown) => uncaught.push(err);
  process.on('uncaughtException', onUncaught);
  const outcomes: string[] = [];
  try {
    // A fresh pool per round: each round is the upstream report's sequence from the start.
    for (let round = 0; round < 5; round++) {
      const sql = postgres(db.url, { max: 2, onnotice: () => {} });
      try {
        const conn = await sql.reserve();
        const [row] = await conn<{ pid: number }[]>`select pg_backend_pid() as pid`;
        await admin`select pg_terminate_backend(${row!.pid})`;
        // The client may or may not have seen the close yet: each query is answered or rejected.
        const settle = () =>
          conn`select 1 as one`.then(
            () => 'answered',
            (err: Error & { code?: string }) => `rejected ${err.code ?? err.message}`,
          );
        outcomes.push(await settle(), await settle());
        conn.release();
        // The pool reconnects for the next query.
        expect(await sql`select 2 as two`).toEqual([{ two: 2 }]);
      } finally {
        await sql.end({ timeout: 5 });
      }
    }
    expect(uncaught).toEqual([]);
    expect(outcomes.filter((o) => o.startsWith('rejected')).length).toBeGreaterThan(0);
  } finally {
    process.off('uncaughtException', onUncaught);
  }
});

it('a COPY TO read slowly to its end leaves the connection working (the socket is resumed at CopyDone)', async () => {
  // Unpatched, when the last chunks fill the stream's buffer the socket stays paused after the
  // stream ends, and the next query on the connection never answers (the test then times out).
  const sql = postgres(db.url, { max: 1, onnotice: () => {} });
  try {
    for (let round = 0; round < 5; round++) {
      await sql.begin(async (tx) => {
        const source = await tx`copy (select g, repeat('x', 200) from generate_series(1, 20000) g) to stdout`.readable();
        let bytes = 0;
        for await (const chunk of source as AsyncIterable<Buffer>) {
          bytes += chunk.length;
          // A slow consumer: the buffer fills and postgres.js pauses the socket.
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
        expect(bytes).toBeGreaterThan(20000 * 200);
        expect(await tx`select ${round}::int as r`).toEqual([{ r: round }]);
      });
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
});

it('a transaction whose BEGIN fills the pipeline still owns its connection (no UNSAFE_TRANSACTION, nothing runs inside it)', async () => {
  // porsager/postgres#1189/#823: the BEGIN that fills a connection's pipeline (always, with
  // max_pipeline 0; at the boundary otherwise) was sent without reserving the connection. Seen in
  // bench:tenants as collection runs failing with UNSAFE_TRANSACTION.
  for (const max_pipeline of [0, 1, 2]) {
    // max_pipeline is a connection option postgres.js reads but does not declare in its types.
    const sql = postgres(db.url, { max: 2, max_pipeline, onnotice: () => {} } as postgres.Options<Record<string, never>>);
    try {
      const work = Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0
          ? sql.begin(async (tx) => {
              const [first] = await tx<{ xact: string }[]>`select txid_current()::text as xact`;
              await tx`select pg_sleep(0.01)`;
              const [again] = await tx<{ xact: string }[]>`select txid_current()::text as xact`;
              return again!.xact === first!.xact ? 'same transaction' : 'moved';
            })
          : // Inside another's transaction, the txid that transaction took would show.
            sql<{ in_tx: boolean }[]>`select txid_current_if_assigned() is not null as in_tx`.then(([r]) =>
              r!.in_tx ? 'inside a transaction' : 'alone',
            ),
      );
      const outcomes = await Promise.allSettled(work);
      const seen = outcomes.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message));
      expect(new Set(seen), `max_pipeline ${max_pipeline}`).toEqual(new Set(['same transaction', 'alone']));
    } finally {
      await sql.end({ timeout: 5 });
    }
  }
});

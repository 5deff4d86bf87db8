import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runSource } from '../../src/collection/run-source.ts';
import { createTestDatabase, one, type TestDatabase } from '../support/db.ts';
import { crashItems, slowListSource } from '../support/crash-source.ts';
import { makeOrg, makeSource, testContext, withTestSource } from '../factories/index.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

it('a collector killed with SIGKILL mid-run loses nothing and stores nothing twice', async () => {
  const ctx = withTestSource(testContext(db), slowListSource(crashItems(), 0));
  const { org } = await makeOrg(ctx);
  const src = await makeSource(ctx, org.id, 'rss');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('../support/crash-child.ts', import.meta.url)), db.url, src.id],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // Kill it once some, but not all, pages are committed.
  for (let i = 0; i < 600; i++) {
    const { n } = one(await ctx.sql<{ n: number }[]>`select count(*)::int as n from mentions where org_id = ${org.id}`);
    if (n >= 60) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill('SIGKILL');
  await exited;
  expect(out).not.toContain('finished');
  const { before } = one(await ctx.sql<{ before: number }[]>`select count(*)::int as before from mentions where org_id = ${org.id}`);
  expect(before).toBeGreaterThanOrEqual(60);
  expect(before).toBeLessThan(300);
  const { cursor } = one(await ctx.sql<{ cursor: { offset: number } }[]>`select cursor from source_cursors where source_id = ${src.id}`);
  // The cursor covers exactly the committed rows: it moved in their transaction.
  expect(cursor.offset).toBe(before);

  const outcome = await runSource(ctx, { sourceId: src.id, trigger: 'manual' });
  expect(outcome).toMatchObject({ status: 'succeeded', inserted: 300 - before });
  const { n, distinct } = one(
    await ctx.sql<{ n: number; distinct: number }[]>`
    select count(*)::int as n, count(distinct external_id)::int as distinct from mentions where org_id = ${org.id}`,
  );
  expect({ n, distinct }).toEqual({ n: 300, distinct: 300 });
  const { total } = one(
    await ctx.sql<
      { total: number }[]
    >`select sum(total)::int as total from mention_counts where org_id = ${org.id} and watch_target_id is null`,
  );
  expect(total).toBe(300);
  // The killed run's lease names a process of this host that is gone, so the next run took it at
  // once (not after its minute) and recorded the dead run as interrupted.
  const runs = await ctx.sql`select status, error from collector_runs where source_id = ${src.id} order by id`;
  expect(runs.map((r) => r.status)).toEqual(['failed', 'succeeded']);
  expect(runs[0]!.error).toContain('interrupted');
});

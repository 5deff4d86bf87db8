import { afterAll, beforeAll, expect, it } from 'vitest';
import { sourceSessionStore } from '../../src/collection/source-session.ts';
import { makeOrg, makeSource, testContext } from '../factories/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// Issue 18 item 7: a source's login session kept between processes (sql/030) — sealed, bound to
// its source, forgotten on request, and a session that does not authenticate is simply not there.

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

it('keeps a session sealed, for its own source only', async () => {
  const ctx = testContext(db);
  const { org } = await makeOrg(ctx);
  const [a, b] = [await makeSource(ctx, org.id), await makeSource(ctx, org.id)];
  const store = (id: string) => sourceSessionStore(ctx.sql, ctx.keys, { orgId: org.id, id }, ctx.now);
  const session = JSON.stringify({
    account: 'https://bsky.social\nclinic',
    accessJwt: 'eyJ.access-secret.x',
    refreshJwt: 'eyJ.refresh-secret.y',
  });
  expect(await store(a.id).load()).toBeNull();
  await store(a.id).save(session);
  expect(await store(a.id).load()).toBe(session);
  expect(await store(b.id).load()).toBeNull();

  // Sealed: the tokens are not in the database as text.
  const [row] = await ctx.sql<{ sealed: Buffer }[]>`select sealed from source_sessions where org_id = ${org.id} and source_id = ${a.id}`;
  expect(row!.sealed.toString('latin1')).not.toContain('access-secret');
  // Moved to another source, it does not open there: that source logs in again.
  await ctx.sql`
    insert into source_sessions (org_id, source_id, sealed, key_id, updated_at)
    select org_id, ${b.id}, sealed, key_id, updated_at from source_sessions where org_id = ${org.id} and source_id = ${a.id}`;
  expect(await store(b.id).load()).toBeNull();

  await store(a.id).save(null);
  expect(await store(a.id).load()).toBeNull();
});

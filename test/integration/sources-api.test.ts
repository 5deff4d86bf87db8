import { afterAll, beforeAll, expect, it } from 'vitest';
import { addSource, getSource } from '../../src/collection/sources.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { makeOrg, testContext } from '../factories/index.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

it('stores source config as a JSON object, not a JSON string', async () => {
  const ctx = testContext(db);
  const { org } = await makeOrg(ctx);
  const s = await addSource(ctx, { orgId: org.id, type: 'demo', name: 'demo', config: { seed: 5, flareAt: null } });
  const [row] = await ctx.sql`select jsonb_typeof(config) as t from sources where id = ${s.id}`;
  expect(row!.t).toBe('object');
  expect((await getSource(ctx, s.id)).config).toEqual({ seed: 5, flareAt: null });
});

import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { checkpointFile, readCheckpoints, writeCheckpoints } from '../../src/audit/checkpoint-store.ts';
import { recordAudit, systemActor, verifyAudit } from '../../src/audit/record.ts';
import { loadConfig } from '../../src/config.ts';
import { ephemeralServerKeys } from '../../src/secrets/server-keys.ts';
import { makeOrg, testContext } from '../factories/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// Issue 11 item 5: `audit verify` reported "intact" after the last row, the last three rows or
// every row of an organisation were deleted. The tampering here is what the database owner can do:
// switch the append-only triggers off, change rows, switch them back on.

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'hinoko-audit-'));
const keys = ephemeralServerKeys();
const context = () => testContext(db, { config: loadConfig({ HINOKO_DATA_DIR: dataDir }), keys });

async function orgWithHistory(rows = 5) {
  const ctx = context();
  const { org } = await makeOrg(ctx);
  for (let i = 0; i < rows; i++) {
    await ctx.sql.begin((tx) =>
      recordAudit(tx, systemActor, { orgId: org.id, action: 'test.event', targetType: 'test', targetId: String(i) }),
    );
  }
  await writeCheckpoints(ctx);
  return { ctx, orgId: org.id };
}

async function asOwner(ctx: ReturnType<typeof context>, change: (sql: typeof ctx.sql) => Promise<unknown>) {
  await ctx.sql`alter table audit_log disable trigger user`;
  try {
    await change(ctx.sql);
  } finally {
    await ctx.sql`alter table audit_log enable trigger user`;
  }
}

const verify = (ctx: ReturnType<typeof context>, orgId: string) =>
  verifyAudit(ctx.sql, orgId, { checkpoints: readCheckpoints(checkpointFile(dataDir), keys.auditCheckpoints) });

it('an untouched log verifies and reaches its checkpoints; checkpoints are HMAC-signed lines outside the table', async () => {
  const { ctx, orgId } = await orgWithHistory();
  const result = await verify(ctx, orgId);
  expect(result.breaks).toEqual([]);
  expect(result.checkpointsChecked).toBe(1);
  const lines = readFileSync(checkpointFile(dataDir), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  expect(lines.find((l) => l.chain === orgId)).toMatchObject({ seq: 7, mac: expect.stringMatching(/^[0-9a-f]{64}$/) });
  // A second pass with nothing new writes nothing.
  expect(await writeCheckpoints(ctx)).toEqual([]);
});

it('finds the last row deleted', async () => {
  const { ctx, orgId } = await orgWithHistory();
  await asOwner(ctx, (sql) => sql`delete from audit_log where chain = ${orgId} and seq = 7`);
  expect((await verify(ctx, orgId)).breaks).toEqual([
    expect.objectContaining({ chain: orgId, seq: 7, reason: expect.stringContaining('cut from the end') }),
  ]);
});

it('finds the last three rows deleted', async () => {
  const { ctx, orgId } = await orgWithHistory();
  await asOwner(ctx, (sql) => sql`delete from audit_log where chain = ${orgId} and seq >= 5`);
  expect((await verify(ctx, orgId)).breaks).toEqual([
    expect.objectContaining({ chain: orgId, reason: expect.stringContaining('now ends at 4') }),
  ]);
});

it('finds every row of an organisation deleted, even without a checkpoint', async () => {
  const { ctx, orgId } = await orgWithHistory();
  await asOwner(ctx, (sql) => sql`delete from audit_log where chain = ${orgId}`);
  expect((await verifyAudit(ctx.sql, orgId)).breaks).toEqual([
    expect.objectContaining({ reason: expect.stringContaining('every row was deleted') }),
  ]);
  // And its first rows: the chain must start at the creation record.
  const other = await orgWithHistory();
  await asOwner(other.ctx, async (sql) => {
    await sql`delete from audit_log where chain = ${other.orgId}`;
  });
  await other.ctx.sql.begin((tx) => recordAudit(tx, systemActor, { orgId: other.orgId, action: 'test.event' }));
  expect((await verifyAudit(other.ctx.sql, other.orgId)).breaks).toEqual([
    expect.objectContaining({ reason: expect.stringContaining('creation record') }),
  ]);
});

it('finds a chain rebuilt consistently after a cut (every hash valid, the checkpoint is not)', async () => {
  const { ctx, orgId } = await orgWithHistory();
  await asOwner(ctx, (sql) => sql`delete from audit_log where chain = ${orgId} and seq >= 6`);
  for (let i = 0; i < 2; i++)
    await ctx.sql.begin((tx) => recordAudit(tx, systemActor, { orgId, action: 'test.innocent', targetId: `x${i}` }));
  const result = await verify(ctx, orgId);
  expect(result.breaks).toEqual([expect.objectContaining({ seq: 7, reason: expect.stringContaining('rebuilt') })]);
});

it('a forged checkpoint line is reported, and one signed under another secret does not count', async () => {
  const { ctx, orgId } = await orgWithHistory();
  appendFileSync(
    checkpointFile(dataDir),
    `${JSON.stringify({ chain: orgId, seq: 99, hash: '00', at: new Date().toISOString(), mac: 'ab'.repeat(32) })}\n`,
  );
  const result = await verify(ctx, orgId);
  expect(result.breaks).toEqual([expect.objectContaining({ chain: 'checkpoints', reason: expect.stringContaining('does not verify') })]);
  // Read with another key, none of the file's lines verifies: all are reported, none is trusted.
  const foreign = readCheckpoints(checkpointFile(dataDir), ephemeralServerKeys().auditCheckpoints);
  expect(foreign.valid).toEqual([]);
});

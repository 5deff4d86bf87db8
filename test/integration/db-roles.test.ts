import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import postgres from 'postgres';
import { recordAudit, systemActor } from '../../src/audit/record.ts';
import { connect, type DbHandle } from '../../src/db/connect.ts';
import { canRewriteAuditLog, ensureLoginRole, grantAppRole } from '../../src/db/roles.ts';
import { makeOrg, testContext } from '../factories/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// Issue 11 item 5: the service's database role owned audit_log, so it could switch the
// append-only triggers off and rewrite a chain. The app role may append and read, nothing more.
// Roles are cluster-wide: this file makes one of its own and removes it afterwards.

let db: TestDatabase;
let app: DbHandle;
const role = `hinoko_app_t_${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  db = await createTestDatabase();
  await ensureLoginRole(db.sql, role, randomBytes(12).toString('hex'));
  await ensureLoginRole(db.sql, role, randomBytes(12).toString('hex')); // twice, as two instances starting at once would
  await grantAppRole(db.sql, role);
  const u = new URL(db.url);
  u.username = role;
  u.password = '';
  app = connect(u.toString(), { max: 2 });
});
afterAll(async () => {
  await app.close();
  await db.drop();
  // The database went with its grants; the role itself outlives databases.
  const u = new URL(db.url);
  u.pathname = '/postgres';
  const admin = postgres(u.toString(), { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop role if exists "${role}"`).catch(() => {});
  await admin.end({ timeout: 5 });
});

it('the app role appends and reads the audit log but cannot change, delete, truncate or unprotect it', async () => {
  const ctx = testContext(db, { sql: app.sql, db: app.db });
  const { org } = await makeOrg(ctx);
  await app.sql.begin((tx) => recordAudit(tx, systemActor, { orgId: org.id, action: 'test.event' }));
  expect((await app.sql`select count(*)::int as n from audit_log where chain = ${org.id}`)[0]!.n).toBe(3);
  for (const attempt of [
    () => app.sql`update audit_log set action = 'forged' where chain = ${org.id}`,
    () => app.sql`delete from audit_log where chain = ${org.id}`,
    () => app.sql`truncate audit_log`,
    () => app.sql`alter table audit_log disable trigger user`,
    () => app.sql`drop trigger audit_log_no_update_or_delete on audit_log`,
    () => app.sql`insert into schema_migrations (version, name, checksum) values (999, 'x', 'x')`,
  ]) {
    await expect(attempt()).rejects.toThrow(/permission denied|must be owner/);
  }
  expect(await canRewriteAuditLog(app.sql)).toBe(false);
  expect(await canRewriteAuditLog(db.sql)).toBe(true);
});

it('the app role does everything else the service does: writes, locks, sequences', async () => {
  const ctx = testContext(db, { sql: app.sql, db: app.db });
  const { org } = await makeOrg(ctx);
  await app.sql`update organizations set name = 'ロール検査' where id = ${org.id}`;
  await app.sql`delete from watch_targets where org_id = ${org.id}`;
  const [lock] = await app.sql<{ ok: boolean }[]>`select pg_try_advisory_lock(42) as ok`;
  expect(lock!.ok).toBe(true);
  await app.sql`select pg_advisory_unlock(42)`;
});

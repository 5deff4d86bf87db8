import { afterAll, beforeAll, expect, it } from 'vitest';
import { holderIsDeadHere, tryLease } from '../../src/db/leases.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

const me = `${(await import('node:os')).hostname()}:${process.pid}:abcdef`;

it('one holder at a time, also within one process; released leases are free again', async () => {
  const a = await tryLease(db.sql, 'l1', me, { ttlMs: 60_000 });
  expect(a).not.toBeNull();
  expect(await tryLease(db.sql, 'l1', me, { ttlMs: 60_000 })).toBeNull();
  expect(await tryLease(db.sql, 'l1', 'otherhost:1:aa', { ttlMs: 60_000 })).toBeNull();
  await a!.release();
  expect(a!.lost.aborted).toBe(true);
  const b = await tryLease(db.sql, 'l1', 'otherhost:1:aa', { ttlMs: 60_000 });
  expect(b).not.toBeNull();
  await b!.release();
});

it('an expired lease is taken over, and its old holder learns it lost it at its next renewal', async () => {
  const a = await tryLease(db.sql, 'l2', me, { ttlMs: 300 });
  expect(a).not.toBeNull();
  // Expire it in the database (as if its holder had stalled) and let another take it.
  await db.sql`update leases set expires_at = now() - interval '1 second' where name = 'l2'`;
  const b = await tryLease(db.sql, 'l2', 'otherhost:1:aa', { ttlMs: 60_000 });
  expect(b).not.toBeNull();
  await new Promise<void>((resolve) => a!.lost.addEventListener('abort', () => resolve(), { once: true }));
  expect(String(a!.lost.reason)).toMatch(/taken over/);
  await a!.release();
  // Releasing the lost lease does not free the new holder's.
  expect(await tryLease(db.sql, 'l2', me, { ttlMs: 60_000 })).toBeNull();
  await b!.release();
});

it('a holder that died on this host is replaced at once; one elsewhere only after expiry', async () => {
  await db.sql`insert into leases (name, holder, expires_at) values ('l3', ${`${(await import('node:os')).hostname()}:999999999:aa/01`}, now() + interval '1 hour')`;
  const taken = await tryLease(db.sql, 'l3', me, { ttlMs: 60_000 });
  expect(taken).not.toBeNull();
  await taken!.release();
  await db.sql`insert into leases (name, holder, expires_at) values ('l4', 'elsewhere:999999999:aa/01', now() + interval '1 hour')`;
  expect(await tryLease(db.sql, 'l4', me, { ttlMs: 60_000 })).toBeNull();
});

it('recognises dead holders by host and pid only', () => {
  const dead = () => false;
  expect(holderIsDeadHere('h:123:ab/01', 'h', dead)).toBe(true);
  expect(holderIsDeadHere('h:123:ab/01', 'h', () => true)).toBe(false);
  expect(holderIsDeadHere('other:123:ab/01', 'h', dead)).toBe(false);
  expect(holderIsDeadHere(`h:${process.pid}:ab/01`, 'h', dead)).toBe(false);
  expect(holderIsDeadHere('garbage', 'h', dead)).toBe(false);
});

it('a lease that cannot be renewed (database away) counts as lost once its time is up', async () => {
  const { connect } = await import('../../src/db/connect.ts');
  const doomed = connect(db.url, { max: 1 });
  const lease = await tryLease(doomed.sql, 'l5', me, { ttlMs: 300 });
  expect(lease).not.toBeNull();
  await doomed.close();
  await new Promise<void>((resolve) => lease!.lost.addEventListener('abort', () => resolve(), { once: true }));
  expect(String(lease!.lost.reason)).toMatch(/in time/);
});

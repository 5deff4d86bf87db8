import { afterAll, beforeAll, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.ts';
import { checkServerKeyFingerprint } from '../../src/secrets/check-fingerprint.ts';
import { ephemeralServerKeys } from '../../src/secrets/server-keys.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

it('binds the database to the first server secret used with it; another secret is refused before it writes anything', async () => {
  const keys = ephemeralServerKeys();
  await checkServerKeyFingerprint(db.sql, keys);
  await checkServerKeyFingerprint(db.sql, keys);
  const other = ephemeralServerKeys();
  const err = await checkServerKeyFingerprint(db.sql, other).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigError);
  expect((err as Error).message).toContain('HINOKO_SECRET');
  expect((err as Error).message).not.toContain(other.credentials.toString('hex'));
});

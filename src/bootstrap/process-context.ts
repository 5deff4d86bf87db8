import type { Config } from '../config.ts';
import { createContext, type AppContext } from '../context.ts';
import type { OpenDatabase } from '../db/open.ts';
import { checkServerKeyFingerprint } from '../secrets/check-fingerprint.ts';
import { loadServerKeys } from '../secrets/server-keys.ts';

/**
 * The context a process (the service, or one CLI command) builds on its open database: the
 * server keys, checked against the ones the database was sealed with, the read pool
 * (DATABASE_READ_URL's replica, or the primary), the process's shutdown signal, and the
 * pipeline stages when it stores posts.
 */
export async function processContext(
  config: Readonly<Config>,
  database: OpenDatabase,
  parts: Pick<AppContext, 'shutdown'> & Partial<Pick<AppContext, 'analyzer' | 'detection'>>,
): Promise<AppContext> {
  const keys = loadServerKeys(config);
  await checkServerKeyFingerprint(database.sql, keys);
  return createContext({
    config,
    sql: database.sql,
    readSql: database.readSql,
    readGenericSql: database.readGenericSql,
    db: database.db,
    keys,
    ...parts,
  });
}

import type { Sql } from '../db/connect.ts';
import type { Row } from '../db/schema.ts';
import { ConfigError } from '../errors.ts';
import type { ServerKeys } from './server-keys.ts';

/**
 * Binds a database to one server secret. The first start records the secret's fingerprint; a
 * later start (another instance, a restored backup, a lost data directory) with a different
 * secret is refused at once, instead of failing to decrypt credentials and flagging every audit
 * checkpoint as forged hours later.
 */
export async function checkServerKeyFingerprint(sql: Sql, keys: ServerKeys): Promise<void> {
  await sql`
    insert into app_secrets (name, value) values ('server_secret_fingerprint', ${Buffer.from(keys.fingerprint, 'utf8')})
    on conflict (name) do nothing`;
  const [row] = await sql<Pick<Row<'app_secrets'>, 'value'>[]>`select value from app_secrets where name = 'server_secret_fingerprint'`;
  const stored = Buffer.from(row!.value).toString('utf8');
  if (stored !== keys.fingerprint) {
    throw new ConfigError(
      `このデータベースは別のサーバー秘密鍵で使われています (${keys.origin} does not match the secret this database was first used with: ` +
        `fingerprint ${keys.fingerprint}, expected ${stored}). Set HINOKO_SECRET to the original value, or restore ${"the data directory's server-secret file"}.`,
    );
  }
}

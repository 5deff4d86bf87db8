import type { Sql } from '../db/connect.ts';
import type { Row } from '../db/schema.ts';
import { CredentialUnreadableError, openCredential, sealCredential } from '../secrets/credential-box.ts';
import type { ServerKeys } from '../secrets/server-keys.ts';
import type { SessionStore } from '../sources/types.ts';

// A source's session between runs (sql/030): sealed with the credentials key, its associated data
// naming the organisation, the source and a slot no declared credential can have ('session!'), so
// a sealed session neither moves to another source nor passes for one of its credentials.

const slot = 'session!';
/** A session is a few tokens; anything larger is not one. */
const maxSessionChars = 16_384;

export function sourceSessionStore(sql: Sql, keys: ServerKeys, source: { orgId: string; id: string }, now: () => Date): SessionStore {
  const at = { orgId: source.orgId, sourceId: source.id, name: slot };
  return {
    async load() {
      const [row] = await sql<Pick<Row<'source_sessions'>, 'sealed' | 'key_id'>[]>`
        select sealed, key_id from source_sessions where org_id = ${source.orgId} and source_id = ${source.id}`;
      if (!row) return null;
      try {
        return openCredential(keys.credentials, at, { sealed: row.sealed, keyId: row.key_id });
      } catch (error) {
        // A session sealed under another server secret, or altered: log in again.
        if (error instanceof CredentialUnreadableError) return null;
        throw error;
      }
    },
    async save(value) {
      if (value === null || value.length > maxSessionChars) {
        await sql`delete from source_sessions where org_id = ${source.orgId} and source_id = ${source.id}`;
        return;
      }
      const box = sealCredential(keys.credentials, at, value);
      await sql`
        insert into source_sessions (org_id, source_id, sealed, key_id, updated_at)
        values (${source.orgId}, ${source.id}, ${box.sealed}, ${box.keyId}, ${now()})
        on conflict (org_id, source_id) do update set sealed = excluded.sealed, key_id = excluded.key_id, updated_at = excluded.updated_at`;
    },
  };
}

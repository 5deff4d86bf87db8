import type { Sql } from './connect.ts';

// Two database roles (issue 11 item 5): the OWNER runs migrations and owns every table; the
// service connects as the APP role, which may read and write the tables but only append to the
// audit log. An owner can switch a table's triggers off and rewrite it; the app role cannot, so a
// flaw in the service (or a stolen app password) cannot rewrite history, only add to it.
// Grants are applied after every migration run, so tables a later migration adds are covered.

export const embeddedAppRole = 'hinoko_app';

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
const quoteLiteral = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** Creates a login role if it does not exist (two instances starting at once both succeed). */
export async function ensureLoginRole(owner: Sql, role: string, password: string): Promise<void> {
  await owner.unsafe(`
    do $$ begin
      create role ${quoteIdent(role)} login password ${quoteLiteral(password)};
    exception when duplicate_object then
      alter role ${quoteIdent(role)} login password ${quoteLiteral(password)};
    end $$`);
}

/** What the app role may do: everything the service does, except change or remove audit rows. */
export async function grantAppRole(owner: Sql, role: string): Promise<void> {
  const r = quoteIdent(role);
  await owner.unsafe(
    `grant connect on database ${quoteIdent((await owner<{ d: string }[]>`select current_database() as d`)[0]!.d)} to ${r}`,
  );
  await owner.unsafe(`grant usage on schema public to ${r}`);
  await owner.unsafe(`grant select, insert, update, delete on all tables in schema public to ${r}`);
  await owner.unsafe(`grant usage, select on all sequences in schema public to ${r}`);
  // Making and dropping monthly partitions (sql/034): owner functions, not granted to everyone.
  await owner.unsafe(`grant execute on function hinoko_month_partition(text, date), hinoko_drop_month_partition(text, date) to ${r}`);
  await owner.unsafe(`revoke update, delete, truncate on audit_log from ${r}`);
  await owner.unsafe(`revoke insert, update, delete, truncate on schema_migrations from ${r}`);
}

/** Whether the connected role could rewrite the audit log: it owns the table, or is a superuser. */
export async function canRewriteAuditLog(sql: Sql): Promise<boolean> {
  const [row] = await sql<{ owner: boolean; superuser: boolean }[]>`
    select pg_get_userbyid(c.relowner) = current_user as owner,
      (select rolsuper from pg_roles where rolname = current_user) as superuser
    from pg_class c where c.relname = 'audit_log' and c.relnamespace = 'public'::regnamespace`;
  return Boolean(row && (row.owner || row.superuser));
}

/** The dashboards' read-only role (sql/024_grafana_readonly.sql). */
export const readonlyRole = 'hinoko_readonly';

/**
 * Lets the read-only role log in with `password` (run as the owner after migrating). False when
 * the role is missing — the migrating role could not create it — so the caller can say so.
 */
export async function enableReadonlyLogin(owner: Sql, password: string): Promise<boolean> {
  const [exists] = await owner<{ n: number }[]>`select 1 as n from pg_roles where rolname = ${readonlyRole}`;
  if (!exists) return false;
  await owner.unsafe(`alter role ${quoteIdent(readonlyRole)} login password ${quoteLiteral(password)}`);
  return true;
}

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// Issue 18 item 4: the schema is ready to be distributed by org_id (Citus). Every tenant table —
// one with an org_id column — has its primary key, unique constraints and foreign keys holding
// org_id; no query joins a tenant table on anything but its organisation; and sql/citus/ names
// every table, distributed or reference. A new table or query that breaks this fails here.

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

/** Tables without org_id, each with where it lives on Citus (README「Citus で動かす」). */
const notTenant: Record<string, string> = {
  organizations: 'reference table: every node has every organisation',
  installation: 'reference table: one row',
  app_secrets: 'reference table: platform secrets',
  schema_migrations: 'coordinator only: the migration record',
  leases: 'coordinator only: which instance runs which job',
  login_throttle: 'coordinator only: failed logins by address',
};
/** Tenant tables distributed by another column, with why. */
const distributedOtherwise: Record<string, string> = {
  audit_log: 'chain: the platform chain (org_id null) sits beside each organisation’s',
};

async function catalog() {
  const tables = await db.sql<{ name: string; has_org: boolean }[]>`
    select c.relname as name, exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'org_id' and not a.attisdropped) as has_org
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition order by 1`;
  const constraints = await db.sql<
    { tbl: string; kind: 'p' | 'u' | 'f'; def: string; local: string[]; referenced: string[] | null; target: string | null }[]
  >`
    select k.conrelid::regclass::text as tbl, k.contype as kind, pg_get_constraintdef(k.oid) as def,
      array(select a.attname::text from pg_attribute a where a.attrelid = k.conrelid and a.attnum = any(k.conkey)) as local,
      case when k.contype = 'f' then array(select a.attname::text from pg_attribute a where a.attrelid = k.confrelid and a.attnum = any(k.confkey)) end as referenced,
      case when k.contype = 'f' then k.confrelid::regclass::text end as target
    from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and k.contype in ('p', 'u', 'f')`;
  // Unique indexes too, not only constraints (detector_snapshots' key is one: nulls not distinct).
  const uniqueIndexes = await db.sql<{ tbl: string; name: string; columns: string[] }[]>`
    select i.indrelid::regclass::text as tbl, i.indexrelid::regclass::text as name,
      array(select a.attname::text from pg_attribute a where a.attrelid = i.indrelid and a.attnum = any(i.indkey)) as columns
    from pg_index i join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and i.indisunique`;
  return { tables, constraints, uniqueIndexes };
}

it('every tenant table’s primary key, unique constraints and foreign keys hold org_id', async () => {
  const { tables, constraints, uniqueIndexes } = await catalog();
  const tenant = tables.filter((t) => t.has_org && !(t.name in distributedOtherwise)).map((t) => t.name);
  expect(tenant.length).toBeGreaterThan(30);
  expect(tables.filter((t) => !t.has_org).map((t) => t.name)).toEqual(Object.keys(notTenant).sort());
  const wrong: string[] = [];
  for (const k of constraints.filter((c) => tenant.includes(c.tbl))) {
    if (!k.local.includes('org_id')) wrong.push(`${k.tbl}: ${k.def}`);
    // A foreign key into another tenant table must match on org_id too (colocated join); into a
    // reference table (organizations) it is org_id itself.
    if (k.kind === 'f' && k.target !== 'organizations' && !(k.referenced ?? []).includes('org_id')) wrong.push(`${k.tbl}: ${k.def}`);
  }
  for (const i of uniqueIndexes.filter((u) => tenant.includes(u.tbl))) {
    if (!i.columns.includes('org_id')) wrong.push(`${i.tbl}: unique index ${i.name} (${i.columns.join(', ')})`);
  }
  for (const [name, why] of Object.entries(distributedOtherwise)) {
    const column = why.split(':')[0]!;
    for (const k of constraints.filter((c) => c.tbl === name && c.kind !== 'f'))
      if (!k.local.includes(column)) wrong.push(`${name}: ${k.def}`);
  }
  expect(wrong).toEqual([]);
  // Every tenant table has a key (a primary key or a unique index) that leads to one organisation's row.
  for (const t of tenant)
    expect(
      uniqueIndexes.some((u) => u.tbl === t && u.columns.includes('org_id')),
      t,
    ).toBe(true);
});

it('sql/citus/ distributes every tenant table by org_id and names every other table', async () => {
  const { tables } = await catalog();
  const text = readFileSync(path.resolve('sql/citus/distribute.sql'), 'utf8');
  const distributed = [...text.matchAll(/create_distributed_table\('([a-z_]+)',\s*'([a-z_]+)'/g)].map((m) => [m[1]!, m[2]!] as const);
  const reference = [...text.matchAll(/create_reference_table\('([a-z_]+)'\)/g)].map((m) => m[1]!);
  for (const t of tables) {
    if (!t.has_org) {
      expect(notTenant[t.name], t.name).toBeDefined();
      if (notTenant[t.name]!.startsWith('reference')) expect(reference, t.name).toContain(t.name);
      continue;
    }
    const column = distributedOtherwise[t.name]?.split(':')[0] ?? 'org_id';
    expect(distributed, t.name).toContainEqual([t.name, column]);
  }
  expect(distributed.length + reference.length).toBe(new Set([...distributed.map((d) => d[0]), ...reference]).size);
});

/** A join onto a named relation: [, lateral, relation, its condition up to the next clause]. */
const joinPattern = () =>
  /\bjoin\s+(lateral\s+)?([a-z_]+)(?:\s+(?:as\s+)?[a-z_]+)?\s+(?:on|using)\s+([\s\S]{0,400}?)(?=\bjoin\b|\bwhere\b|\bgroup by\b|\border by\b|\blimit\b|\bunion\b|`|;|\)\s*(?:select|,|as\b|$)|\n\s*\n)/gi;

/** Every SQL text in the code and the migrations. */
function sources(): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|tsx|sql)$/.test(e.name)) out.push({ file: p, text: readFileSync(p, 'utf8') });
    }
  };
  walk('src');
  walk('sql');
  return out.filter((f) => !f.file.startsWith(path.join('sql', 'citus')));
}

it('no query joins a tenant table across organisations: every join onto one matches org_id', async () => {
  const { tables } = await catalog();
  const tenant = new Set(tables.filter((t) => t.has_org).map((t) => t.name));
  const join = joinPattern();
  const lateral = /\bjoin\s+lateral\s+\(([\s\S]*?)\)\s+(?:as\s+)?[a-z_]+\s+on\b/gi;
  const wrong: string[] = [];
  let checked = 0;
  for (const { file, text } of sources()) {
    const line = (i: number) => `${file}:${text.slice(0, i).split('\n').length}`;
    for (const m of text.matchAll(join)) {
      if (!tenant.has(m[2]!.toLowerCase())) continue;
      checked++;
      if (!/org_id/.test(m[3]!)) wrong.push(`${line(m.index)}: ${m[0].replace(/\s+/g, ' ').slice(0, 120)}`);
    }
    for (const m of text.matchAll(lateral)) {
      checked++;
      if (!/org_id/.test(m[1]!)) wrong.push(`${line(m.index)}: lateral subquery without org_id`);
    }
  }
  expect(checked).toBeGreaterThan(30);
  expect(wrong).toEqual([]);
});

it('the check itself catches a join on ids alone', () => {
  const join = joinPattern();
  const bad = 'select 1 from incidents i join incident_alerts ia on ia.incident_id = i.id where i.org_id = $1';
  const good = 'select 1 from incidents i join incident_alerts ia on ia.org_id = i.org_id and ia.incident_id = i.id where i.org_id = $1';
  expect([...bad.matchAll(join)].map((m) => /org_id/.test(m[3]!))).toEqual([false]);
  expect([...good.matchAll(join)].map((m) => /org_id/.test(m[3]!))).toEqual([true]);
});

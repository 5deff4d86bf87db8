import { recordAudit, systemActor, type AuditActor } from '../audit/record.ts';
import type { Db, Sql } from '../db/connect.ts';
import type { Row } from '../db/schema.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import type { WatchTargetSpec } from '../sources/types.ts';

export interface Organization {
  id: string;
  name: string;
  slug: string;
  isDemo: boolean;
  createdAt: Date;
}

export interface WatchTarget {
  id: string;
  orgId: string;
  name: string;
  names: string[];
  keywords: string[];
  handles: Record<string, string>;
  exclusions: string[];
  /** Notices about it are not mailed until then (src/organizations/mute-watch-target.ts); null when not muted. */
  mute: { until: Date; reason: string; by: string | null } | null;
  createdAt: Date;
}

/** What a person sets on a watch target (the API, the settings page and `hinoko targets` alike). */
export type WatchTargetInput = Pick<WatchTarget, 'name' | 'names' | 'keywords' | 'handles' | 'exclusions'>;

type OrganizationRow = Pick<Row<'organizations'>, 'id' | 'name' | 'slug' | 'is_demo' | 'created_at'>;

function toOrganization(r: OrganizationRow): Organization {
  return { id: r.id, name: r.name, slug: r.slug, isDemo: r.is_demo, createdAt: r.created_at };
}

export async function createOrganization(
  ctx: { sql: Sql },
  input: { name: string; slug: string; isDemo?: boolean },
  actor: AuditActor = systemActor,
): Promise<Organization> {
  return ctx.sql.begin(async (tx) => {
    const [row] = await tx<OrganizationRow[]>`
      insert into organizations (name, slug, is_demo) values (${input.name}, ${input.slug}, ${input.isDemo ?? false})
      on conflict (slug) do nothing
      returning id, name, slug, is_demo, created_at`;
    if (!row) throw new ConflictError(`an organization with slug "${input.slug}" already exists`);
    const org = toOrganization(row);
    await recordAudit(tx, actor, {
      orgId: org.id,
      action: 'organization.create',
      targetType: 'organization',
      targetId: org.id,
      after: org,
    });
    return org;
  }) as Promise<Organization>;
}

export async function listOrganizations(db: Db): Promise<Organization[]> {
  const rows = await db.selectFrom('organizations').selectAll().orderBy('id').execute();
  return rows.map(toOrganization);
}

export async function getOrganization(db: Db, orgId: string): Promise<Organization> {
  const row = await db.selectFrom('organizations').selectAll().where('id', '=', orgId).executeTakeFirst();
  if (!row) throw new NotFoundError(`organization ${orgId} not found`);
  return toOrganization(row);
}

export async function createWatchTarget(
  ctx: { sql: Sql; db: Db },
  orgId: string,
  input: WatchTargetInput,
  actor: AuditActor = systemActor,
): Promise<WatchTarget> {
  await getOrganization(ctx.db, orgId);
  return ctx.sql.begin(async (tx) => {
    const [row] = await tx<Row<'watch_targets'>[]>`
      insert into watch_targets (org_id, name, names, keywords, handles, exclusions)
      values (${orgId}, ${input.name}, ${input.names}, ${input.keywords}, ${tx.json(input.handles)}, ${input.exclusions})
      returning *`;
    const target = toWatchTarget(row!);
    await recordAudit(tx, actor, { orgId, action: 'watch_target.create', targetType: 'watch_target', targetId: target.id, after: target });
    return target;
  }) as Promise<WatchTarget>;
}

export function toWatchTarget(r: Row<'watch_targets'>): WatchTarget {
  return {
    id: r.id,
    orgId: r.org_id,
    name: r.name,
    names: r.names,
    keywords: r.keywords,
    handles: r.handles,
    exclusions: r.exclusions,
    mute: r.muted_until && r.mute_reason ? { until: r.muted_until, reason: r.mute_reason, by: r.muted_by } : null,
    createdAt: r.created_at,
  };
}

/** The organisation's watch targets in use (removed ones are archived: src/organizations/remove-watch-target.ts). */
export async function listWatchTargets(db: Db, orgId: string): Promise<WatchTarget[]> {
  const rows = await db
    .selectFrom('watch_targets')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('archived_at', 'is', null)
    .orderBy('id')
    .execute();
  return rows.map(toWatchTarget);
}

/** The targets as a source sees them, on the pull path and for webhooks alike. */
export async function watchTargetSpecs(db: Db, orgId: string): Promise<WatchTargetSpec[]> {
  return (await listWatchTargets(db, orgId)).map((t) => ({
    id: t.id,
    names: t.names,
    keywords: t.keywords,
    handles: t.handles,
    exclusions: t.exclusions,
  }));
}

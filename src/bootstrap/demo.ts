import { addSource } from '../collection/sources.ts';
import { updateSource } from '../collection/update-source.ts';
import type { AppContext } from '../context.ts';
import { advisoryKey, lockNames } from '../db/locks.ts';
import { createOrganization, createWatchTarget } from '../organizations/organizations.ts';
import { demoClinic } from '../sources/demo/index.ts';

export type DemoSetup = { action: 'created' | 'rescheduled' | 'none'; orgId?: string; flareAt?: Date };

/**
 * First start (no organization yet, or HINOKO_DEMO=on): create the fictional clinic, its watch
 * target and the demo source. On every start with a demo org, the flare-up episode is moved to
 * "now + HINOKO_DEMO_FLARE_AFTER", so a newcomer always sees one a few minutes after starting.
 */
export async function ensureDemo(ctx: AppContext, startedAt: Date): Promise<DemoSetup> {
  const { mode, flareAfterMs, seed, postsPerHour, schedule } = ctx.config.demo;
  if (mode === 'off') return { action: 'none' };
  const flareAt = new Date(startedAt.getTime() + flareAfterMs);
  const conn = await ctx.sql.reserve();
  const key = advisoryKey(lockNames.bootstrap);
  try {
    await conn`select pg_advisory_lock(${key}::bigint)`;
    const [demoSource] = await conn<{ id: string; org_id: string; config: Record<string, unknown> }[]>`
      select s.id, s.org_id, s.config from sources s join organizations o on o.id = s.org_id
      where s.type = 'demo' and o.is_demo order by s.id limit 1`;
    if (demoSource) {
      await updateSource(ctx, demoSource.id, demoSource.org_id, { config: { ...demoSource.config, flareAt: flareAt.toISOString() } });
      return { action: 'rescheduled', orgId: demoSource.org_id, flareAt };
    }
    const [anyOrg] = await conn`select 1 from organizations limit 1`;
    if (anyOrg && mode === 'auto') return { action: 'none' };
    const org = await createOrganization(ctx, { name: demoClinic.orgName, slug: demoClinic.orgSlug, isDemo: true });
    const target = await createWatchTarget(ctx, org.id, {
      name: demoClinic.name, names: [...demoClinic.names], keywords: [...demoClinic.keywords],
      handles: { ...demoClinic.handles }, exclusions: [...demoClinic.exclusions],
    });
    await addSource(ctx, {
      orgId: org.id, type: 'demo', name: 'デモ投稿ストリーム (demo stream)', schedule,
      config: { seed, postsPerHour, flareAt: flareAt.toISOString(), backfillHours: 168, watchTargetId: target.id },
    });
    return { action: 'created', orgId: org.id, flareAt };
  } finally {
    await conn`select pg_advisory_unlock(${key}::bigint)`.catch(() => {});
    conn.release();
  }
}

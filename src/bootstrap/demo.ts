import { addSource } from '../collection/sources.ts';
import { updateSource } from '../collection/update-source.ts';
import type { Config } from '../config.ts';
import type { AppContext } from '../context.ts';
import { ConflictError } from '../errors.ts';
import { createOrganization, createWatchTarget } from '../organizations/organizations.ts';
import { demoClinic, FLARE_LENGTH_MS } from '../sources/demo/index.ts';
import type { Row } from '../db/schema.ts';

export type DemoSetup = {
  action: 'created' | 'rescheduled' | 'unchanged' | 'none';
  orgId?: string;
  /** The flare-up still ahead of this start, if any. */
  flareAt?: Date;
};

/**
 * Where the demo's flare-up goes when a start finds the demo already set up; null leaves it where it
 * is. The flare-up happens once per database: a restart must neither cut a running one short nor page
 * the on-call admin again. Only HINOKO_DEMO_FLARE_AFTER set in the environment asks for another one,
 * and even then not while one is running.
 */
export function rescheduledFlare(
  current: Date | null,
  startedAt: Date,
  demo: Pick<Config['demo'], 'flareAfterMs' | 'flareAfterExplicit'>,
): Date | null {
  if (!demo.flareAfterExplicit) return null;
  const running = current !== null && startedAt >= current && startedAt.getTime() < current.getTime() + FLARE_LENGTH_MS;
  if (running) return null;
  return new Date(startedAt.getTime() + demo.flareAfterMs);
}

/**
 * First start (no organization yet, or HINOKO_DEMO=on without a demo): create the fictional clinic,
 * its watch target and the demo source, with its flare-up HINOKO_DEMO_FLARE_AFTER after this start.
 * Later starts leave the demo alone unless rescheduledFlare() says otherwise.
 *
 * No lock: organizations.slug is unique, so of two instances starting together only one creates the
 * demo organisation and goes on to its target and source; the other gets the conflict and returns
 * that organisation (for the bootstrap admin) without touching it. (The verbs own their transactions,
 * so one transaction-scoped lock around them is not possible; a session lock needs a reserved
 * connection, which postgres.js mishandles when its backend dies.)
 */
export async function ensureDemo(ctx: AppContext, startedAt: Date): Promise<DemoSetup> {
  const { mode, flareAfterMs, seed, postsPerHour, schedule } = ctx.config.demo;
  if (mode === 'off') return { action: 'none' };
  const [demoSource] = await ctx.sql<Pick<Row<'sources'>, 'id' | 'org_id' | 'config'>[]>`
    select s.id, s.org_id, s.config from sources s join organizations o on o.id = s.org_id
    where s.type = 'demo' and o.is_demo order by s.id limit 1`;
  if (demoSource) {
    const current = typeof demoSource.config.flareAt === 'string' ? new Date(demoSource.config.flareAt) : null;
    const next = rescheduledFlare(current, startedAt, ctx.config.demo);
    if (next) {
      await updateSource(ctx, demoSource.id, demoSource.org_id, { config: { ...demoSource.config, flareAt: next.toISOString() } });
      return { action: 'rescheduled', orgId: demoSource.org_id, flareAt: next };
    }
    if (ctx.config.demo.flareAfterExplicit)
      ctx.log.info(
        { flareAt: current?.toISOString() },
        'デモの炎上エピソードが進行中のため予定を変えません (demo flare-up in progress: not moved)',
      );
    return { action: 'unchanged', orgId: demoSource.org_id, ...(current && current > startedAt ? { flareAt: current } : {}) };
  }
  if (mode === 'auto') {
    // An instance starting at the same moment may have created the demo organisation and not yet
    // its source: that organisation is the demo, so it is answered as the slug conflict below is.
    const [org] = await ctx.sql<Pick<Row<'organizations'>, 'id' | 'slug' | 'is_demo'>[]>`
      select id, slug, is_demo from organizations order by (slug = ${demoClinic.orgSlug} and is_demo) desc, id limit 1`;
    if (org) return org.is_demo && org.slug === demoClinic.orgSlug ? { action: 'none', orgId: org.id } : { action: 'none' };
  }
  const flareAt = new Date(startedAt.getTime() + flareAfterMs);
  let orgId: string;
  try {
    orgId = (await createOrganization(ctx, { name: demoClinic.orgName, slug: demoClinic.orgSlug, isDemo: true })).id;
  } catch (err) {
    if (!(err instanceof ConflictError)) throw err;
    const [other] = await ctx.sql<
      Pick<Row<'organizations'>, 'id'>[]
    >`select id from organizations where slug = ${demoClinic.orgSlug} and is_demo`;
    return other ? { action: 'none', orgId: other.id } : { action: 'none' };
  }
  const target = await createWatchTarget(ctx, orgId, {
    name: demoClinic.name,
    names: [...demoClinic.names],
    keywords: [...demoClinic.keywords],
    handles: { ...demoClinic.handles },
    exclusions: [...demoClinic.exclusions],
  });
  await addSource(ctx, {
    orgId,
    type: 'demo',
    name: 'デモ投稿ストリーム (demo stream)',
    schedule,
    config: { seed, postsPerHour, flareAt: flareAt.toISOString(), backfillHours: 168, watchTargetId: target.id },
  });
  return { action: 'created', orgId, flareAt };
}

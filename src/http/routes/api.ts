import { Hono, type Context } from 'hono';
import { listOutbox, outboxStatuses } from '../../notify/outbox-queries.ts';
import { getAlertingSettings, parseAlertingPatch, updateAlertingSettings } from '../../notify/recipients.ts';
import { getAlert, listAlerts } from '../../detection-pass/queries.ts';
import { getDetectionSettings, parseDetectionPatch, setDetectionSettings } from '../../detection-pass/sensitivity.ts';
import { recordAudit, type AuditActor } from '../../audit/record.ts';
import { runSource } from '../../collection/run-source.ts';
import { addSource, getSource, listSources, parseAddSourceInput, type SourceRecord } from '../../collection/sources.ts';
import { parseUpdateSourceInput, updateSource } from '../../collection/update-source.ts';
import type { AppContext } from '../../context.ts';
import { NotFoundError } from '../../errors.ts';
import { incidentRoutes } from '../../incidents/routes.ts';
import packageJson from '../../../package.json' with { type: 'json' };
import { buildOpenApiDocument } from '../../openapi/document.ts';
import { oncallRoutes } from '../../oncall/routes.ts';
import { postmortemRoutes } from '../../postmortems/routes.ts';
import { statementRoutes } from '../../statements/routes.ts';
import { authorize, may } from '../../auth/authorize.ts';
import { emergingTerms } from '../../mentions/emerging-terms.ts';
import { presentMention, revealedPiiIds } from '../../mentions/privacy.ts';
import { bucketSizes, countMentions, getMention, listMentions, type BucketSize } from '../../mentions/queries.ts';
import {
  createOrganization, createWatchTarget, getOrganization, listWatchTargets,
  parseOrganizationInput, parseWatchTargetInput,
} from '../../organizations/organizations.ts';
import { requestActor, requestAuth } from '../actor.ts';
import { pathId, queryOf, readJson } from '../params.ts';
import type { AppEnv } from '../env.ts';

function sourceJson(s: SourceRecord) {
  return s;
}

/** Private messages (LINE) are patients' words to the clinic: every view of their text is on record. */
async function logPrivateView(ctx: AppContext, actor: AuditActor, orgId: string, mentionIds: string[]): Promise<void> {
  await ctx.sql.begin((tx) => recordAudit(tx, actor, { orgId, action: 'mention.view_private', targetType: 'mention', targetId: mentionIds.join(',').slice(0, 2000), after: { mentionIds } }));
}

/** Detected PII is shown unmasked only on request (`revealPii=true`), only to whom the table allows it; every such view is on record. */
function revealPii(c: Context, requested: 'true' | 'false' | undefined): boolean {
  if (requested !== 'true') return false;
  authorize(requestAuth(c), 'mentions.read_pii', '個人情報を伏せずに表示する権限がありません (your role or token may not reveal personal data)');
  return true;
}

async function logPiiView(ctx: AppContext, actor: AuditActor, orgId: string, mentionIds: string[]): Promise<void> {
  await ctx.sql.begin((tx) => recordAudit(tx, actor, { orgId, action: 'mention.view_pii', targetType: 'mention', targetId: mentionIds.join(',').slice(0, 2000), after: { mentionIds } }));
}

/** The JSON API under /api/v1. Thin: parse, call one verb, map the result. */
export function apiRoutes(ctx: AppContext) {
  const api = new Hono<AppEnv>();
  const openapi = buildOpenApiDocument({ version: packageJson.version });

  api.get('/openapi.json', (c) => c.json(openapi));

  // A user sees their own organization only (src/auth/middleware.ts 404s the others' paths).
  api.get('/organizations', async (c) => c.json({ items: [await getOrganization(ctx.db, requestAuth(c).orgId)] }));
  api.post('/organizations', async (c) => c.json(await createOrganization(ctx, parseOrganizationInput(await readJson(c)), requestActor(c)), 201));
  api.get('/organizations/:orgId', async (c) => {
    const org = await getOrganization(ctx.db, pathId(c, 'orgId'));
    return c.json({ ...org, settings: { alerting: await getAlertingSettings(ctx.sql, org.id) } });
  });
  api.patch('/organizations/:orgId/alerting', async (c) => {
    const orgId = pathId(c, 'orgId');
    return c.json(await updateAlertingSettings(ctx.sql, orgId, parseAlertingPatch(await readJson(c)), requestActor(c)));
  });
  api.get('/organizations/:orgId/mail-outbox', async (c) => {
    const orgId = pathId(c, 'orgId');
    const q = queryOf(c, ['status', 'alertId', 'limit']);
    return c.json({ items: await listOutbox(ctx.sql, { orgId, status: q.oneOf('status', outboxStatuses), alertId: q.id('alertId'), limit: q.int('limit', 1, 200) }) });
  });

  api.get('/organizations/:orgId/watch-targets', async (c) => {
    const orgId = pathId(c, 'orgId');
    return c.json({ items: await listWatchTargets(ctx.db, orgId) });
  });
  api.post('/organizations/:orgId/watch-targets', async (c) =>
    c.json(await createWatchTarget(ctx, pathId(c, 'orgId'), parseWatchTargetInput(await readJson(c)), requestActor(c)), 201));

  api.get('/organizations/:orgId/sources', async (c) => {
    const orgId = pathId(c, 'orgId');
    return c.json({ items: (await listSources(ctx, { orgId })).map(sourceJson) });
  });
  api.post('/organizations/:orgId/sources', async (c) =>
    c.json(sourceJson(await addSource(ctx, parseAddSourceInput(await readJson(c), pathId(c, 'orgId')), requestActor(c))), 201));
  api.get('/organizations/:orgId/sources/:sourceId', async (c) =>
    c.json(sourceJson(await getSource(ctx, pathId(c, 'sourceId'), pathId(c, 'orgId')))));
  api.patch('/organizations/:orgId/sources/:sourceId', async (c) => {
    const orgId = pathId(c, 'orgId');
    const sourceId = pathId(c, 'sourceId');
    return c.json(sourceJson(await updateSource(ctx, sourceId, orgId, parseUpdateSourceInput(await readJson(c)), requestActor(c))));
  });
  api.post('/organizations/:orgId/sources/:sourceId/runs', async (c) => {
    const src = await getSource(ctx, pathId(c, 'sourceId'), pathId(c, 'orgId'));
    const outcome = await runSource(ctx, { sourceId: src.id, trigger: 'manual' });
    return c.json(outcome, outcome.status === 'skipped' ? 409 : 200);
  });
  api.get('/organizations/:orgId/sources/:sourceId/runs', async (c) => {
    const src = await getSource(ctx, pathId(c, 'sourceId'), pathId(c, 'orgId'));
    const rows = await ctx.sql`
      select id, trigger, status, started_at, finished_at, pages, fetched, inserted, updated, tombstoned, rejected, error
      from collector_runs where org_id = ${src.orgId} and source_id = ${src.id}
      order by started_at desc limit 50`;
    return c.json({ items: rows });
  });

  api.get('/organizations/:orgId/mentions', async (c) => {
    const orgId = pathId(c, 'orgId');
    const q = queryOf(c, ['sourceId', 'watchTargetId', 'from', 'to', 'sentiment', 'q', 'limit', 'cursor', 'revealPii']);
    const reveal = revealPii(c, q.oneOf('revealPii', ['true', 'false'] as const));
    const page = await listMentions(ctx.sql, {
      orgId,
      sourceId: q.id('sourceId'),
      watchTargetId: q.id('watchTargetId'),
      from: q.time('from'),
      to: q.time('to'),
      sentiment: q.oneOf('sentiment', ['positive', 'neutral', 'negative'] as const),
      q: q.string('q'),
      limit: q.int('limit', 1, 200),
      cursor: q.string('cursor', 200),
    });
    const privateIds = page.items.filter((m) => m.isPrivate).map((m) => m.id);
    if (privateIds.length > 0) await logPrivateView(ctx, requestActor(c), orgId, privateIds);
    const items = page.items.map((m) => presentMention(m, { revealPii: reveal }));
    const piiIds = revealedPiiIds(items, reveal);
    if (piiIds.length > 0) await logPiiView(ctx, requestActor(c), orgId, piiIds);
    return c.json({ ...page, items });
  });
  api.get('/organizations/:orgId/mentions/:mentionId', async (c) => {
    const reveal = revealPii(c, queryOf(c, ['revealPii']).oneOf('revealPii', ['true', 'false'] as const));
    const m = await getMention(ctx.sql, pathId(c, 'orgId'), pathId(c, 'mentionId'));
    if (!m) throw new NotFoundError('mention not found');
    if (m.isPrivate) await logPrivateView(ctx, requestActor(c), m.orgId, [m.id]);
    const shown = presentMention(m, { revealPii: reveal });
    if (revealedPiiIds([shown], reveal).length > 0) await logPiiView(ctx, requestActor(c), m.orgId, [m.id]);
    return c.json(shown);
  });
  api.get('/organizations/:orgId/mention-counts', async (c) => {
    const orgId = pathId(c, 'orgId');
    const q = queryOf(c, ['watchTargetId', 'from', 'to', 'bucket']);
    const to = q.time('to') ?? ctx.now();
    const from = q.time('from') ?? new Date(to.getTime() - 24 * 3_600_000);
    const bucket: BucketSize = q.oneOf('bucket', Object.keys(bucketSizes) as BucketSize[]) ?? '1h';
    return c.json({ bucket, from, to, items: await countMentions(ctx.sql, { orgId, watchTargetId: q.id('watchTargetId'), from, to, bucket }) });
  });

  api.get('/organizations/:orgId/emerging-terms', async (c) => {
    const orgId = pathId(c, 'orgId');
    const q = queryOf(c, ['watchTargetId', 'from', 'to', 'baselineWindows', 'limit']);
    const to = q.time('to') ?? ctx.now();
    const from = q.time('from') ?? new Date(to.getTime() - 3_600_000);
    const includePrivate = may(requestAuth(c), 'mentions.read_pii');
    const { privateMessages, ...result } = await emergingTerms(ctx.sql, {
      orgId, watchTargetId: q.id('watchTargetId'), from, to, baselineWindows: q.int('baselineWindows', 1, 28), limit: q.int('limit', 1, 100), includePrivate,
    });
    if (privateMessages > 0) {
      await ctx.sql.begin((tx) => recordAudit(tx, requestActor(c), {
        orgId, action: 'mention.view_private_terms', targetType: 'organization', targetId: orgId,
        after: { from: from.toISOString(), to: to.toISOString(), watchTargetId: q.id('watchTargetId') ?? null, privateMessages },
      }));
    }
    return c.json({ from, to, ...result, includesPrivateMessages: includePrivate });
  });

  api.get('/organizations/:orgId/detection', async (c) => c.json(await getDetectionSettings(ctx.sql, pathId(c, 'orgId'))));
  api.patch('/organizations/:orgId/detection', async (c) =>
    c.json(await setDetectionSettings(ctx.sql, pathId(c, 'orgId'), parseDetectionPatch(await readJson(c)), requestActor(c))));

  api.get('/organizations/:orgId/alerts', async (c) => {
    const orgId = pathId(c, 'orgId');
    const q = queryOf(c, ['status', 'kind', 'limit']);
    return c.json({
      items: await listAlerts(ctx.sql, {
        orgId, status: q.oneOf('status', ['open', 'closed'] as const), kind: q.oneOf('kind', ['crisis', 'notice'] as const), limit: q.int('limit', 1, 200),
      }),
    });
  });
  api.get('/organizations/:orgId/alerts/:alertId', async (c) => {
    const alert = await getAlert(ctx.sql, pathId(c, 'orgId'), pathId(c, 'alertId'));
    if (!alert) throw new NotFoundError('alert not found');
    return c.json(alert);
  });

  // Incidents, tasks and playbooks (src/incidents/routes.ts).
  api.route('/', incidentRoutes(ctx));
  api.route('/', statementRoutes(ctx));
  api.route('/', oncallRoutes(ctx));
  api.route('/', postmortemRoutes(ctx));

  return api;
}

import { z } from 'zod';
import { recordAudit, systemActor, type AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import type { Sql, Tx } from '../db/connect.ts';
import type { Row } from '../db/schema.ts';
import { NotFoundError } from '../errors.ts';
import { lexemesJson } from '../ingest/store-page.ts';

// Retention per organisation (issue 18 item 5). Each kind of personal data has its own period,
// kept in organizations.settings -> 'retention'; the defaults and why are in README「保存期間」.
// A daily job (retention-job.ts) — or `hinoko retention` — removes what is older, kind by kind, in
// batches: each batch one transaction with its audit row, so a crash leaves every batch either done
// and audited or not done. Rows stay (bucket counts and alert history were computed from them);
// what they held goes. What an open incident or an unapproved post-mortem cites is never touched
// (hinoko_cited_mentions, sql/032) and is reported as kept.

// In this order: a private message with personal data is masked, then (later) removed, so a dry
// run's counts — each kind counted on its own — are what the run does.
export const retentionKinds = ['rawPayloads', 'personalData', 'deletedTexts', 'privateMessages', 'sentMails'] as const;
export type RetentionKind = (typeof retentionKinds)[number];

/** Days each kind is kept, counted from when it was collected (deleted posts: from the deletion). */
export type RetentionPolicy = Record<RetentionKind, number>;

export const defaultRetention: RetentionPolicy = {
  rawPayloads: 90,
  deletedTexts: 30,
  privateMessages: 365,
  personalData: 90,
  sentMails: 90,
};

export const retentionLabels: Record<RetentionKind, string> = {
  rawPayloads: 'プラットフォームの生データ',
  deletedTexts: '削除された投稿の本文',
  privateMessages: '非公開メッセージ',
  personalData: '検出された個人情報',
  sentMails: '送信済みメールの控え',
};

/** A period: whole days, 1 to 3650 (ten years). */
export const retentionDays = z.number().int().min(1).max(3650);

/** The policy as stored over the defaults; a stored value out of range (hand-edited) falls back to the default. */
export function retentionPolicyOf(settings: unknown): RetentionPolicy {
  const stored = (settings as { retention?: Record<string, unknown> } | null)?.retention ?? {};
  const out = { ...defaultRetention };
  for (const k of retentionKinds) {
    const v = retentionDays.safeParse(stored[k]);
    if (v.success) out[k] = v.data;
  }
  return out;
}

export async function readRetention(sql: Sql, orgId: string): Promise<RetentionPolicy> {
  const [row] = await sql<Pick<Row<'organizations'>, 'settings'>[]>`select settings from organizations where id = ${orgId}`;
  if (!row) throw new NotFoundError(`organization ${orgId} not found`);
  return retentionPolicyOf(row.settings);
}

export async function updateRetention(
  sql: Sql,
  orgId: string,
  patch: Partial<RetentionPolicy>,
  actor: AuditActor,
): Promise<RetentionPolicy> {
  return sql.begin(async (tx) => {
    const [current] = await tx<Pick<Row<'organizations'>, 'settings'>[]>`select settings from organizations where id = ${orgId} for update`;
    if (!current) throw new NotFoundError(`organization ${orgId} not found`);
    const before = retentionPolicyOf(current.settings);
    const after = { ...before, ...patch };
    await tx`update organizations set settings = settings || jsonb_build_object('retention', ${tx.json(after)}::jsonb) where id = ${orgId}`;
    await recordAudit(tx, actor, { orgId, action: 'retention.configure', targetType: 'organization', targetId: orgId, before, after });
    return after;
  }) as Promise<RetentionPolicy>;
}

export interface RetentionReport {
  policy: RetentionPolicy;
  /** Per kind: rows whose data was removed (or would be, on a dry run), and rows kept because an incident cites them. */
  kinds: Record<RetentionKind, { removed: number; kept: number; olderThan: string }>;
  dryRun: boolean;
}

const BATCH = 2_000;
const DAY_MS = 86_400_000;

/** The text a post keeps once retention took it. */
export const removedTexts = {
  deletedTexts: '（投稿者が削除したため、保存期間の経過後に本文を消去しました）',
  privateMessages: '（非公開メッセージの保存期間が過ぎたため本文を消去しました）',
} as const;

/**
 * Applies the organisation's policy as of `now`. Idempotent: a second run the same day finds
 * nothing; a run interrupted midway leaves whole audited batches and the next run does the rest.
 */
export async function applyRetention(
  ctx: AppContext,
  orgId: string,
  opts: { dryRun?: boolean; actor?: AuditActor } = {},
): Promise<RetentionReport> {
  const policy = await readRetention(ctx.sql, orgId);
  const now = ctx.now();
  const dryRun = opts.dryRun === true;
  const actor = opts.actor ?? systemActor;
  const kinds = {} as RetentionReport['kinds'];
  for (const kind of retentionKinds) {
    const cutoff = new Date(now.getTime() - policy[kind] * DAY_MS);
    const [counts] = await ctx.sql<{ due: number; kept: number }[]>`
      select count(*)::int as due, count(c.mention_id)::int as kept
      from (${candidates(ctx.sql, kind, orgId, cutoff)}) d
      left join hinoko_cited_mentions(${orgId}) c on d.kind = 'mention' and c.mention_id = d.id`;
    kinds[kind] = { removed: counts!.due - counts!.kept, kept: counts!.kept, olderThan: cutoff.toISOString() };
    if (dryRun || counts!.due === counts!.kept) continue;
    // Batches until one comes back short; each commits its removal with its audit row. The report
    // then says what the batches removed (posts may have changed since the count).
    kinds[kind].removed = 0;
    for (;;) {
      const removed = await ctx.sql.begin(async (tx) => {
        const n = await removeBatch(tx, ctx, kind, orgId, cutoff, now);
        if (n > 0) {
          await recordAudit(
            tx,
            actor,
            {
              orgId,
              action: 'retention.purge',
              targetType: 'retention',
              targetId: kind,
              after: { kind, removed: n, olderThan: cutoff.toISOString(), days: policy[kind] },
            },
            now,
          );
        }
        return n;
      });
      kinds[kind].removed += removed;
      if (removed < BATCH || ctx.shutdown.aborted) break;
    }
  }
  return { policy, kinds, dryRun };
}

/** The rows of one kind past their period (id, and 'mention' or 'mail' as kind), as a subquery. */
function candidates(sql: Sql | Tx, kind: RetentionKind, orgId: string, cutoff: Date) {
  switch (kind) {
    case 'rawPayloads':
      return sql`select id, 'mention' as kind from mentions where org_id = ${orgId} and collected_at < ${cutoff} and raw <> '{}'::jsonb`;
    case 'deletedTexts':
      // The partial index mentions_deleted_kept_idx (sql/032) has this condition.
      return sql`select id, 'mention' as kind from mentions
        where org_id = ${orgId} and deleted_at is not null and text_removed_at is null and deleted_at < ${cutoff} and erased_at is null`;
    case 'privateMessages':
      return sql`select id, 'mention' as kind from mentions
        where org_id = ${orgId} and is_private and text_removed_at is null and collected_at < ${cutoff} and erased_at is null`;
    case 'personalData':
      // The partial index mentions_pii_posted_idx (sql/021) has the first condition.
      return sql`select id, 'mention' as kind from mentions
        where org_id = ${orgId} and jsonb_array_length(analysis -> 'pii') > 0 and collected_at < ${cutoff} and text_removed_at is null`;
    case 'sentMails':
      return sql`select id, 'mail' as kind from mail_outbox
        where org_id = ${orgId} and status in ('sent', 'failed') and body_removed_at is null and created_at < ${cutoff}`;
  }
}

async function removeBatch(tx: Tx, ctx: AppContext, kind: RetentionKind, orgId: string, cutoff: Date, now: Date): Promise<number> {
  const ids = (
    await tx<{ id: string }[]>`
      select d.id from (${candidates(tx, kind, orgId, cutoff)}) d
      where d.kind = 'mail' or d.id not in (select mention_id from hinoko_cited_mentions(${orgId}))
      order by d.id limit ${BATCH}`
  ).map((r) => r.id);
  if (ids.length === 0) return 0;
  switch (kind) {
    case 'rawPayloads':
      await tx`update mentions set raw = '{}'::jsonb where org_id = ${orgId} and id = any(${ids}::bigint[])`;
      await tx`update mention_versions set raw = '{}'::jsonb where org_id = ${orgId} and mention_id = any(${ids}::bigint[])`;
      await tx`update mention_tombstones set raw = null where org_id = ${orgId} and mention_id = any(${ids}::bigint[])`;
      break;
    case 'deletedTexts':
    case 'privateMessages':
      // The text, who wrote it (a private message's sender is a patient) and everything derived
      // from the words go; the sentiment label stays, as it is counted in the buckets.
      await tx`
        update mentions set text = ${removedTexts[kind]}, raw = '{}'::jsonb, search = ''::tsvector,
          analysis = case when analysis is null then null else analysis - 'terms' - 'pii' || '{"terms": [], "pii": []}'::jsonb end,
          ${kind === 'privateMessages' ? tx`author_id = null, author_handle = null, author_name = null, url = null,` : tx``}
          text_removed_at = ${now}
        where org_id = ${orgId} and id = any(${ids}::bigint[])`;
      await tx`delete from mention_versions where org_id = ${orgId} and mention_id = any(${ids}::bigint[])`;
      await tx`update mention_tombstones set raw = null where org_id = ${orgId} and mention_id = any(${ids}::bigint[])`;
      break;
    case 'personalData':
      await maskPersonalData(tx, ctx, orgId, ids);
      break;
    case 'sentMails':
      await tx`
        update mail_outbox set subject = '（保存期間の経過により消去）', text_body = '', html_body = '', body_removed_at = ${now}
        where org_id = ${orgId} and id = any(${ids}::bigint[])`;
      break;
  }
  return ids.length;
}

/**
 * Blanks each detected span with ＊ of the same length (so the offsets of risk phrases still
 * point at the same words), drops the spans, the raw payload (it repeats the text) and earlier
 * versions, and recomputes the search words from the masked text so the data cannot be searched for.
 */
async function maskPersonalData(tx: Tx, ctx: AppContext, orgId: string, ids: string[]): Promise<void> {
  const rows = await tx<{ id: string; text: string; pii: unknown }[]>`
    select id, text, analysis -> 'pii' as pii from mentions where org_id = ${orgId} and id = any(${ids}::bigint[]) for update`;
  const masked = rows.map((r) => {
    const text = blankSpans(r.text, r.pii);
    return { id: r.id, text, lexemes: ctx.analyzer ? lexemesJson(ctx.analyzer.analyze(text).lexemes) : null };
  });
  await tx`
    update mentions m set text = u.text, raw = '{}'::jsonb, analysis = m.analysis || '{"pii": []}'::jsonb,
      search = coalesce(hinoko_lexemes(u.lexemes::jsonb), ''::tsvector)
    from unnest(${masked.map((r) => r.id)}::bigint[], ${masked.map((r) => r.text)}::text[], ${masked.map((r) => r.lexemes)}::text[])
      as u(id, text, lexemes)
    where m.org_id = ${orgId} and m.id = u.id`;
  await tx`delete from mention_versions where org_id = ${orgId} and mention_id = any(${ids}::bigint[])`;
}

/** `text` with every character inside the spans replaced by ＊; offsets outside the text are ignored. */
export function blankSpans(text: string, spans: unknown): string {
  const chars = text.split('');
  const list = (Array.isArray(spans) ? spans : []) as { start?: unknown; end?: unknown }[];
  for (const s of list) {
    if (typeof s.start !== 'number' || typeof s.end !== 'number' || !Number.isInteger(s.start) || !Number.isInteger(s.end)) continue;
    for (let i = Math.max(0, s.start); i < Math.min(s.end, chars.length); i++) chars[i] = '＊';
  }
  return chars.join('');
}

/** Every organisation, as the daily job runs it. */
export async function applyRetentionEverywhere(
  ctx: AppContext,
  opts: { dryRun?: boolean; actor?: AuditActor } = {},
): Promise<Map<string, RetentionReport>> {
  const orgs = await ctx.sql<{ id: string }[]>`select id from organizations order by id`;
  const out = new Map<string, RetentionReport>();
  for (const { id } of orgs) {
    if (ctx.shutdown.aborted) break;
    out.set(id, await applyRetention(ctx, id, opts));
  }
  return out;
}

import type { AppContext } from '../context.ts';
import type { Row } from '../db/schema.ts';
import type { AnalysedText, TextAnalysis } from '../analysis/types.ts';
import { lexemesJson } from './store-page.ts';
import { markQuotesOfNegative } from './quote-evidence.ts';
import { applyCountDeltas, CountDeltas, labelCounts } from './rollups.ts';

export interface AnalyzeStoredOptions {
  orgId?: string;
  sourceId?: string;
  /**
   * 'missing': never analysed (webhook deliveries), or analysed before posts had search words
   * (sql/021_mention_search.sql). 'stale': analysed with another lexicon version, or never.
   */
  mode: 'missing' | 'stale';
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
}

type PendingRow = Pick<
  Row<'mentions'>,
  | 'org_id'
  | 'id'
  | 'source_id'
  | 'text'
  | 'rating'
  | 'watch_target_id'
  | 'posted_at'
  | 'sentiment_label'
  | 'analysis_version'
  | 'quote_of_external_id'
> & { risks: TextAnalysis['risks'] | null; shares_report: boolean | null };

/**
 * Analyses stored mentions in batches: the backlog left by webhooks (analysed after the 200) and
 * re-analysis after a lexicon change. Resumable by construction — it selects rows whose version
 * is not the current one, so a stopped run picks up where it was — and race-safe: an update only
 * lands if the row still has the version it was read with. Bucket sentiment counts follow.
 */
export async function analyzeStored(ctx: AppContext, opts: AnalyzeStoredOptions): Promise<{ analysed: number }> {
  const analyzer = ctx.analyzer;
  if (!analyzer) return { analysed: 0 };
  const batchSize = opts.batchSize ?? 500;
  const version = analyzer.version;
  const orgIds = opts.orgId
    ? [opts.orgId]
    : (await ctx.sql<Pick<Row<'organizations'>, 'id'>[]>`select id from organizations order by id`).map((r) => r.id);
  // Never a post whose text was erased or removed by retention (src/privacy): analysing the
  // placeholder would overwrite the sentiment its buckets counted.
  const pending = (org: string) =>
    opts.mode === 'missing'
      ? // The partial index mentions_unanalysed_idx has the condition in parentheses.
        ctx.sql`m.org_id = ${org} and (m.analysis is null or m.search is null) and m.erased_at is null and m.text_removed_at is null`
      : ctx.sql`m.org_id = ${org} and m.analysis_version is distinct from ${version} and m.erased_at is null and m.text_removed_at is null`;
  let total = 0;
  if (opts.onProgress) {
    for (const org of orgIds) {
      const [row] = await ctx.sql<{ n: number }[]>`
        select count(*)::int as n from mentions m where ${pending(org)} ${opts.sourceId ? ctx.sql`and m.source_id = ${opts.sourceId}` : ctx.sql``}`;
      total += row!.n;
    }
  }
  let done = 0;
  for (const org of orgIds) {
    let afterId = '0';
    while (!ctx.shutdown.aborted) {
      const rows = await ctx.sql<PendingRow[]>`
        select m.org_id, m.id, m.source_id, m.text, m.rating, m.watch_target_id, m.posted_at, m.sentiment_label, m.analysis_version,
          m.quote_of_external_id,
          m.analysis -> 'risks' as risks, (m.analysis ->> 'sharesReport')::boolean as shares_report
        from mentions m
        where ${pending(org)} ${opts.sourceId ? ctx.sql`and m.source_id = ${opts.sourceId}` : ctx.sql``} and m.id > ${afterId}
        order by m.id limit ${batchSize}`;
      if (rows.length === 0) break;
      afterId = rows[rows.length - 1]!.id;
      const results: { row: PendingRow; analysis: AnalysedText }[] = [];
      for (const row of rows) {
        try {
          results.push({ row, analysis: analyzer.analyze(row.text, { rating: row.rating }) });
        } catch (err) {
          ctx.log.warn({ err, mentionId: row.id }, 'analysis failed; left for the next pass');
        }
      }
      await ctx.sql.begin(async (tx) => {
        // Quotes of negative posts pass the complaint on (quote-evidence.ts); ids are per source.
        for (const sourceId of new Set(results.map((r) => r.row.source_id))) {
          const group = results.filter((r) => r.row.source_id === sourceId);
          await markQuotesOfNegative(
            tx,
            org,
            sourceId,
            group.map((r) => ({ quoteOfExternalId: r.row.quote_of_external_id, analysis: r.analysis })),
          );
        }
        const updated = await tx<Pick<Row<'mentions'>, 'id'>[]>`
          update mentions m set analysis = u.analysis::jsonb, analysis_version = ${version},
            search = hinoko_lexemes(u.lexemes::jsonb), sentiment_label = u.label, sentiment_score = u.score
          from unnest(
            ${results.map((r) => r.row.id)}::bigint[], ${results.map((r) => JSON.stringify(storedPart(r.analysis)))}::text[],
            ${results.map((r) => lexemesJson(r.analysis.lexemes))}::text[],
            ${results.map((r) => r.analysis.sentiment.label)}::text[], ${results.map((r) => r.analysis.sentiment.score)}::real[],
            ${results.map((r) => r.row.analysis_version)}::text[]
          ) as u(id, analysis, lexemes, label, score, old_version)
          where m.org_id = ${org} and m.id = u.id and m.analysis_version is not distinct from u.old_version
          returning m.id`;
        const landed = new Set(updated.map((u) => u.id));
        const deltas = new CountDeltas();
        for (const { row, analysis } of results) {
          if (!landed.has(row.id)) continue;
          deltas.moveRisks(row.watch_target_id, row.posted_at, row.risks, analysis.risks);
          const before = labelCounts(row.sentiment_label, row.shares_report);
          const after = labelCounts(analysis.sentiment.label, analysis.sharesReport);
          if (before.negative === after.negative && before.positive === after.positive && before.reported === after.reported) continue;
          deltas.add(row.watch_target_id, row.posted_at, {
            negative: after.negative - before.negative,
            positive: after.positive - before.positive,
            reported: after.reported - before.reported,
          });
          deltas.addSource(row.source_id, row.posted_at, { negative: after.negative - before.negative });
        }
        await applyCountDeltas(tx, org, deltas.rows(), deltas.sourceRows(), deltas.risks.rows());
      });
      done += rows.length;
      opts.onProgress?.(done, total);
    }
  }
  return { analysed: done };
}

/** What goes into mentions.analysis: the lexemes are stored apart, as mentions.search. */
function storedPart({ lexemes: _, ...analysis }: AnalysedText) {
  return analysis;
}

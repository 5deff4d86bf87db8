import type { Sql } from '../db/connect.ts';
import type { Logger } from '../logger.ts';
import { defaultIngestLimits, normaliseMention, type IngestLimits } from './normalise.ts';
import type { AnalysedMention } from './normalise.ts';
import { storePage, type StorePageResult } from './store-page.ts';
import type { MentionAnalyzer, TextAnalysis } from '../analysis/types.ts';
import type { DetectionStage } from '../context.ts';
import type { NormalizedMention, Tombstone } from '../mention.ts';
import { ingestedMentions } from '../metrics.ts';

export interface IngestDeps {
  sql: Sql;
  /** null stores mentions unanalysed (webhooks answer first; the backlog analyser catches up). */
  analyzer: MentionAnalyzer | null;
  detection: DetectionStage | null;
  limits: IngestLimits;
  now(): Date;
  log: Logger;
}

/** The pipeline's dependencies from the service context; `deferAnalysis` for durable-first paths. */
export function ingestDepsFrom(
  ctx: Omit<IngestDeps, 'limits'> & { config: { ingest: { maxTextChars: number } } },
  options: { deferAnalysis?: boolean } = {},
): IngestDeps {
  return {
    sql: ctx.sql,
    analyzer: options.deferAnalysis ? null : ctx.analyzer,
    detection: ctx.detection,
    now: ctx.now,
    log: ctx.log,
    limits: { ...defaultIngestLimits, maxTextChars: ctx.config.ingest.maxTextChars },
  };
}

export interface IngestInput {
  orgId: string;
  sourceId: string;
  mentions: NormalizedMention[];
  tombstones?: Tombstone[];
  cursor?: { value: unknown };
  /** Skip analysis even when an analyzer is configured (durable-first webhook path). */
  deferAnalysis?: boolean;
}

export interface IngestResult extends StorePageResult {
  rejected: { externalId: string; reason: string }[];
}

export interface PreparedBatch {
  rows: AnalysedMention[];
  rejected: IngestResult['rejected'];
}

/** Normalise and analyse (CPU only, no I/O): split from storing so the two can overlap. */
export function prepareBatch(
  deps: Pick<IngestDeps, 'analyzer' | 'limits' | 'log'>,
  mentions: NormalizedMention[],
  deferAnalysis = false,
): PreparedBatch {
  const rejected: IngestResult['rejected'] = [];
  const rows: AnalysedMention[] = [];
  const analyzer = deferAnalysis ? null : deps.analyzer;
  for (const m of mentions) {
    const n = normaliseMention(m, deps.limits);
    if (!n.ok) {
      rejected.push({ externalId: n.externalId, reason: n.reason });
      continue;
    }
    let analysis: TextAnalysis | null = null;
    let lexemes: string[] | null = null;
    if (analyzer) {
      try {
        ({ lexemes, ...analysis } = analyzer.analyze(n.row.text, { rating: n.row.rating }));
      } catch (err) {
        // A mention is never lost because analysis failed: it is stored unanalysed and the
        // backlog analyser retries it.
        deps.log.warn({ err, externalId: n.row.externalId }, 'analysis failed; storing unanalysed');
      }
    }
    rows.push({ ...n.row, analysis, lexemes, analysisVersion: analysis ? analyzer!.version : null });
  }
  return { rows, rejected };
}

/** Store a prepared batch in one transaction (cursor included), then hand it to detection. */
export async function storeBatch(
  deps: IngestDeps,
  input: Omit<IngestInput, 'mentions' | 'deferAnalysis'>,
  batch: PreparedBatch,
): Promise<IngestResult> {
  if (batch.rejected.length > 0) {
    deps.log.warn({ sourceId: input.sourceId, rejected: batch.rejected.slice(0, 20), count: batch.rejected.length }, 'mentions rejected');
  }
  const stored = await storePage(deps.sql, {
    orgId: input.orgId,
    sourceId: input.sourceId,
    rows: batch.rows,
    tombstones: input.tombstones ?? [],
    cursor: input.cursor,
    now: deps.now(),
  });
  ingestedMentions.inc(stored.inserted.length);
  if (deps.detection && stored.inserted.length > 0) {
    try {
      await deps.detection.afterStore(deps, input.orgId, stored.inserted);
    } catch (err) {
      // Detection reads the committed bucket counts, so a failure here delays it, loses nothing.
      deps.log.error({ err, orgId: input.orgId }, 'detection after store failed');
    }
  }
  return { ...stored, rejected: batch.rejected };
}

/**
 * The one path every source's items take: normalise → analyse → dedupe and store (one
 * transaction, cursor included) → hand the new mentions to detection after commit.
 */
export async function ingest(deps: IngestDeps, input: IngestInput): Promise<IngestResult> {
  return storeBatch(deps, input, prepareBatch(deps, input.mentions, input.deferAnalysis));
}

import type { Tx } from '../db/connect.ts';
import type { Row } from '../db/schema.ts';
import type { TextAnalysis } from '../analysis/types.ts';

// A quote of a negative post passes the complaint on, even as 「これ本当？」: such a quote counts
// as sharing a report of trouble (TextAnalysis.sharesReport), like a news link with a trouble word.
// The quoted post is looked up in the same source (platform ids are per source), in the database
// and in the page being stored. Both ingest paths — storing a page and re-analysing stored posts —
// call this, so the per-bucket counts stay the same whichever path analysed a post.

export interface QuotingPost {
  quoteOfExternalId: string | null | undefined;
  analysis: TextAnalysis | null;
}

/**
 * Sets sharesReport on the analyses of posts that quote a negative post in neutral words of their
 * own. `negativeInPage` holds the external ids of negative posts being stored alongside.
 */
export async function markQuotesOfNegative(
  tx: Tx,
  orgId: string,
  sourceId: string,
  posts: readonly QuotingPost[],
  negativeInPage: ReadonlySet<string> = new Set(),
): Promise<void> {
  const candidates = posts.filter(
    (p): p is QuotingPost & { quoteOfExternalId: string; analysis: TextAnalysis } =>
      !!p.quoteOfExternalId && !!p.analysis && !p.analysis.sharesReport && p.analysis.sentiment.label === 'neutral',
  );
  if (candidates.length === 0) return;
  const ids = [...new Set(candidates.map((p) => p.quoteOfExternalId))];
  const stored = await tx<Pick<Row<'mentions'>, 'external_id'>[]>`
    select external_id from mentions
    where org_id = ${orgId} and source_id = ${sourceId} and external_id = any(${ids}::text[]) and sentiment_label = 'negative'`;
  const negative = new Set([...negativeInPage, ...stored.map((r) => r.external_id)]);
  for (const p of candidates) if (negative.has(p.quoteOfExternalId)) p.analysis.sharesReport = true;
}

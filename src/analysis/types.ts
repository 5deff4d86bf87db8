// What the analysis stage produces. Analysis is pure: it reads text and returns these; the
// ingest pipeline stores them (mentions.analysis) and detection reads them.

export type SentimentLabel = 'positive' | 'neutral' | 'negative';

/** What the analysis stage attaches to a mention (stored as mentions.analysis). */
export interface TextAnalysis {
  sentiment: { label: SentimentLabel; score: number };
  risks: { category: string; score: number; terms: string[] }[];
  pii: { type: string; start: number; end: number }[];
  /** Nouns and noun compounds, for emerging-term detection. */
  terms: string[];
  /**
   * The post shares, quotes or reacts to a report of trouble (report-stance.ts): negative evidence
   * for the organisation whatever its own words. Absent in analyses stored before it existed.
   */
  sharesReport?: boolean;
}

/**
 * What `analyze` returns: the analysis, and the words the post can be searched by (stored apart,
 * as mentions.search, not in mentions.analysis).
 */
export interface AnalysedText extends TextAnalysis {
  lexemes: string[];
}

/** The analysis stage of the pipeline. Filled by src/analysis. */
export interface MentionAnalyzer {
  /** Changes whenever results could change (lexicon edits), so stale rows can be re-analysed. */
  readonly version: string;
  analyze(text: string, hints?: { rating?: number | null }): AnalysedText;
  /** A search query split the way posts are (all of these must be among a post's lexemes). */
  queryLexemes(query: string): string[];
}

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AnalysedText, MentionAnalyzer } from './types.ts';
import { buildLexicon, parseLexicon, readLexiconFile, type Lexicon } from './lexicon.ts';
import { normalizeText } from './normalize.ts';
import { detectPiiSpans, type PiiOptions, type PiiSpan } from './pii.ts';
import { compileRiskRules, detectRisks, type RiskCategoryData, type RiskRules } from './risk.ts';
import { compileSymbolPattern, scoreSentiment, type SentimentContext } from './sentiment.ts';
import { sharesTroubleReport } from './report-stance.ts';
import { queryLexemes, searchLexemes } from './search.ts';
import { extractTerms, loadStopwords } from './terms.ts';
import { loadTokenizer, type Tokenizer } from './tokenizer.ts';

export { maskPii } from './pii.ts';
export type { PiiSpan, PiiType, PiiOptions } from './pii.ts';
export { rankEmergingTerms } from './emerging-terms.ts';
export type { EmergingTerm, EmergingTermsInput, TermCounts } from './emerging-terms.ts';
export type { RiskMatch } from './risk.ts';

export interface Analyzer extends MentionAnalyzer {
  /** PII spans with offsets into `text` as given (mask them with maskPii). */
  detectPii(text: string, options?: PiiOptions): PiiSpan[];
}

export interface LoadAnalyzerOptions {
  /** A user lexicon in our TSV format that extends / overrides ours (HINOKO_LEXICON_EXTRA). */
  lexiconExtraPath?: string;
}

// Bump when the rules in code change in a way that changes results; data changes are hashed.
const rulesRevision = 'rules-2';
// Posts beyond this are analysed on their first part only: kuromoji's lattice grows with the
// text, and a hostile 1 MB "post" must not stall ingestion.
export const maxAnalyzedChars = 5000;

const dataDir = new URL('./data/', import.meta.url);

// Calibrated on the JRTE training split only (raw evidence sums; see sentiment.ts).
const positiveAt = 0.5;
const negativeAt = -0.5;

function truncate(text: string): string {
  if (text.length <= maxAnalyzedChars) return text;
  // Do not cut a surrogate pair in half.
  const code = text.charCodeAt(maxAnalyzedChars - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? maxAnalyzedChars - 1 : maxAnalyzedChars);
}

class LexiconAnalyzer implements Analyzer {
  readonly version: string;
  private readonly sentiment: SentimentContext;

  constructor(
    private readonly tokenizer: Tokenizer,
    lexicon: Lexicon,
    private readonly risks: RiskRules,
    private readonly stopwords: ReadonlySet<string>,
    version: string,
  ) {
    this.version = version;
    this.sentiment = { lexicon, symbolPattern: compileSymbolPattern(lexicon), positiveAt, negativeAt };
  }

  analyze(text: string, hints?: { rating?: number | null }): AnalysedText {
    const original = typeof text === 'string' ? truncate(text) : '';
    const normalized = normalizeText(original);
    // One tokenisation shared by sentiment, terms and names.
    const tokens = this.tokenizer.tokenize(normalized.text);
    const risks = detectRisks(normalized.text.toLowerCase(), this.risks);
    let riskScore = 0;
    for (const r of risks) riskScore += r.score;
    const sentiment = scoreSentiment(tokens, normalized.text, this.sentiment, { rating: hints?.rating, riskScore });
    const pii = detectPiiSpans(original, normalized.folded, tokens, normalized.origin);
    return {
      sentiment: { label: sentiment.label, score: sentiment.score },
      risks,
      pii,
      terms: extractTerms(tokens, normalized.hashtags, this.stopwords),
      sharesReport: sharesTroubleReport(normalized.text, normalized.folded.text.toLowerCase()),
      lexemes: searchLexemes(tokens, normalized.origin, pii),
    };
  }

  queryLexemes(query: string): string[] {
    const normalized = normalizeText(truncate(query));
    return queryLexemes(this.tokenizer.tokenize(normalized.text));
  }

  detectPii(text: string, options?: PiiOptions): PiiSpan[] {
    const original = typeof text === 'string' ? truncate(text) : '';
    const normalized = normalizeText(original);
    const tokens = this.tokenizer.tokenize(normalized.text);
    return detectPiiSpans(original, normalized.folded, tokens, normalized.origin, options);
  }
}

/**
 * Loads kuromoji (once per process), our lexicon, risk categories and stop words, and the
 * optional extra lexicon. A malformed extra lexicon is a ValidationError naming file and line.
 */
export async function loadAnalyzer(options: LoadAnalyzerOptions = {}): Promise<Analyzer> {
  const lexiconText = readFileSync(new URL('lexicon.tsv', dataDir), 'utf8');
  const riskText = readFileSync(new URL('risk-categories.json', dataDir), 'utf8');
  const stopwordsUrl = new URL('stopwords.txt', dataDir);
  const entries = parseLexicon(lexiconText, 'src/analysis/data/lexicon.tsv');
  const hash = createHash('sha256')
    .update(rulesRevision)
    .update('\0')
    .update(lexiconText)
    .update('\0')
    .update(riskText)
    .update('\0')
    .update(readFileSync(stopwordsUrl));
  if (options.lexiconExtraPath) {
    const extraText = readLexiconFile(options.lexiconExtraPath);
    entries.push(...parseLexicon(extraText, options.lexiconExtraPath));
    hash.update('\0extra\0').update(extraText);
  }
  const risks = compileRiskRules(JSON.parse(riskText) as RiskCategoryData, 'src/analysis/data/risk-categories.json');
  const tokenizer = await loadTokenizer();
  return new LexiconAnalyzer(
    tokenizer,
    buildLexicon(entries),
    risks,
    loadStopwords(stopwordsUrl),
    `lex-${hash.digest('hex').slice(0, 16)}`,
  );
}

let categoryNames: readonly string[] | null = null;
/** The risk categories' names, in the data file's order (for filters and forms). */
export function riskCategoryNames(): readonly string[] {
  categoryNames ??= (JSON.parse(readFileSync(new URL('risk-categories.json', dataDir), 'utf8')) as RiskCategoryData).categories.map(
    (c) => c.category,
  );
  return categoryNames;
}

import { normalizeText } from '../analysis/normalize.ts';
import { detectPiiSpans } from '../analysis/pii.ts';
import { loadTokenizer } from '../analysis/tokenizer.ts';
import { checkStatement, type Finding } from './checker.ts';
import type { StatementKind } from './lifecycle.ts';

// The checker over a whole statement, with the analysis PII detector at full strength (names
// need the kuromoji tokenizer, loaded once per process). Title and body are checked as one
// document — an account of what happened in the body answers a 「ご不快な思い」 in the title —
// and each finding says which field its offsets point into.

export interface StatementFinding extends Finding {
  field: 'title' | 'body';
}

export async function findingsFor(text: string, kind: StatementKind): Promise<Finding[]> {
  const tokenizer = await loadTokenizer();
  const normalized = normalizeText(text);
  const tokens = tokenizer.tokenize(normalized.text);
  const pii = detectPiiSpans(text, normalized.folded, tokens, normalized.origin);
  return checkStatement(text, kind, { pii });
}

export async function checkDocument(title: string, body: string, kind: StatementKind): Promise<StatementFinding[]> {
  const offset = title.length + 1;
  const findings = await findingsFor(`${title}\n${body}`, kind);
  return findings.map((f) => {
    const field = f.start < offset ? ('title' as const) : ('body' as const);
    const start = field === 'title' ? f.start : f.start - offset;
    const end = field === 'title' ? Math.min(f.end, title.length) : f.end - offset;
    return { ...f, field, start, end, id: `${field}:${f.rule}:${start}-${end}` };
  });
}

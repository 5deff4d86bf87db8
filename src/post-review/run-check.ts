import { normalizeText } from '../analysis/normalize.ts';
import { detectPiiSpans } from '../analysis/pii.ts';
import { loadTokenizer } from '../analysis/tokenizer.ts';
import { checkPost, postRulesVersion, type OwnIdentifiers, type PostDraft, type PostFinding } from './check-post.ts';

// The checker with the analysis PII detector at full strength (names need kuromoji, loaded once
// per process) and the institution's own published details allowed.

export async function runPostCheck(draft: PostDraft, own: OwnIdentifiers): Promise<{ findings: PostFinding[]; rulesVersion: string }> {
  const tokenizer = await loadTokenizer();
  const normalized = normalizeText(draft.text);
  const pii = detectPiiSpans(draft.text, normalized.folded, tokenizer.tokenize(normalized.text), normalized.origin, {
    // 山田 一郎 as listed: allowed written together, and either part alone (山田先生).
    allowNames: new Set((own.names ?? []).flatMap((n) => [n, n.replace(/\s+/g, ''), ...n.split(/\s+/).filter((part) => part.length >= 2)])),
  });
  return { findings: checkPost(draft, { own, pii }), rulesVersion: postRulesVersion() };
}

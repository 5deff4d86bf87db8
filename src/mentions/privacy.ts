import { maskPii } from '../analysis/pii.ts';
import type { MentionView } from './queries.ts';

// What a mention looks like to someone who may not see personal data in it. Posts can name a
// patient, their phone number or their illness; the stored text stays whole as evidence, and
// the view masks what the PII detector found unless the caller may see it and asked to.

/** Shown instead of a post that has not been checked for PII yet. */
export const PENDING_TEXT = '（解析待ち: 個人情報の確認が済むまで本文を伏せています / withheld until checked for personal data）';

export interface PresentedMention extends MentionView {
  /** True when PII was found and the text (and any private message) is shown masked. */
  piiMasked: boolean;
  /** The kinds of PII found, so staff know a masked post needs a closer look. */
  piiTypes: string[];
}

export function presentMention(m: MentionView, options: { revealPii: boolean }): PresentedMention {
  // Not analysed yet (a webhook delivery waits seconds for the backlog sweep): nobody has looked
  // for PII in it, so only those who may see PII see the text until the analysis is in.
  if (m.analysis === null && !options.revealPii) return { ...m, text: PENDING_TEXT, piiMasked: true, piiTypes: [] };
  const pii = m.analysis?.pii ?? [];
  const piiTypes = [...new Set(pii.map((p) => p.type))];
  if (pii.length === 0 || options.revealPii) return { ...m, piiMasked: false, piiTypes };
  return {
    ...m,
    text: maskPii(m.text, pii),
    // The author's name and handle are the person talking, not the person talked about: kept.
    analysis: m.analysis
      ? { ...m.analysis, terms: m.analysis.terms.filter((t) => !pii.some((p) => m.text.slice(p.start, p.end).includes(t))) }
      : null,
    piiMasked: true,
    piiTypes,
  };
}

/** The ids whose PII a caller actually saw unmasked: what the audit log records. */
export function revealedPiiIds(items: readonly PresentedMention[], revealPii: boolean): string[] {
  return revealPii ? items.filter((m) => m.piiTypes.length > 0 || m.analysis === null).map((m) => m.id) : [];
}

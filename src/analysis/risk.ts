import { ValidationError } from '../errors.ts';

// Medical-institution risk categories, defined as data (data/risk-categories.json): terms and
// patterns with weights. One alternation regex finds every term in a single pass, so adding
// terms costs almost nothing at analysis time.

export interface RiskCategoryDefinition {
  category: string;
  /** Substring (lower case, NFKC) → weight. ASCII terms match at a word start only. */
  terms: Record<string, number>;
  patterns?: { pattern: string; weight: number }[];
}

export interface RiskCategoryData {
  minimumWeight: number;
  categories: RiskCategoryDefinition[];
}

export interface RiskMatch {
  category: string;
  /** 1 − exp(−sum of weights), rounded to 3 decimals. */
  score: number;
  /** Matched terms (as they appear in the normalised text), at most 10. */
  terms: string[];
}

export interface RiskRules {
  categories: readonly string[];
  minimumWeight: number;
  /** First character → terms starting with it, longest first. */
  termsByFirstChar: Map<string, string[]>;
  termTargets: Map<string, { category: number; weight: number }[]>;
  patterns: { category: number; weight: number; regex: RegExp }[];
}

const maxTermsPerCategory = 10;

function validWeight(w: unknown): w is number {
  return typeof w === 'number' && Number.isFinite(w) && w > 0 && w <= 5;
}

export function compileRiskRules(data: RiskCategoryData, source = 'risk-categories'): RiskRules {
  if (!data || !Array.isArray(data.categories) || !validWeight(data.minimumWeight)) {
    throw new ValidationError(`${source}: categories[] と minimumWeight が必要です (categories and minimumWeight required)`);
  }
  const termTargets = new Map<string, { category: number; weight: number }[]>();
  const patterns: RiskRules['patterns'] = [];
  data.categories.forEach((def, index) => {
    if (typeof def.category !== 'string' || def.category === '') {
      throw new ValidationError(`${source}: categories[${index}].category がありません (missing category name)`);
    }
    for (const [rawTerm, weight] of Object.entries(def.terms ?? {})) {
      const term = rawTerm.normalize('NFKC').toLowerCase();
      if (!validWeight(weight) || term === '') {
        throw new ValidationError(`${source}: ${def.category} の語 "${rawTerm}" の重みが不正です (weight must be in (0, 5])`);
      }
      const targets = termTargets.get(term) ?? [];
      targets.push({ category: index, weight });
      termTargets.set(term, targets);
    }
    for (const p of def.patterns ?? []) {
      if (!validWeight(p.weight)) throw new ValidationError(`${source}: ${def.category} のパターン重みが不正です`);
      try {
        patterns.push({ category: index, weight: p.weight, regex: new RegExp(p.pattern, 'iu') });
      } catch (err) {
        throw new ValidationError(`${source}: ${def.category} のパターン ${p.pattern} が不正です (${(err as Error).message})`);
      }
    }
  });
  // Longest first, so 晒してやる wins over 晒し and the right weight is counted. Indexed by first
  // character: most positions in a post start no term, and a Map miss is cheaper than a regex
  // alternation of hundreds of terms.
  const termsByFirstChar = new Map<string, string[]>();
  for (const term of [...termTargets.keys()].sort((a, b) => b.length - a.length)) {
    const list = termsByFirstChar.get(term[0]!) ?? [];
    list.push(term);
    termsByFirstChar.set(term[0]!, list);
  }
  return {
    categories: data.categories.map((c) => c.category),
    minimumWeight: data.minimumWeight,
    termsByFirstChar,
    termTargets,
    patterns,
  };
}

const asciiWordChar = /[a-z0-9]/;

/** `lowered` is the normalised text in lower case. Results are sorted by score, highest first. */
export function detectRisks(lowered: string, rules: RiskRules): RiskMatch[] {
  const sums = new Float64Array(rules.categories.length);
  const found: (Set<string> | undefined)[] = [];
  const note = (category: number, weight: number, term: string) => {
    const seen = found[category] ?? (found[category] = new Set());
    if (seen.has(term)) return;
    seen.add(term);
    sums[category]! += weight;
  };
  let i = 0;
  while (i < lowered.length) {
    const candidates = rules.termsByFirstChar.get(lowered[i]!);
    let matched: string | undefined;
    // ASCII terms (rude, sue) count only at a word start: not inside "pursue".
    if (candidates && !(i > 0 && asciiWordChar.test(lowered[i]!) && asciiWordChar.test(lowered[i - 1]!))) {
      matched = candidates.find((term) => lowered.startsWith(term, i));
    }
    if (matched === undefined) {
      i++;
      continue;
    }
    for (const target of rules.termTargets.get(matched)!) note(target.category, target.weight, matched);
    i += matched.length;
  }
  for (const p of rules.patterns) {
    const m = p.regex.exec(lowered);
    if (m) note(p.category, p.weight, m[0]);
  }
  const results: RiskMatch[] = [];
  for (let c = 0; c < sums.length; c++) {
    const sum = sums[c]!;
    if (sum < rules.minimumWeight) continue;
    results.push({
      category: rules.categories[c]!,
      score: Math.round((1 - Math.exp(-sum)) * 1000) / 1000,
      terms: [...found[c]!].slice(0, maxTermsPerCategory),
    });
  }
  return results.sort((a, b) => b.score - a.score);
}

import type { AppContext } from '../context.ts';
import { createOrganization, createWatchTarget } from '../organizations/organizations.ts';
import { addSource } from './sources.ts';
import { activity, generateSlot, SLOT_MS, type DemoConfig } from '../sources/demo/index.ts';
import { defaultIngestLimits, normaliseMention } from '../ingest/normalise.ts';
import type { AnalysedMention } from '../ingest/normalise.ts';
import { storePage } from '../ingest/store-page.ts';
import type { AnalysedText, SentimentLabel, TextAnalysis } from '../analysis/types.ts';

// Bulk synthetic data for benchmarks (`hinoko seed --mentions N`): the demo generator's posts,
// spread over the last `days`, stored through the real store path in large batches.

const labelByKind: Record<string, SentimentLabel> = {
  praise: 'positive',
  wait: 'negative',
  staff: 'negative',
  cost: 'negative',
  angry: 'negative',
  quote: 'negative',
};

/** Without an analyzer: marked version "seed", which `hinoko reanalyze` replaces with real analysis. */
function seedAnalysis(kind: string): TextAnalysis {
  const label = labelByKind[kind] ?? 'neutral';
  return { sentiment: { label, score: label === 'positive' ? 0.6 : label === 'negative' ? -0.6 : 0 }, risks: [], pii: [], terms: [] };
}

export interface SeedResult {
  orgId: string;
  sourceId: string;
  inserted: number;
  seconds: number;
}

export async function seedMentions(
  ctx: AppContext,
  opts: { count: number; days?: number; orgId?: string; seed?: number; batchSize?: number; onProgress?: (done: number) => void },
): Promise<SeedResult> {
  const days = opts.days ?? 30;
  let orgId = opts.orgId;
  let targetId: string | null = null;
  if (!orgId) {
    const org = await createOrganization(ctx, {
      name: `ベンチマーク用 ${new Date().toISOString()}`,
      slug: `bench-${Date.now().toString(36)}`,
      isDemo: true,
    });
    orgId = org.id;
    targetId = (
      await createWatchTarget(ctx, orgId, {
        name: 'さくら内科クリニック',
        names: ['さくら内科クリニック'],
        keywords: [],
        handles: {},
        exclusions: [],
      })
    ).id;
  }
  const source = await addSource(ctx, { orgId, type: 'import', name: `seed ${Date.now().toString(36)}`, config: { portal: 'seed' } });
  const end = Math.floor(ctx.now().getTime() / SLOT_MS);
  const slots = (days * 86_400_000) / SLOT_MS;
  // The generator follows a JST day/week profile; scale so the mean rate yields `count` (plus a
  // margin, since generation stops at exactly `count`).
  let weekActivity = 0;
  for (let h = 0; h < 168; h++) weekActivity += activity(new Date(h * 3_600_000));
  const cfg: DemoConfig = {
    seed: opts.seed ?? 7,
    postsPerHour: (opts.count / (days * 24) / (weekActivity / 168)) * 1.05,
    flareAt: null,
    scenario: 'staff-post',
    backfillHours: 0,
    watchTargetId: targetId,
  };
  const batchSize = opts.batchSize ?? 5000;
  // With an analyzer, real analysis (and search words), once per distinct text: the generator
  // repeats a few thousand texts, so a million posts cost seconds, not the tokenizer's hour.
  const analyzer = ctx.analyzer;
  const analysed = new Map<string, AnalysedText>();
  const analyse = (text: string, kind: string): Pick<AnalysedMention, 'analysis' | 'lexemes' | 'analysisVersion'> => {
    if (!analyzer) return { analysis: seedAnalysis(kind), lexemes: null, analysisVersion: 'seed' };
    let result = analysed.get(text);
    if (!result) analysed.set(text, (result = analyzer.analyze(text)));
    const { lexemes, ...analysis } = result;
    return { analysis, lexemes, analysisVersion: analyzer.version };
  };
  const started = performance.now();
  let inserted = 0;
  let rows: AnalysedMention[] = [];
  const flush = async () => {
    const result = await storePage(ctx.sql, { orgId: orgId, sourceId: source.id, rows, tombstones: [], now: ctx.now() });
    inserted += result.inserted.length;
    rows = [];
    opts.onProgress?.(inserted);
  };
  for (let slot = end - slots; slot < end && inserted + rows.length < opts.count; slot++) {
    for (const m of generateSlot(cfg, slot)) {
      const n = normaliseMention(m, defaultIngestLimits);
      if (!n.ok) continue;
      rows.push({ ...n.row, ...analyse(n.row.text, String((m.raw as { kind?: string }).kind)) });
      if (inserted + rows.length >= opts.count) break;
    }
    if (rows.length >= batchSize) await flush();
  }
  if (rows.length > 0) await flush();
  return { orgId, sourceId: source.id, inserted, seconds: (performance.now() - started) / 1000 };
}

import type { Tx } from '../db/connect.ts';
import type { TextAnalysis } from '../analysis/types.ts';

// Risk-category hits per bucket (sql/026), kept as deltas alongside mention_counts' so a replay
// reads per-bucket hits instead of every post's risks. A post adds one hit per category match
// (as the detectors count them: src/detection/build-signal.ts), to the org-wide row and to its
// watch target's row; an edit or a re-analysis takes its old matches back and adds the new ones.

export type RiskDelta = { targetId: string | null; bucket: number; category: string; hits: number };

export class RiskDeltas {
  private readonly byKey = new Map<string, RiskDelta>();

  /** `before` the post's risks as stored (null: none yet), `after` as they will be. */
  move(targetId: string | null, bucket: number, before: TextAnalysis['risks'] | null, after: TextAnalysis['risks'] | null): void {
    for (const [risks, sign] of [
      [before, -1],
      [after, 1],
    ] as const) {
      for (const r of Array.isArray(risks) ? risks : []) {
        for (const t of targetId === null ? [null] : [null, targetId]) {
          const key = `${t ?? ''}:${bucket}:${r.category}`;
          const row = this.byKey.get(key) ?? { targetId: t, bucket, category: r.category, hits: 0 };
          row.hits += sign;
          this.byKey.set(key, row);
        }
      }
    }
  }

  rows(): RiskDelta[] {
    return [...this.byKey.values()].filter((r) => r.hits !== 0);
  }
}

export async function applyRiskDeltas(tx: Tx, orgId: string, deltas: RiskDelta[]): Promise<void> {
  if (deltas.length === 0) return;
  // The same lock order as mention_counts' upsert: by bucket, then target, then category.
  deltas.sort((a, b) => a.bucket - b.bucket || (a.targetId ?? '').localeCompare(b.targetId ?? '') || a.category.localeCompare(b.category));
  await tx`
    insert into mention_risk_counts as c (org_id, watch_target_id, bucket_start, category, hits)
    select ${orgId}::bigint, t.target, t.bucket, t.category, t.hits
    from unnest(
      ${deltas.map((d) => d.targetId)}::bigint[],
      ${deltas.map((d) => new Date(d.bucket).toISOString())}::timestamptz[],
      ${deltas.map((d) => d.category)}::text[],
      ${deltas.map((d) => d.hits)}::int[]
    ) as t(target, bucket, category, hits)
    on conflict (org_id, watch_target_id, bucket_start, category) do update set hits = c.hits + excluded.hits`;
}

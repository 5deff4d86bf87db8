import { ValidationError } from '../../errors.ts';
import type { NormalizedMention } from '../../mention.ts';
import type { CollectPage, SourceDefinition } from '../types.ts';
import { gaussian, pick, poisson, slotRng, weighted, type Rng } from './random.ts';
import { demoClinic, flareScenarios, quietMix, quietTemplates, slots, type FlareScenario } from './templates.ts';
import { JST_OFFSET_MS } from '../../display.ts';

// The built-in demo source: a realistic, seeded stream of Japanese posts about a fictional clinic,
// with one flare-up episode at a configured time. Generated per 10-second slot from (seed, slot),
// so re-running a slot reproduces the same posts and the pipeline dedupes them like any API.

export interface DemoConfig {
  seed: number;
  postsPerHour: number;
  /** Start of the flare-up episode (ISO time), or null for a quiet stream. */
  flareAt: string | null;
  scenario: string;
  /** On the first run, history is generated this far back so charts and baselines have data. */
  backfillHours: number;
  watchTargetId: string | null;
}

export const SLOT_MS = 10_000;
const PAGE_SIZE = 500;
const FLARE_RAMP_MS = 8 * 60_000;
const FLARE_DECAY_MS = 15 * 60_000;
/** How long one flare-up lasts: a start within it must not move it (src/bootstrap/demo.ts). */
export const FLARE_LENGTH_MS = 75 * 60_000;
/** Posts per minute at the peak of the flare-up. */
const FLARE_PEAK_PER_MIN = 45;

// Posting activity by hour of day in Asia/Tokyo: quiet at night, busy around clinic hours and
// the evening, when people post about their day.
const hourProfile = [
  0.25, 0.15, 0.1, 0.08, 0.08, 0.12, 0.35, 0.7, 1.1, 1.45, 1.5, 1.45, 1.5, 1.4, 1.3, 1.25, 1.25, 1.3, 1.4, 1.45, 1.35, 1.1, 0.75, 0.45,
];
// Sunday (clinic closed) is quieter; Saturday morning is busy.
const dayProfile = [0.6, 1.1, 1.0, 1.0, 0.95, 1.05, 1.0];

export function activity(t: Date): number {
  const jst = new Date(t.getTime() + JST_OFFSET_MS);
  return hourProfile[jst.getUTCHours()]! * dayProfile[jst.getUTCDay()]!;
}

const nicknames = [
  'はるか',
  'ゆうき',
  'みさき',
  'けんた',
  'あやの',
  'たけし',
  'なつみ',
  'りょう',
  'さくら好き',
  'ぽん太',
  'もも',
  'しょうへい',
  'まい',
  'そら',
  'ひろ',
  'ちー',
];

function author(rng: Rng) {
  const n = Math.floor(rng() * 2400);
  return { id: `demo-user-${n}`, handle: `demo_user${n}`, name: `${pick(rng, nicknames)}（デモ）` };
}

function fill(template: string, rng: Rng): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => pick(rng, slots[key] ?? ['']));
}

function engagement(rng: Rng, scale: number, spread = 1.1) {
  // Most posts get nothing; a few travel. Log-normal matches that long tail.
  const reach = Math.exp(gaussian(rng) * spread) * scale;
  return {
    likes: Math.floor(reach * (1 + rng() * 2)),
    reposts: Math.floor(reach * rng() * 0.6),
    quotes: Math.floor(reach * rng() * 0.1),
    replies: Math.floor(reach * rng() * 0.3),
  };
}

export function flareIntensity(t: number, flareAt: number): number {
  const dt = t - flareAt;
  if (dt < 0 || dt > FLARE_LENGTH_MS) return 0;
  if (dt < FLARE_RAMP_MS) return dt / FLARE_RAMP_MS;
  return Math.exp(-(dt - FLARE_RAMP_MS) / FLARE_DECAY_MS);
}

function mention(
  id: string,
  t: number,
  text: string,
  rng: Rng,
  cfg: DemoConfig,
  extra: Partial<NormalizedMention> & { kind: string },
): NormalizedMention {
  const a = author(rng);
  const { kind, ...rest } = extra;
  return {
    externalId: id,
    url: `https://demo.hinoko.invalid/posts/${id}`,
    authorId: a.id,
    authorHandle: a.handle,
    authorName: a.name,
    text,
    language: 'ja',
    postedAt: new Date(t),
    metrics: engagement(rng, 1),
    watchTargetId: cfg.watchTargetId,
    isDemo: true,
    raw: { demo: true, kind, text },
    ...rest,
  };
}

/** All posts of one slot. Pure: the same (config, slot) always gives the same posts. */
export function generateSlot(cfg: DemoConfig, slot: number): NormalizedMention[] {
  const t0 = slot * SLOT_MS;
  const rng = slotRng(cfg.seed, slot);
  const out: NormalizedMention[] = [];
  const quietMean = (cfg.postsPerHour * activity(new Date(t0)) * SLOT_MS) / 3_600_000;
  const n = poisson(rng, quietMean);
  for (let i = 0; i < n; i++) {
    const category = weighted(rng, quietMix);
    const text = fill(pick(rng, quietTemplates[category]), rng);
    // An everyday post about a local clinic is seen by a few followers and rarely shared.
    out.push(
      mention(`demo-${slot}-${i}`, t0 + Math.floor(rng() * SLOT_MS), text, rng, cfg, {
        kind: category,
        metrics: engagement(rng, 0.5, 0.8),
      }),
    );
  }
  if (cfg.flareAt) out.push(...flareSlot(cfg, slot, Date.parse(cfg.flareAt)));
  return out;
}

function flareSlot(cfg: DemoConfig, slot: number, flareAt: number): NormalizedMention[] {
  const t0 = slot * SLOT_MS;
  const scenario: FlareScenario = flareScenarios.find((s) => s.key === cfg.scenario) ?? flareScenarios[0]!;
  const rng = slotRng(cfg.seed, slot, 0x5eed);
  const originId = `demo-flare-${flareAt}-origin`;
  const originText = fill(scenario.origin, slotRng(cfg.seed, Math.floor(flareAt / SLOT_MS), 0x0a));
  const out: NormalizedMention[] = [];
  if (flareAt >= t0 && flareAt < t0 + SLOT_MS) {
    out.push({
      ...mention(originId, flareAt, originText, rng, cfg, { kind: 'flare-origin' }),
      authorHandle: 'demo_whistle',
      authorName: '匿名の告発アカウント（デモ）',
      authorId: 'demo-whistle',
      metrics: { likes: 2400, reposts: 1800, quotes: 320, replies: 460 },
    });
  }
  const mean = (FLARE_PEAK_PER_MIN * flareIntensity(t0 + SLOT_MS / 2, flareAt) * SLOT_MS) / 60_000;
  const n = poisson(rng, mean);
  for (let i = 0; i < n; i++) {
    const id = `demo-flare-${flareAt}-${slot}-${i}`;
    const t = Math.max(flareAt + 1, t0 + Math.floor(rng() * SLOT_MS));
    const kind = weighted(rng, [
      [38, 'repost'],
      [14, 'quote'],
      [36, 'angry'],
      [7, 'doubtful'],
      [5, 'defending'],
    ] as const);
    if (kind === 'repost') {
      out.push(
        mention(id, t, `RT @demo_whistle: ${originText}`, rng, cfg, {
          kind,
          repostOfExternalId: originId,
          metrics: { likes: 0, reposts: 0, quotes: 0, replies: 0 },
        }),
      );
    } else if (kind === 'quote') {
      out.push(
        mention(id, t, fill(pick(rng, scenario.angry), rng), rng, cfg, { kind, quoteOfExternalId: originId, metrics: engagement(rng, 6) }),
      );
    } else {
      const text = fill(pick(rng, kind === 'angry' ? scenario.angry : kind === 'doubtful' ? scenario.doubtful : scenario.defending), rng);
      out.push(
        mention(id, t, text, rng, cfg, {
          kind,
          replyToExternalId: rng() < 0.3 ? originId : null,
          metrics: engagement(rng, kind === 'angry' ? 5 : 1.5),
        }),
      );
    }
  }
  return out;
}

function parseDemoConfig(raw: unknown): DemoConfig {
  const o = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const num = (key: string, fallback: number, min: number, max: number) => {
    const v = o[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
      throw new ValidationError(`demo config: ${key} must be a number between ${min} and ${max}`);
    }
    return v;
  };
  const flareAt = o.flareAt ?? null;
  if (flareAt !== null && (typeof flareAt !== 'string' || Number.isNaN(Date.parse(flareAt)))) {
    throw new ValidationError('demo config: flareAt must be an ISO time or null');
  }
  const scenario = o.scenario ?? flareScenarios[0]!.key;
  if (typeof scenario !== 'string' || !flareScenarios.some((s) => s.key === scenario)) {
    throw new ValidationError(`demo config: scenario must be one of ${flareScenarios.map((s) => s.key).join(', ')}`);
  }
  const watchTargetId = o.watchTargetId ?? null;
  if (watchTargetId !== null && (typeof watchTargetId !== 'string' || !/^\d+$/.test(watchTargetId))) {
    throw new ValidationError('demo config: watchTargetId must be an id string');
  }
  return {
    seed: Math.floor(num('seed', 1, 0, 2 ** 31 - 1)),
    postsPerHour: num('postsPerHour', 30, 0, 100_000),
    flareAt: flareAt,
    scenario,
    backfillHours: num('backfillHours', 168, 0, 24 * 90),
    watchTargetId: watchTargetId,
  };
}

function parseCursor(cursor: unknown): number | null {
  if (cursor && typeof cursor === 'object' && typeof (cursor as { until?: unknown }).until === 'string') {
    const t = Date.parse((cursor as { until: string }).until);
    if (!Number.isNaN(t)) return t;
  }
  return null;
}

export const demoSource: SourceDefinition<DemoConfig> = {
  type: 'demo',
  label: 'デモ (demo stream)',
  defaultSchedule: '*/10 * * * * *',
  parseConfig: parseDemoConfig,
  credentials: [],
  requiredCredentials: () => [],
  endpoints: () => ({ credentialOrigins: [], operatorUrls: [] }),
  async *collect({ config, cursor, runtime }): AsyncIterable<CollectPage> {
    // Only whole slots are generated, so a slot is never emitted half-filled.
    const end = Math.floor(runtime.now().getTime() / SLOT_MS);
    let slot = Math.floor((parseCursor(cursor) ?? runtime.now().getTime() - config.backfillHours * 3_600_000) / SLOT_MS);
    let page: NormalizedMention[] = [];
    while (slot < end) {
      if (runtime.signal.aborted) return;
      page.push(...generateSlot(config, slot));
      slot++;
      if (page.length >= PAGE_SIZE || slot === end) {
        yield { mentions: page, cursor: { until: new Date(slot * SLOT_MS).toISOString() } };
        page = [];
      }
    }
  },
};

export { demoClinic };

// npm run bench:ingest — storing normalised mentions (analysis off) through the real store path.
import { loadConfig } from '../src/config.ts';
import { createContext } from '../src/context.ts';
import { addSource } from '../src/collection/sources.ts';
import { defaultIngestLimits, normaliseMention } from '../src/ingest/normalise.ts';
import { storePage, type AnalysedMention } from '../src/ingest/store-page.ts';
import { createOrganization } from '../src/organizations/organizations.ts';
import { generateSlot, SLOT_MS } from '../src/sources/demo/index.ts';
import { benchDatabase } from './db.ts';

const total = Number(process.argv[2] ?? 200_000);
const batch = Number(process.argv[3] ?? 5_000);
const db = await benchDatabase();
try {
  const ctx = createContext({ config: loadConfig({}), sql: db.sql, db: db.db });
  const org = await createOrganization(db, { name: 'bench', slug: 'bench' });
  const source = await addSource(ctx, { orgId: org.id, type: 'import', name: 'bench', config: {} });
  // Rows are generated and normalised before the clock starts: this measures storing.
  const rows: AnalysedMention[] = [];
  const cfg = { seed: 3, postsPerHour: 20_000, flareAt: null, scenario: 'staff-post', backfillHours: 0, watchTargetId: null };
  for (let slot = Math.floor(Date.now() / SLOT_MS) - 100_000; rows.length < total; slot++) {
    for (const m of generateSlot(cfg, slot)) {
      const n = normaliseMention(m, defaultIngestLimits);
      if (n.ok && rows.length < total) rows.push({ ...n.row, analysis: null, lexemes: null, analysisVersion: null });
    }
  }
  const started = performance.now();
  let stored = 0;
  for (let i = 0; i < rows.length; i += batch) {
    const t = performance.now();
    const r = await storePage(db.sql, {
      orgId: org.id,
      sourceId: source.id,
      rows: rows.slice(i, i + batch),
      tombstones: [],
      cursor: { value: { i } },
      now: new Date(),
    });
    if (process.env.BENCH_VERBOSE) console.log(i, Math.round(performance.now() - t));
    stored += r.inserted.length;
  }
  const seconds = (performance.now() - started) / 1000;
  const n = (await db.sql<{ n: number }[]>`select count(*)::int as n from mentions`)[0]!.n;
  if (n !== total || stored !== total) throw new Error(`stored ${stored}/${n}, expected ${total}`);
  console.log(
    `bench:ingest on ${db.where}: ${total.toLocaleString()} mentions in batches of ${batch} — ${seconds.toFixed(2)} s, ${Math.round(total / seconds).toLocaleString()} mentions/s (analysis off; bucket counts and cursor included)`,
  );
} finally {
  await db.dispose();
}

// npm run bench:ingest [total] [batch] [writers] — storing normalised mentions (analysis off)
// through the real store path: one writer, then `writers` concurrent ones (the service stores
// several sources' pages at once), against the ceiling of this machine: a plain COPY of the same
// rows straight into mentions (rolled back), which no store path with dedupe can beat.
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { loadConfig } from '../src/config.ts';
import { createContext } from '../src/context.ts';
import { addSource } from '../src/collection/sources.ts';
import { copyLine } from '../src/ingest/mention-stage.ts';
import { defaultIngestLimits, normaliseMention, type AnalysedMention } from '../src/ingest/normalise.ts';
import { storePage } from '../src/ingest/store-page.ts';
import { createOrganization } from '../src/organizations/organizations.ts';
import { generateSlot, SLOT_MS } from '../src/sources/demo/index.ts';
import { benchDatabase } from './db.ts';

const total = Number(process.argv[2] ?? 200_000);
const batch = Number(process.argv[3] ?? 5_000);
const writers = Number(process.argv[4] ?? 2);
const db = await benchDatabase();
try {
  const ctx = createContext({ config: loadConfig({}), sql: db.sql, db: db.db });
  const org = await createOrganization(db, { name: 'bench', slug: 'bench' });
  const sources = await Promise.all(
    Array.from({ length: writers + 1 }, (_, i) => addSource(ctx, { orgId: org.id, type: 'import', name: `bench ${i}`, config: {} })),
  );
  // Rows are generated and normalised before the clock starts: this measures storing.
  const rows: AnalysedMention[] = [];
  const cfg = { seed: 3, postsPerHour: 20_000, flareAt: null, scenario: 'staff-post', backfillHours: 0, watchTargetId: null };
  for (let slot = Math.floor(Date.now() / SLOT_MS) - 100_000; rows.length < total; slot++) {
    for (const m of generateSlot(cfg, slot)) {
      const n = normaliseMention(m, defaultIngestLimits);
      if (n.ok && rows.length < total) rows.push({ ...n.row, analysis: null, lexemes: null, analysisVersion: null });
    }
  }
  const pages = (from: number, step: number) => {
    const out: AnalysedMention[][] = [];
    for (let i = from * batch; i < rows.length; i += batch * step) out.push(rows.slice(i, i + batch));
    return out;
  };
  const rate = (n: number, ms: number) => Math.round((n * 1000) / ms);

  // The ceiling: the same rows, COPY'd straight into mentions (no dedupe, no counts, no cursor).
  const copyStarted = performance.now();
  await db.sql
    .begin(async (tx) => {
      let id = 0;
      for (const page of pages(0, 1)) {
        // Ids as the keys would give them (mention_keys, sql/034): the ceiling writes no keys.
        const lines = page.map((r) => `${org.id}\t${++id}\t${sources[0]!.id}\t${copyLine(0, r).slice(2)}`);
        const into =
          await tx`copy mentions (org_id, id, source_id, watch_target_id, external_id, url, author_id, author_handle, author_name,
          text, language, posted_at, likes, reposts, quotes, replies, views, reply_to_external_id, quote_of_external_id,
          repost_of_external_id, rating, is_private, is_demo, raw, analysis, analysis_version, search, sentiment_label, sentiment_score) from stdin`.writable();
        await pipeline(Readable.from([lines.join('\n') + '\n']), into);
      }
      throw new Error('rollback');
    })
    .catch((e: Error) => {
      if (e.message !== 'rollback') throw e;
    });
  const copyMs = performance.now() - copyStarted;

  // The store path, `writers` sources at once, each page its own transaction with counts and cursor.
  const store = async (n: number, offset: number) => {
    let stored = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: n }, async (_, w) => {
        for (const [i, page] of pages(w, n).entries()) {
          const source = sources[offset + w]!;
          const r = await storePage(db.sql, {
            orgId: org.id,
            sourceId: source.id,
            rows: page,
            tombstones: [],
            cursor: { value: { i } },
            now: new Date(),
          });
          stored += r.inserted.length;
        }
      }),
    );
    if (stored !== total) throw new Error(`stored ${stored}, expected ${total}`);
    return performance.now() - started;
  };
  const oneMs = await store(1, 0);
  const manyMs = await store(writers, 1);
  const n = (await db.sql<{ n: number }[]>`select count(*)::int as n from mentions`)[0]!.n;
  if (n !== 2 * total) throw new Error(`${n} rows stored, expected ${2 * total}`);
  console.log(`bench:ingest on ${db.where}: ${total.toLocaleString()} mentions in pages of ${batch} (analysis off)`);
  console.log(`  store path, 1 writer:            ${rate(total, oneMs).toLocaleString()} mentions/s (bucket counts and cursor included)`);
  console.log(`  store path, ${writers} concurrent writers: ${rate(total, manyMs).toLocaleString()} mentions/s`);
  console.log(`  ceiling, plain COPY into mentions: ${rate(total, copyMs).toLocaleString()} mentions/s (no dedupe, counts or cursor)`);
} finally {
  await db.dispose();
}

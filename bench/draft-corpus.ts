// Quality of the pre-publication check (issue 17) on our clinic-draft sets: precision and recall per
// category and per rule, the clean drafts that drew any finding, and every miss and false alarm —
// for the main set (240 drafts) and, apart, the held-out set written after the rules last changed.
// usage: npm run eval:drafts
import { loadDraftCorpus, precision, recall, scoreDraftCorpus, type Tally } from '../test/support/draft-corpus.ts';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`.padStart(7);
const row = (name: string, t: Tally) =>
  `${name.padEnd(22)} ${String(t.tp).padStart(4)} ${String(t.fp).padStart(4)} ${String(t.fn).padStart(4)} ${pct(precision(t))} ${pct(recall(t))}`;

for (const file of ['clinic-drafts.tsv', 'clinic-drafts-holdout.tsv'] as const) {
  const s = await scoreDraftCorpus(loadDraftCorpus(file));
  console.log(
    `\n== ${file}: ${s.drafts} drafts (${s.clean} clean, ${s.drafts - s.clean} with violations); clean drafts with any finding: ${s.cleanFlagged}`,
  );
  console.log(`${'category'.padEnd(22)}   TP   FP   FN  precis  recall`);
  for (const [k, t] of [...s.byCategory].sort()) console.log(row(k, t));
  console.log(row('overall', s.overall));
  console.log(`\n${'rule'.padEnd(22)}   TP   FP   FN  precis  recall`);
  for (const [k, t] of [...s.byRule].sort()) console.log(row(k, t));
  if (s.misses.length > 0) console.log('\nmisses:');
  for (const m of s.misses) console.log(`  line ${m.line} ${m.rule}: ${m.text.replace(/\n/g, ' ').slice(0, 70)}`);
  if (s.falseAlarms.length > 0) console.log('\nfalse alarms:');
  for (const f of s.falseAlarms) console.log(`  line ${f.line} ${f.rule} 「${f.excerpt}」: ${f.text.replace(/\n/g, ' ').slice(0, 60)}`);
}

// Speed of the pre-publication check (issue 17): one 2,000-character draft, all rules, names via the
// analyser's PII detector included (goal ≤ 50 ms).
// usage: npm run bench:check
import { loadAnalyzer } from '../src/analysis/index.ts';
import { checkPost } from '../src/post-review/check-post.ts';

const paragraph =
  '【インフルエンザ予防接種のお知らせ】当院では10月1日より予防接種を開始します。ご予約はお電話またはウェブで承ります。' +
  '接種当日は体温を測ってからお越しください。自由診療のため費用は1回3,500円（税込）です。副反応として注射部位の腫れや発熱がみられることがあります。' +
  '地域No.1の技術で必ず効果があります。患者様の声もご紹介します。キャンペーン中につき家族割もございます。担当は山田までご連絡ください。';
let text = '';
while (text.length < 2000) text += paragraph;
text = text.slice(0, 2000);

const analyzer = await loadAnalyzer();
const run = () => checkPost({ channel: 'blog', text, images: [{ description: '待合室の様子' }] }, { pii: analyzer.detectPii(text) });
for (let i = 0; i < 20; i++) run();
const times: number[] = [];
for (let i = 0; i < 200; i++) {
  const t0 = process.hrtime.bigint();
  run();
  times.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
times.sort((a, b) => a - b);
const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!;
console.log(
  `check of a 2,000-character draft (${run().length} findings): median ${q(0.5).toFixed(2)} ms, p95 ${q(0.95).toFixed(2)} ms  (goal ≤ 50 ms)`,
);

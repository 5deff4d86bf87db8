import { afterAll, beforeAll, expect, it } from 'vitest';
import { analyzeStored } from '../../src/ingest/analyze-stored.ts';
import { ingest, ingestDepsFrom } from '../../src/ingest/pipeline.ts';
import { blankSpans, removedTexts } from '../../src/privacy/retention.ts';
import { createApp } from '../../src/server/app.ts';
import { makeOrg, makeSource, mentionFixture, stubAnalyzer, testContext } from '../factories/index.ts';
import { newTestPerson } from '../support/api-auth.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// Issue 18 item 5: retention per organisation — raw payloads, the text of deleted posts, private
// messages, detected personal data and sent mails' copies, each with its own period; audited;
// never what an open incident cites; counts untouched; a second run finds nothing.

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

const phone = /0\d{1,3}-\d{2,4}-\d{4}/g;
const analyzer = stubAnalyzer('retention-test', (text) => ({
  sentiment: text.includes('最悪') ? { label: 'negative', score: -0.8 } : { label: 'neutral', score: 0 },
  risks: [],
  pii: [...text.matchAll(phone)].map((m) => ({ type: 'phone', start: m.index, end: m.index + m[0].length })),
  terms: [],
}));

it('blanks personal-data spans with ＊ of the same length, so other offsets still hold', () => {
  expect(blankSpans('電話は03-1234-5678です', [{ start: 3, end: 15 }])).toBe('電話は＊＊＊＊＊＊＊＊＊＊＊＊です');
  expect(
    blankSpans('abc', [
      { start: 2, end: 99 },
      { start: -5, end: 1 },
    ]),
  ).toBe('＊b＊');
});

it('removes each kind after its own period, keeps what an open incident cites, audits every batch and is idempotent', async () => {
  const ctx = testContext(db, { analyzer });
  const app = createApp(ctx);
  const { org } = await makeOrg(ctx);
  const src = await makeSource(ctx, org.id);
  const deps = ingestDepsFrom(ctx);
  await ingest(deps, {
    orgId: org.id,
    sourceId: src.id,
    mentions: [
      mentionFixture(1, { text: '古い投稿 テスト内科は最悪', raw: { id: 1, profile: { location: '横浜' } } }),
      mentionFixture(2, { text: '削除された投稿 最悪だった' }),
      mentionFixture(3, { text: '予約の相談です 090-1111-2222', isPrivate: true, authorName: '患者B', authorHandle: 'patient_b' }),
      mentionFixture(4, { text: '院長の電話 03-1234-5678 に抗議しよう 最悪' }),
      mentionFixture(5, { text: '最近の投稿 03-9999-0000' }),
      mentionFixture(6, { text: '証拠の投稿 03-5555-6666 最悪' }),
    ],
  });
  // An edit keeps the earlier text (with its raw) as a version.
  await ingest(deps, {
    orgId: org.id,
    sourceId: src.id,
    mentions: [mentionFixture(4, { text: '院長の電話 03-1234-5678 に抗議しよう 最悪!!' })],
  });
  const ids = Object.fromEntries(
    (await ctx.sql<{ id: string; external_id: string }[]>`select id, external_id from mentions where org_id = ${org.id}`).map((r) => [
      r.external_id,
      r.id,
    ]),
  );
  const age = (ext: string, days: number) =>
    ctx.sql`update mentions set collected_at = now() - make_interval(days => ${days}) where org_id = ${org.id} and id = ${ids[ext]!}`;
  await age('m-1', 100);
  await age('m-2', 100);
  await age('m-3', 400);
  await age('m-4', 100);
  await age('m-6', 100);
  await ctx.sql`
    insert into mention_tombstones (org_id, source_id, external_id, mention_id, reason, deleted_at)
    values (${org.id}, ${src.id}, 'm-2', ${ids['m-2']!}, 'deleted', now() - interval '40 days')`;
  await ctx.sql`update mentions set deleted_at = now() - interval '40 days' where id = ${ids['m-2']!}`;
  // An open incident's alert quotes post 6.
  const [alert] = await ctx.sql<{ id: string }[]>`
    insert into alerts (org_id, episode_id, kind, status, severity, peak_score, opened_at, updated_at, summary_ja, explanation)
    values (${org.id}, 'ep-r', 'crisis', 'open', 3, 0.8, now(), now(), 's',
      ${ctx.sql.json({ samples: [{ id: ids['m-6']!, text: 'quoted', engagement: 1, negative: true }] })})
    returning id`;
  const [incident] = await ctx.sql<{ id: string }[]>`
    insert into incidents (org_id, title, status, severity, playbook_version, detected_at, created_at, updated_at)
    values (${org.id}, '対応中', 'active', 3, 1, now(), now(), now()) returning id`;
  await ctx.sql`insert into incident_alerts (org_id, alert_id, incident_id, attached_at) values (${org.id}, ${alert!.id}, ${incident!.id}, now())`;
  const mail = (key: string, status: string, days: number) => ctx.sql`
    insert into mail_outbox (org_id, dedupe_key, to_address, subject, text_body, html_body, message_id, status, created_at, sent_at)
    values (${org.id}, ${key}, 'pr@clinic.example.jp', '【炎上】テスト内科', '本文 03-1234-5678', '<p>本文</p>', ${`<${key}@hinoko>`}, ${status},
      now() - make_interval(days => ${days}), case when ${status} = 'sent' then now() - make_interval(days => ${days}) end)`;
  await mail('old-sent', 'sent', 100);
  await mail('old-pending', 'pending', 100);
  await mail('new-sent', 'sent', 10);
  const counts = () =>
    ctx.sql`select bucket_start, total, negative from mention_counts where org_id = ${org.id} and watch_target_id is null order by bucket_start`;
  const countsBefore = await counts();

  const admin = await newTestPerson(ctx, org.id, 'admin');
  const director = await newTestPerson(ctx, org.id, 'director');
  const api = (who: { headers: Record<string, string> }, method: string, path: string, body?: unknown) =>
    app.request(`/api/v1/organizations/${org.id}/retention${path}`, {
      method,
      headers: who.headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  expect(await (await api(director, 'GET', '')).json()).toEqual({
    rawPayloads: 90,
    personalData: 90,
    deletedTexts: 30,
    privateMessages: 365,
    sentMails: 90,
  });
  expect((await api(director, 'PATCH', '', { personalData: 60 })).status).toBe(403);
  expect((await api(director, 'POST', '/runs', {})).status).toBe(403);
  for (const bad of [{}, { personalData: 0 }, { personalData: 3651 }, { personalData: 1.5 }, { personalData: '60' }, { other: 1 }]) {
    expect((await api(admin, 'PATCH', '', bad)).status, JSON.stringify(bad)).toBe(400);
  }
  const patched = await api(admin, 'PATCH', '', { personalData: 60 });
  expect(patched.status).toBe(200);
  expect((await patched.json()).personalData).toBe(60);

  const preview = await (await api(admin, 'POST', '/runs', { dryRun: true })).json();
  expect(preview.kinds).toMatchObject({
    rawPayloads: { removed: 4, kept: 1 },
    deletedTexts: { removed: 1, kept: 0 },
    privateMessages: { removed: 1, kept: 0 },
    personalData: { removed: 2, kept: 1 },
    sentMails: { removed: 1, kept: 0 },
  });
  expect((await ctx.sql`select 1 from mentions where org_id = ${org.id} and raw = '{}'::jsonb`).length).toBe(0);

  const run = await (await api(admin, 'POST', '/runs', {})).json();
  const figures = (kinds: Record<string, { removed: number; kept: number }>) =>
    Object.fromEntries(Object.entries(kinds).map(([k, v]) => [k, [v.removed, v.kept]]));
  expect(figures(run.kinds)).toEqual(figures(preview.kinds));
  const rows = Object.fromEntries(
    (
      await ctx.sql<{ external_id: string; text: string; raw: unknown; author_name: string | null; pii: unknown[]; removed: boolean }[]>`
        select external_id, text, raw, author_name, analysis -> 'pii' as pii, text_removed_at is not null as removed
        from mentions where org_id = ${org.id}`
    ).map((r) => [r.external_id, r]),
  );
  expect(rows['m-1']).toMatchObject({ text: '古い投稿 テスト内科は最悪', raw: {}, removed: false });
  expect(rows['m-2']).toMatchObject({ text: removedTexts.deletedTexts, raw: {}, removed: true });
  expect(rows['m-3']).toMatchObject({ text: removedTexts.privateMessages, raw: {}, author_name: null, removed: true });
  expect(rows['m-4']).toMatchObject({ text: '院長の電話 ＊＊＊＊＊＊＊＊＊＊＊＊ に抗議しよう 最悪!!', raw: {}, pii: [] });
  expect(rows['m-5']).toMatchObject({ text: '最近の投稿 03-9999-0000', pii: [{ type: 'phone' }] });
  expect(rows['m-6']).toMatchObject({ text: '証拠の投稿 03-5555-6666 最悪', pii: [{ type: 'phone' }] });
  expect(rows['m-6']!.raw).not.toEqual({});
  // The masked number is neither in an earlier version nor searchable.
  expect((await ctx.sql`select 1 from mention_versions where org_id = ${org.id} and mention_id = ${ids['m-4']!}`).length).toBe(0);
  const [search] = await ctx.sql<{ words: string }[]>`select search::text as words from mentions where id = ${ids['m-4']!}`;
  expect(search!.words).toContain('に抗議しよう');
  expect(search!.words).not.toContain('1234');
  const mails = await ctx.sql<{ dedupe_key: string; text_body: string }[]>`
    select dedupe_key, text_body from mail_outbox where org_id = ${org.id} order by dedupe_key`;
  expect(mails).toEqual([
    { dedupe_key: 'new-sent', text_body: '本文 03-1234-5678' },
    { dedupe_key: 'old-pending', text_body: '本文 03-1234-5678' },
    { dedupe_key: 'old-sent', text_body: '' },
  ]);
  // Counts were computed from the posts and stay; the backlog sweep never re-analyses a placeholder.
  expect(await counts()).toEqual(countsBefore);
  expect((await analyzeStored(ctx, { mode: 'missing', orgId: org.id })).analysed).toBe(0);
  expect(await counts()).toEqual(countsBefore);

  const audit = await ctx.sql<{ action: string; target_id: string; after: { removed: number } }[]>`
    select action, target_id, after from audit_log where org_id = ${org.id} and action like 'retention.%' order by id`;
  expect(audit.map((a) => [a.action, a.target_id, a.after.removed ?? null])).toEqual([
    ['retention.configure', org.id, null],
    ['retention.purge', 'rawPayloads', 4],
    ['retention.purge', 'personalData', 2],
    ['retention.purge', 'deletedTexts', 1],
    ['retention.purge', 'privateMessages', 1],
    ['retention.purge', 'sentMails', 1],
  ]);

  const again = await (await api(admin, 'POST', '/runs', {})).json();
  for (const k of Object.values(again.kinds) as { removed: number }[]) expect(k.removed).toBe(0);
});

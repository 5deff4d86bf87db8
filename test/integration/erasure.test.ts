import { afterAll, beforeAll, expect, it } from 'vitest';
import { analyzeStored } from '../../src/ingest/analyze-stored.ts';
import { ingest, ingestDepsFrom } from '../../src/ingest/pipeline.ts';
import { erasedText } from '../../src/privacy/erase-person.ts';
import { createApp } from '../../src/server/app.ts';
import { makeOrg, makeSource, mentionFixture, stubAnalyzer, testContext } from '../factories/index.ts';
import { newTestPerson } from '../support/api-auth.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// Issue 18 item 5: erasing one person's posts on request, by handle or account id across sources;
// what an open incident cites is kept as evidence and reported; audited without the handle.

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

it('erases a person’s posts across sources, keeps what an open incident cites, and nothing comes back on the next collection', async () => {
  const ctx = testContext(db, {
    analyzer: stubAnalyzer('erasure-test', (text) => ({
      sentiment: text.includes('ひどい') ? { label: 'negative', score: -0.8 } : { label: 'neutral', score: 0 },
      risks: [],
      pii: [],
      terms: [],
    })),
  });
  const app = createApp(ctx);
  const { org } = await makeOrg(ctx);
  const [x, rss] = [await makeSource(ctx, org.id), await makeSource(ctx, org.id)];
  const deps = ingestDepsFrom(ctx);
  const hers = (i: number, text: string) => mentionFixture(i, { authorHandle: 'Kanja_A', authorId: 'acct-77', authorName: '患者A', text });
  await ingest(deps, {
    orgId: org.id,
    sourceId: x.id,
    mentions: [hers(1, 'テスト内科で胃カメラ、結果は胃潰瘍でした'), hers(2, '受付の対応がひどい')],
  });
  await ingest(deps, {
    orgId: org.id,
    sourceId: rss.id,
    mentions: [mentionFixture(3, { authorHandle: '@kanja_a', text: '主治医は山田先生' })],
  });
  await ingest(deps, {
    orgId: org.id,
    sourceId: x.id,
    mentions: [mentionFixture(4, { authorHandle: 'someone_else', text: '別の人の投稿' })],
  });
  // An edit (the earlier text kept as a version) and a staff note on one of her posts.
  await ingest(deps, { orgId: org.id, sourceId: x.id, mentions: [hers(2, '受付の対応がひどい（追記: 名前を呼ばれた）')] });
  const ids = Object.fromEntries(
    (await ctx.sql<{ id: string; external_id: string }[]>`select id, external_id from mentions where org_id = ${org.id}`).map((r) => [
      r.external_id,
      r.id,
    ]),
  );
  const admin = await newTestPerson(ctx, org.id, 'admin');
  await ctx.sql`insert into mention_notes (org_id, mention_id, author_id, body) values (${org.id}, ${ids['m-2']!}, ${admin.id}, '本人から電話あり')`;
  // An open incident's alert quotes post 1; a closed alert quoted post 2.
  const alert = async (status: string, mentionId: string) =>
    (
      await ctx.sql<{ id: string }[]>`
        insert into alerts (org_id, episode_id, kind, status, severity, peak_score, opened_at, updated_at, summary_ja, explanation)
        values (${org.id}, ${`ep-${mentionId}`}, 'crisis', ${status}, 3, 0.8, now(), now(), 's',
          ${ctx.sql.json({ samples: [{ id: mentionId, text: 'quoted', engagement: 1, negative: true }] })})
        returning id`
    )[0]!.id;
  const openAlert = await alert('open', ids['m-1']!);
  const closedAlert = await alert('closed', ids['m-2']!);
  const [incident] = await ctx.sql<{ id: string }[]>`
    insert into incidents (org_id, title, status, severity, playbook_version, detected_at, created_at, updated_at)
    values (${org.id}, '対応中', 'active', 3, 1, now(), now(), now()) returning id`;
  await ctx.sql`insert into incident_alerts (org_id, alert_id, incident_id, attached_at) values (${org.id}, ${openAlert}, ${incident!.id}, now())`;

  const call = async (who: { headers: Record<string, string> }, body: unknown) =>
    app.request(`/api/v1/organizations/${org.id}/erasures`, { method: 'POST', headers: who.headers, body: JSON.stringify(body) });
  expect((await call(await newTestPerson(ctx, org.id, 'director'), { authorHandle: 'kanja_a' })).status).toBe(403);
  expect((await call(admin, {})).status).toBe(400);
  expect((await call(admin, { authorHandle: 'a b' })).status).toBe(400);

  const preview = await (await call(admin, { authorHandle: '@KANJA_A', dryRun: true })).json();
  expect(preview).toMatchObject({ mentions: 2, versions: 1, notes: 1, alertSamples: 1, dryRun: true });
  expect((await ctx.sql`select 1 from mentions where org_id = ${org.id} and erased_at is not null`).length).toBe(0);

  const report = await (await call(admin, { authorHandle: '@KANJA_A', authorId: 'acct-77' })).json();
  expect(report).toEqual({
    mentions: 2,
    versions: 1,
    notes: 1,
    activities: 0,
    alertSamples: 1,
    retained: [{ mentionId: ids['m-1'], incidentId: incident!.id, reason: 'open_incident' }],
    dryRun: false,
  });
  const rows = await ctx.sql<{ external_id: string; text: string; author_handle: string | null; raw: unknown; erased: boolean }[]>`
    select external_id, text, author_handle, raw, erased_at is not null as erased from mentions where org_id = ${org.id} order by external_id`;
  expect(rows.map((r) => [r.external_id, r.erased, r.erased ? r.text : null, r.author_handle])).toEqual([
    ['m-1', false, null, 'Kanja_A'], // cited by the open incident: kept
    ['m-2', true, erasedText, null],
    ['m-3', true, erasedText, null],
    ['m-4', false, null, 'someone_else'],
  ]);
  expect(await ctx.sql`select 1 from mention_versions where org_id = ${org.id} and mention_id = ${ids['m-2']!}`).toHaveLength(0);
  expect(await ctx.sql`select 1 from mention_notes where org_id = ${org.id}`).toHaveLength(0);
  const [quoted] = await ctx.sql<
    { explanation: { samples: { text: string }[] } }[]
  >`select explanation from alerts where id = ${closedAlert}`;
  expect(quoted!.explanation.samples[0]!.text).toBe(erasedText);
  // The backlog sweep leaves erased posts alone: analysing the placeholder would rewrite their sentiment.
  const labels = await ctx.sql`select id, sentiment_label, analysis from mentions where org_id = ${org.id} order by id`;
  await analyzeStored(ctx, { mode: 'missing', orgId: org.id });
  await analyzeStored(ctx, { mode: 'stale', orgId: org.id });
  expect(await ctx.sql`select id, sentiment_label, analysis from mentions where org_id = ${org.id} order by id`).toEqual(labels);
  // Collected again: it stays erased.
  await ingest(deps, { orgId: org.id, sourceId: x.id, mentions: [hers(2, '受付の対応がひどい')] });
  expect((await ctx.sql<{ text: string }[]>`select text from mentions where id = ${ids['m-2']!}`)[0]!.text).toBe(erasedText);
  // Audited without the handle: a digest names the request.
  const audit = await ctx.sql<{ action: string; target_id: string; after: unknown }[]>`
    select action, target_id, after from audit_log where org_id = ${org.id} and target_type = 'person' order by seq`;
  expect(audit.map((a) => a.action)).toEqual(['privacy.erase_preview', 'privacy.erase']);
  expect(JSON.stringify(audit)).not.toMatch(/kanja/i);
}, 60_000);

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  notifyAlertChange,
  recordAlertEvent,
  routeToIncident,
  saveAlert,
  type DecisionContext,
} from '../../src/detection-pass/apply-decision.ts';
import { getAlert } from '../../src/detection-pass/queries.ts';
import type { MailEnqueueConfig } from '../../src/notify/enqueue-alert-mails.ts';
import type { AlertDecision, DetectionResult } from '../../src/detection/index.ts';
import { makeOrg, testContext } from '../factories/index.ts';
import { createTestDatabase, one, type TestDatabase } from '../support/db.ts';

// Each step of the detection pass's fan-out, alone, in a transaction of its own.

let db: TestDatabase;
let ctx: ReturnType<typeof testContext>;
beforeAll(async () => {
  db = await createTestDatabase();
  ctx = testContext(db);
});
afterAll(async () => {
  await db.drop();
});

const at0 = new Date('2026-11-25T03:00:00Z');
const bucket = (n: number) => new Date(at0.getTime() + n * 300_000);
const mail: MailEnqueueConfig = {
  from: 'Hinoko <alerts@hinoko.example.jp>',
  publicUrl: 'https://hinoko.example.jp',
  installationId: 'test-installation',
};

function decision(
  orgId: string,
  n: number,
  d: Partial<AlertDecision> & Pick<AlertDecision, 'action' | 'severity'>,
  latestSeverity = d.severity,
  episode = 'ep_a',
): DecisionContext {
  const full: AlertDecision = { episodeId: episode, kind: 'crisis', notify: d.action === 'open' || d.action === 'escalate', ...d };
  return {
    series: { orgId, watchTargetId: null, institutionNames: [] },
    at: bucket(n),
    result: { score: 0.5 + d.severity / 10, severity: latestSeverity, kind: full.kind, alert: full } as unknown as DetectionResult,
    decision: full,
    recent: true,
    summary: `【深刻度${d.severity}】 ${n}`,
    latest: { severity: latestSeverity, summary: `【深刻度${latestSeverity}】 ${n}` },
    explanation: { bucket: n } as never,
  };
}

describe('saveAlert', () => {
  it('keeps the peak (severity with the summary of that moment) apart from the latest reading', async () => {
    const { org } = await makeOrg(ctx);
    const save = (d: DecisionContext) => ctx.sql.begin((tx) => saveAlert(tx, d));
    const id = await save(decision(org.id, 0, { action: 'open', severity: 3 }));
    expect(id).toBeTruthy();
    await save(decision(org.id, 1, { action: 'escalate', severity: 5 }));
    // The next bucket reads 4, the episode stays at 5 as notified.
    await save(decision(org.id, 2, { action: 'update', severity: 5 }, 4));
    let alert = (await getAlert(ctx.sql, org.id, id!))!;
    expect(alert.severity).toBe(5);
    expect(alert.summary).toBe('【深刻度5】 1');
    expect(alert.latest).toEqual({ severity: 4, summary: '【深刻度4】 2', at: bucket(2) });
    expect(alert.status).toBe('open');

    await save(decision(org.id, 3, { action: 'close', severity: 5 }, 0));
    alert = (await getAlert(ctx.sql, org.id, id!))!;
    expect(alert).toMatchObject({ status: 'closed', severity: 5, summary: '【深刻度5】 1', closedAt: bucket(3) });
    expect(alert.latest.severity).toBe(4);
    // An update for an episode nobody opened (a rebuild starting mid-episode) saves nothing.
    expect(await save(decision(org.id, 4, { action: 'update', severity: 2 }, 2, 'ep_unknown'))).toBeNull();
  });
});

describe('recordAlertEvent', () => {
  it('records each event once with its audit row; a replay records nothing', async () => {
    const { org } = await makeOrg(ctx);
    const d = decision(org.id, 0, { action: 'open', severity: 3 });
    const id = await ctx.sql.begin((tx) => saveAlert(tx, d));
    const first = await ctx.sql.begin((tx) => recordAlertEvent(tx, d, id!));
    const replay = await ctx.sql.begin((tx) => recordAlertEvent(tx, d, id!));
    expect(first).toBeTruthy();
    expect(replay).toBeNull();
    const audit = await ctx.sql`select action from audit_log where org_id = ${org.id} and action like 'alert.%'`;
    expect(audit.map((r) => r.action)).toEqual(['alert.open']);
    const [event] = await ctx.sql`select severity, summary_ja from alert_events where id = ${first}`;
    expect(event).toEqual({ severity: 3, summary_ja: '【深刻度3】 0' });
  });
});

describe('routeToIncident', () => {
  it('a notifying crisis at the threshold opens an incident; its replay updates it; a notice opens none', async () => {
    const { org } = await makeOrg(ctx);
    const d = decision(org.id, 0, { action: 'open', severity: 3 });
    const id = await ctx.sql.begin((tx) => saveAlert(tx, d));
    const opened = await ctx.sql.begin((tx) => routeToIncident(tx, d, id!));
    expect(opened).toMatchObject({ action: 'opened' });
    expect(await ctx.sql.begin((tx) => routeToIncident(tx, d, id!))).toEqual({ incidentId: opened!.incidentId, action: 'updated' });

    const notice = decision(org.id, 0, { action: 'open', severity: 4, kind: 'notice' }, 4, 'ep_notice');
    const noticeId = await ctx.sql.begin((tx) => saveAlert(tx, notice));
    expect(await ctx.sql.begin((tx) => routeToIncident(tx, notice, noticeId!))).toBeNull();
  });
});

describe('notifyAlertChange', () => {
  it("mails the org's recipients for a notifying event, and nobody for a silent one", async () => {
    const { org } = await makeOrg(ctx);
    await ctx.sql`update organizations set settings = ${ctx.sql.json({ alerting: { recipients: ['pr@clinic.example.jp'], minSeverity: 3, notices: false } })} where id = ${org.id}`;
    const d = decision(org.id, 0, { action: 'open', severity: 3 });
    const id = await ctx.sql.begin((tx) => saveAlert(tx, d));
    const eventId = await ctx.sql.begin((tx) => recordAlertEvent(tx, d, id!));
    expect(await ctx.sql.begin((tx) => notifyAlertChange(tx, mail, d, id!, eventId!, null))).toBe('mailed');
    const rows = await ctx.sql`select to_address, subject from mail_outbox where org_id = ${org.id}`;
    expect(rows).toHaveLength(1);
    expect(one(rows).to_address).toBe('pr@clinic.example.jp');

    const silent = decision(org.id, 1, { action: 'update', severity: 3 });
    const silentEvent = await ctx.sql.begin((tx) => recordAlertEvent(tx, silent, id!));
    expect(await ctx.sql.begin((tx) => notifyAlertChange(tx, mail, silent, id!, silentEvent!, null))).toBe('none');
    expect(await ctx.sql`select 1 from mail_outbox where org_id = ${org.id}`).toHaveLength(1);
  });
});

describe('detectSeries and a late-data reset racing', () => {
  it('a detector state deleted while a pass starts never leaves the pass without a state', async () => {
    const { detectSeries } = await import('../../src/detection-pass/run-detection.ts');
    const { org } = await makeOrg(ctx);
    const src = one(
      await ctx.sql<{ id: string }[]>`
      insert into sources (org_id, type, name, config, schedule) values (${org.id}, 'import', 'race', '{}', '* * * * *') returning id`,
    );
    await ctx.sql`
      with k as (
        insert into mention_keys (org_id, source_id, external_id, posted_at) values (${org.id}, ${src.id}, 'race-1', ${bucket(0)}) returning id
      )
      insert into mentions (org_id, id, source_id, external_id, text, posted_at, url, raw)
      select ${org.id}, k.id, ${src.id}, 'race-1', 'テスト', ${bucket(0)}, 'https://example.test/1', '{}' from k`;
    const series = { orgId: org.id, watchTargetId: null, institutionNames: [] };
    const now = bucket(3);
    // The reset (src/detection-pass/run-detection.ts resetSeriesAfterLateData) deletes the row between
    // passes; here it is fired at the same moment as each pass, many times over.
    const errors: unknown[] = [];
    for (let i = 0; i < 150; i++) {
      await Promise.all([
        detectSeries(ctx, series, now).catch((err) => errors.push(err)),
        ctx.sql`delete from detector_states where org_id = ${org.id}`,
      ]);
    }
    expect(errors).toEqual([]);
  });
});

describe('notifyAlertChange for a relapse', () => {
  it("pages the policy again from level 1 as a new wave, once; the first wave's acknowledgement does not stop it", async () => {
    const { advanceEscalation } = await import('../../src/oncall/escalation.ts');
    const { org } = await makeOrg(ctx);
    const [u] = await ctx.sql<{ id: string }[]>`
      insert into users (org_id, name, email, role) values (${org.id}, '当番 花子', 'hanako@clinic.example.jp', 'oncall_manager') returning id`;
    await ctx.sql`insert into escalation_policies (org_id, levels, repeat) values (${org.id}, ${ctx.sql.json([
      { timeoutMinutes: 10, targets: [{ type: 'user', userId: u!.id }] },
      { timeoutMinutes: 10, targets: [{ type: 'address', address: 'jimu@clinic.example.jp' }] },
    ])}, 1)`;
    const now = bucket(0);
    const withIncident = { ...mail, incident: { ...mail, ackKey: ctx.keys.ackLinks, ackLinkTtlMs: 86_400_000, now } };
    const d = decision(org.id, 0, { action: 'open', severity: 4 });
    const id = await ctx.sql.begin((tx) => saveAlert(tx, d));
    const eventId = await ctx.sql.begin((tx) => recordAlertEvent(tx, d, id!));
    const opened = await ctx.sql.begin((tx) => routeToIncident(tx, d, id!));
    expect(await ctx.sql.begin((tx) => notifyAlertChange(tx, withIncident, d, id!, eventId!, opened))).toBe('paged');
    // Acknowledged in the first wave, then resolved… and a second wave reopens it.
    await ctx.sql`update incidents set acknowledged_at = ${bucket(1)}, status = 'resolved', resolved_at = ${bucket(2)} where id = ${opened!.incidentId}`;
    await ctx.sql`update incident_escalations set status = 'acknowledged', next_at = null where incident_id = ${opened!.incidentId}`;
    await ctx.sql`update incidents set status = 'active' where id = ${opened!.incidentId}`;
    const later = { ...withIncident, incident: { ...withIncident.incident, now: bucket(6) } };
    const wave = decision(org.id, 6, { action: 'escalate', severity: 4 });
    const waveEvent = await ctx.sql.begin((tx) => recordAlertEvent(tx, wave, id!));
    const relapsed = { incidentId: opened!.incidentId, action: 'relapsed' as const, relapse: 1 };
    expect(await ctx.sql.begin((tx) => notifyAlertChange(tx, later, wave, id!, waveEvent!, relapsed))).toBe('paged');
    // Replayed: nothing more.
    expect(await ctx.sql.begin((tx) => notifyAlertChange(tx, later, wave, id!, waveEvent!, relapsed))).toBe('paged');
    const pages = await ctx.sql<{ dedupe_key: string; to_address: string }[]>`
      select dedupe_key, to_address from mail_outbox where org_id = ${org.id} and dedupe_key like 'page:%' order by id`;
    expect(pages.map((p) => p.dedupe_key.replace(/^page:\d+:/, '').replace(/:to:.*/, ''))).toEqual(['r1:l1', 'w2:r1:l1']);
    expect(one(await ctx.sql`select status, wave from incident_escalations where incident_id = ${opened!.incidentId}`)).toEqual({
      status: 'active',
      wave: 2,
    });
    // Level 1 of the new wave delivered and timed out: level 2 is paged although the incident
    // carries the first wave's acknowledgement.
    await ctx.sql`update mail_outbox set status = 'sent', sent_at = ${bucket(6)} where org_id = ${org.id}`;
    const at = new Date(bucket(6).getTime() + 11 * 60_000);
    expect(await ctx.sql.begin((tx) => advanceEscalation(tx, { ...later.incident, now: at }, org.id, opened!.incidentId))).toBe(true);
    const last = await ctx.sql<
      { dedupe_key: string }[]
    >`select dedupe_key from mail_outbox where org_id = ${org.id} order by id desc limit 1`;
    expect(one(last).dedupe_key).toMatch(/:w2:r1:l2:to:jimu@clinic\.example\.jp$/);
  });

  it('without a policy, a relapse is mailed even at a severity already told', async () => {
    const { org } = await makeOrg(ctx);
    await ctx.sql`update organizations set settings = ${ctx.sql.json({ alerting: { recipients: ['pr@clinic.example.jp'], minSeverity: 3, notices: false } })} where id = ${org.id}`;
    const withIncident = { ...mail, incident: { ...mail, ackKey: ctx.keys.ackLinks, ackLinkTtlMs: 86_400_000, now: bucket(0) } };
    const d = decision(org.id, 0, { action: 'open', severity: 4 });
    const id = await ctx.sql.begin((tx) => saveAlert(tx, d));
    const eventId = await ctx.sql.begin((tx) => recordAlertEvent(tx, d, id!));
    const opened = await ctx.sql.begin((tx) => routeToIncident(tx, d, id!));
    expect(await ctx.sql.begin((tx) => notifyAlertChange(tx, withIncident, d, id!, eventId!, opened))).toBe('mailed');
    const wave = decision(org.id, 6, { action: 'reopen', severity: 4, notify: false });
    const waveEvent = await ctx.sql.begin((tx) => recordAlertEvent(tx, wave, id!));
    const relapsed = { incidentId: opened!.incidentId, action: 'relapsed' as const, relapse: 1 };
    expect(await ctx.sql.begin((tx) => notifyAlertChange(tx, withIncident, wave, id!, waveEvent!, relapsed))).toBe('mailed');
    expect(await ctx.sql`select 1 from mail_outbox where org_id = ${org.id}`).toHaveLength(2);
  });
});

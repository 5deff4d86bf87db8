import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { logger } from '../../src/logger.ts';
import { verifyAudit } from '../../src/audit/record.ts';
import { createApp } from '../../src/server/app.ts';
import { incidentForAlertChange } from '../../src/incidents/auto-open-incident.ts';
import { getIncident } from '../../src/incidents/queries.ts';
import { transitionIncident } from '../../src/incidents/transition-incident.ts';
import { RELAPSE_WINDOW_MS } from '../../src/incidents/relapse-incident.ts';
import { makeOrg, testContext, unique } from '../factories/index.ts';
import { testToken } from '../support/api-auth.ts';
import { createTestDatabase, one, type TestDatabase } from '../support/db.ts';

let db: TestDatabase;
let ctx: ReturnType<typeof testContext>;
let app: ReturnType<typeof createApp>;
// The admin of the organization the test made last (signIn after makeOrg).
let token: string;
let userId: string;
let now = new Date('2026-11-25T03:00:00Z');

beforeAll(async () => {
  db = await createTestDatabase();
  ctx = testContext(db, { now: () => now });
  app = createApp(ctx);
});
afterAll(async () => {
  await db.drop();
});

const auth = () => ({ authorization: `Bearer ${token}` });
const signIn = async (orgId: string) => {
  ({ token, userId } = await testToken(ctx, { orgId }));
};
const send = (method: string, path: string, body?: unknown) =>
  app.request(path, {
    method,
    headers: { ...auth(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

async function makeAlert(orgId: string, a: { kind?: 'crisis' | 'notice'; severity: number; risks?: string[]; openedAt?: Date }) {
  const openedAt = a.openedAt ?? new Date(now.getTime() - 10 * 60_000);
  const explanation = { riskCategories: (a.risks ?? []).map((category) => ({ category, count: 3 })) };
  const [row] = await ctx.sql<{ id: string }[]>`
    insert into alerts (org_id, watch_target_id, episode_id, kind, status, severity, peak_score, opened_at, updated_at, summary_ja, explanation)
    values (${orgId}, null, ${unique('ep')}, ${a.kind ?? 'crisis'}, 'open', ${a.severity}, 1, ${openedAt}, ${openedAt}, ${'炎上の疑い (深刻度 ' + a.severity + ')'}, ${ctx.sql.json(explanation)})
    returning id`;
  return { id: row!.id, openedAt };
}

/** What the detection pass does after recording an alert event. */
const detectionSees = (orgId: string, alertId: string, action = 'open', notify = true, extra: { recent?: boolean; at?: Date } = {}) =>
  ctx.sql.begin((tx) =>
    incidentForAlertChange(tx, {
      orgId,
      alertId,
      action,
      notify,
      at: extra.at ?? now,
      ...(extra.recent === undefined ? {} : { recent: extra.recent }),
    }),
  );

const taskKeys = async (orgId: string, incidentId: string) =>
  (
    await ctx.sql<
      { step_key: string }[]
    >`select step_key from incident_tasks where org_id = ${orgId} and incident_id = ${incidentId} order by step_key`
  ).map((r) => r.step_key);

describe('auto-open and attach', () => {
  it('a crisis alert at the threshold opens one incident with the matching tasks; a replay opens nothing more', async () => {
    const { org } = await makeOrg(ctx);
    await signIn(org.id);
    const alert = await makeAlert(org.id, { severity: 3 });
    const first = await detectionSees(org.id, alert.id);
    expect(first).toMatchObject({ action: 'opened' });
    const incidentId = first!.incidentId;
    expect(await taskKeys(org.id, incidentId)).toEqual([
      'fact-check',
      'internal-escalation',
      'official-statement',
      'post-deletion',
      'prevention',
    ]);
    const esc = one(
      await ctx.sql<
        { due_at: Date; owner_role: string }[]
      >`select due_at, owner_role from incident_tasks where incident_id = ${incidentId} and step_key = 'internal-escalation'`,
    );
    expect(esc.due_at.getTime()).toBe(alert.openedAt.getTime() + 3_600_000);
    expect(esc.owner_role).toBe('oncall_manager');

    const events = async () =>
      one(await ctx.sql<{ n: number }[]>`select count(*)::int as n from incident_events where incident_id = ${incidentId}`).n;
    const before = await events();
    expect(await detectionSees(org.id, alert.id, 'update')).toMatchObject({ action: 'updated', incidentId });
    expect(await detectionSees(org.id, alert.id, 'open')).toMatchObject({ action: 'updated', incidentId });
    expect(one(await ctx.sql<{ n: number }[]>`select count(*)::int as n from incidents where org_id = ${org.id}`).n).toBe(1);
    expect(await events()).toBe(before);
  });

  it('below the threshold nothing opens; the org threshold is a setting; a notice never auto-opens', async () => {
    const { org } = await makeOrg(ctx);
    await signIn(org.id);
    const low = await makeAlert(org.id, { severity: 2 });
    expect(await detectionSees(org.id, low.id)).toBeNull();
    const notice = await makeAlert(org.id, { kind: 'notice', severity: 5 });
    expect(await detectionSees(org.id, notice.id)).toBeNull();
    await ctx.sql`update organizations set settings = settings || '{"incidents":{"autoOpenSeverity":2}}'::jsonb where id = ${org.id}`;
    expect(await detectionSees(org.id, low.id)).toMatchObject({ action: 'opened' });
  });

  it('history caught up on (notify false) opens no incident', async () => {
    const { org } = await makeOrg(ctx);
    await signIn(org.id);
    const old = await makeAlert(org.id, { severity: 5, openedAt: new Date(now.getTime() - 3 * 86_400_000) });
    expect(await detectionSees(org.id, old.id, 'open', false)).toBeNull();
  });

  it('a further alert within the window attaches, raises severity and adds the new steps once', async () => {
    const { org } = await makeOrg(ctx);
    await signIn(org.id);
    const a = await makeAlert(org.id, { severity: 3 });
    const { incidentId } = (await detectionSees(org.id, a.id))!;
    const b = await makeAlert(org.id, { severity: 4, risks: ['医療過誤・誤診'] });
    expect(await detectionSees(org.id, b.id)).toMatchObject({ action: 'attached', incidentId });
    const detail = await getIncident(ctx.sql, org.id, incidentId);
    expect(detail.severity).toBe(4);
    expect(detail.riskCategories).toEqual(['医療過誤・誤診']);
    expect(detail.alerts.map((x) => x.id).sort()).toEqual([a.id, b.id].sort());
    expect(await taskKeys(org.id, incidentId)).toEqual([
      'fact-check',
      'internal-escalation',
      'legal-review',
      'media-response',
      'medical-safety',
      'official-statement',
      'post-deletion',
      'prevention',
    ]);
    expect(detail.timeline.map((e) => e.kind)).toEqual(['opened', 'tasks_added', 'alert_attached', 'severity_changed', 'tasks_added']);
    // Severity 5 by hand: no step has minSeverity 5, so nothing is added twice.
    const res = await send('POST', `/api/v1/organizations/${org.id}/incidents/${incidentId}/severity`, {
      severity: 5,
      reason: 'テレビ報道',
    });
    expect(res.status).toBe(200);
    expect((await taskKeys(org.id, incidentId)).length).toBe(8);
    // An alert outside the window (another day's flare-up) opens its own incident.
    now = new Date(now.getTime() + 2 * 86_400_000);
    const c = await makeAlert(org.id, { severity: 3 });
    const third = await detectionSees(org.id, c.id);
    expect(third).toMatchObject({ action: 'opened' });
    expect(third!.incidentId).not.toBe(incidentId);
  });

  it('個人情報 and 職員の不適切投稿 alerts instantiate their special steps', async () => {
    const { org } = await makeOrg(ctx);
    await signIn(org.id);
    const a = await makeAlert(org.id, { severity: 3, risks: ['個人情報・プライバシー', '職員の不適切投稿'] });
    const { incidentId } = (await detectionSees(org.id, a.id))!;
    const keys = await taskKeys(org.id, incidentId);
    expect(keys).toContain('authority-report');
    expect(keys).toContain('staff-accounts');
    expect(keys).not.toContain('medical-safety');
  });

  it('two series of one flare-up racing open one incident', async () => {
    const { org } = await makeOrg(ctx);
    await signIn(org.id);
    const a = await makeAlert(org.id, { severity: 3 });
    const b = await makeAlert(org.id, { severity: 3 });
    const [x, y] = await Promise.all([detectionSees(org.id, a.id), detectionSees(org.id, b.id)]);
    expect(x!.incidentId).toBe(y!.incidentId);
    expect([x!.action, y!.action].sort()).toEqual(['attached', 'opened']);
  });
});

describe('lifecycle through the API', () => {
  async function openIncident() {
    const { org } = await makeOrg(ctx);
    await signIn(org.id);
    const alert = await makeAlert(org.id, { severity: 3 });
    const { incidentId } = (await detectionSees(org.id, alert.id))!;
    return { orgId: org.id, incidentId, base: `/api/v1/organizations/${org.id}/incidents/${incidentId}` };
  }

  it('walks triage → active → stable → resolved → closed → reopened, stamping times, on the timeline and the audit log', async () => {
    const logged = vi.spyOn(logger, 'info');
    const { orgId, incidentId, base } = await openIncident();
    const go = (to: string, extra: Record<string, unknown> = {}) => send('POST', `${base}/transitions`, { to, ...extra });
    expect((await go('active')).status).toBe(200);
    now = new Date(now.getTime() + 60_000);
    expect((await go('stable')).status).toBe(200);
    expect((await go('resolved', { reason: 'タスクは別途対応' })).status).toBe(200);
    const closed = await go('closed');
    expect(closed.status).toBe(200);
    const body = await closed.json();
    expect(body.status).toBe('closed');
    for (const f of ['acknowledgedAt', 'mitigatedAt', 'resolvedAt', 'closedAt']) expect(body[f]).not.toBeNull();
    expect((await go('active')).status).toBe(400); // reopen needs a reason
    const reopened = await go('active', { reason: '再燃' });
    expect(reopened.status).toBe(200);
    expect(await reopened.json()).toMatchObject({ status: 'active', resolvedAt: null, closedAt: null });
    const detail = await (await send('GET', base)).json();
    expect(
      detail.timeline.filter((e: { kind: string }) => e.kind === 'status_changed').map((e: { data: { to: string } }) => e.data.to),
    ).toEqual(['active', 'stable', 'resolved', 'closed', 'active']);
    // Every timeline event is in the log at info, by kind and actor — never its data.
    const lines = logged.mock.calls.filter(([fields]) => (fields as { incidentId?: string }).incidentId === incidentId);
    expect(lines.map(([fields]) => (fields as { event: string }).event)).toEqual(detail.timeline.map((e: { kind: string }) => e.kind));
    expect(JSON.stringify(lines)).not.toContain('再燃');
    logged.mockRestore();
    expect(detail.tasks.length).toBe(5);
    const audited = await ctx.sql<
      { action: string }[]
    >`select action from audit_log where org_id = ${orgId} and target_type = 'incident' and target_id = ${incidentId} order by seq`;
    expect(audited.map((r) => r.action)).toEqual([
      'incident.open',
      'incident.acknowledge',
      'incident.mitigate',
      'incident.resolve',
      'incident.close',
      'incident.reopen',
    ]);
    expect((await verifyAudit(ctx.sql, orgId)).breaks).toEqual([]);
  });

  it('refuses forbidden moves (409), bad input (400), times before detection (400), other tenants (404), no token (401)', async () => {
    const { orgId, base } = await openIncident();
    const r1 = await send('POST', `${base}/transitions`, { to: 'closed' });
    expect(r1.status).toBe(409);
    expect((await r1.json()).error.code).toBe('conflict');
    expect((await send('POST', `${base}/transitions`, { to: 'done' })).status).toBe(400);
    expect((await send('POST', `${base}/transitions`, { to: 'active', extra: 1 })).status).toBe(400);
    const early = await send('POST', `${base}/transitions`, { to: 'active', at: '2020-01-01T00:00:00Z' });
    expect(early.status).toBe(400);
    expect((await early.json()).error.message).toMatch(/acknowledgedAt/);
    expect((await send('POST', `${base}/severity`, { severity: 4 })).status).toBe(400); // reason is mandatory
    expect((await send('POST', `${base}/severity`, { severity: 9, reason: 'x' })).status).toBe(400);
    const { org: other } = await makeOrg(ctx);
    expect((await send('GET', base.replace(`/organizations/${orgId}/`, `/organizations/${other.id}/`))).status).toBe(404);
    expect((await app.request(base)).status).toBe(401);
  });

  it('of two concurrent transitions one wins and the other gets a conflict', async () => {
    const { orgId, incidentId } = await openIncident();
    const actor = { type: 'cli' as const, id: 'test' };
    const results = await Promise.allSettled([
      transitionIncident(ctx, orgId, incidentId, { to: 'active' }, actor),
      transitionIncident(ctx, orgId, incidentId, { to: 'cancelled', reason: '誤検知' }, actor),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(lost.reason.code).toBe('conflict');
    const events = await ctx.sql`select 1 from incident_events where incident_id = ${incidentId} and kind = 'status_changed'`;
    expect(events).toHaveLength(1);
  });

  it('roles, notes and tasks: done with who and when, once; the statement stamps the first response; overdue tasks are listed', async () => {
    const { orgId, base } = await openIncident();
    const roles = await send('PATCH', `${base}/roles`, { commander: 'oncall_manager', communicationsLead: 'pr_staff', scribe: 'pr_staff' });
    expect(roles.status).toBe(200);
    expect((await roles.json()).roles).toEqual({ commander: 'oncall_manager', communicationsLead: 'pr_staff', scribe: 'pr_staff' });
    expect((await send('PATCH', `${base}/roles`, { commander: 'ceo' })).status).toBe(400);
    expect((await send('POST', `${base}/notes`, { text: '院長に報告済み' })).status).toBe(201);
    expect((await send('POST', `${base}/notes`, { text: 'x'.repeat(4001) })).status).toBe(400);
    const detail = await (await send('GET', base)).json();
    const statement = detail.tasks.find((t: { stepKey: string }) => t.stepKey === 'official-statement');
    const done = await send('PATCH', `${base}/tasks/${statement.id}`, { status: 'done' });
    expect(done.status).toBe(200);
    expect(await done.json()).toMatchObject({ status: 'done', doneBy: `user:${userId}` });
    expect((await send('PATCH', `${base}/tasks/${statement.id}`, { status: 'done' })).status).toBe(409);
    expect((await send('PATCH', `${base}/tasks/${statement.id}`, { status: 'finished' })).status).toBe(400);
    const after = await (await send('GET', base)).json();
    expect(after.firstResponseAt).not.toBeNull();
    expect(after.timeline.map((e: { kind: string }) => e.kind)).toEqual(expect.arrayContaining(['roles_changed', 'note', 'task_updated']));

    const overdue = async () =>
      (await (await send('GET', `/api/v1/organizations/${orgId}/incident-tasks/overdue`)).json()).items as { stepKey: string }[];
    expect((await overdue()).map((t) => t.stepKey)).not.toContain('internal-escalation');
    const saved = now;
    now = new Date(now.getTime() + 2 * 3_600_000);
    const late = (await overdue()).map((t) => t.stepKey);
    now = saved;
    expect(late).toContain('internal-escalation'); // due 1 h after detection
    expect(late).not.toContain('official-statement'); // done
  });

  it('people working on an incident while detection attaches alerts to it do not deadlock', async () => {
    const { orgId, incidentId } = await openIncident();
    const actor = { type: 'cli' as const, id: 'test' };
    const { addNote } = await import('../../src/incidents/add-note.ts');
    const { assignRoles } = await import('../../src/incidents/assign-roles.ts');
    for (let round = 0; round < 5; round++) {
      const alerts = await Promise.all([makeAlert(orgId, { severity: 4 }), makeAlert(orgId, { severity: 5 })]);
      const results = await Promise.allSettled([
        ...alerts.map((a) => detectionSees(orgId, a.id)),
        addNote(ctx, orgId, incidentId, { text: `round ${round}` }, actor),
        assignRoles(ctx, orgId, incidentId, { scribe: round % 2 ? 'pr_staff' : 'admin' }, actor),
        addNote(ctx, orgId, incidentId, { text: `round ${round} again` }, actor),
      ]);
      expect(results.filter((r) => r.status === 'rejected').map((r) => String(r.reason))).toEqual([]);
    }
    expect((await verifyAudit(ctx.sql, orgId)).breaks).toEqual([]);
  });

  it('the timeline is append-only', async () => {
    const { incidentId } = await openIncident();
    await expect(ctx.sql`update incident_events set data = '{}' where incident_id = ${incidentId}`).rejects.toThrow(/append-only/);
    await expect(ctx.sql`delete from incident_events where incident_id = ${incidentId}`).rejects.toThrow(/append-only/);
  });

  it('deleting the organization still removes its incidents and their timeline', async () => {
    const { orgId, incidentId } = await openIncident();
    await ctx.sql`delete from organizations where id = ${orgId}`;
    expect(await ctx.sql`select 1 from incident_events where incident_id = ${incidentId}`).toHaveLength(0);
  });
});

describe('authorization', () => {
  it('every incident route refuses a request without a valid token', async () => {
    const { org } = await makeOrg(ctx);
    await signIn(org.id);
    const o = `/api/v1/organizations/${org.id}`;
    const routes: [string, string][] = [
      ['GET', `${o}/incidents`],
      ['GET', `${o}/incidents/1`],
      ['POST', `${o}/incidents/1/transitions`],
      ['POST', `${o}/incidents/1/severity`],
      ['PATCH', `${o}/incidents/1/roles`],
      ['POST', `${o}/incidents/1/notes`],
      ['PATCH', `${o}/incidents/1/tasks/1`],
      ['GET', `${o}/incident-tasks/overdue`],
      ['POST', `${o}/alerts/1/incident`],
      ['GET', `${o}/playbook`],
      ['PUT', `${o}/playbook`],
    ];
    for (const [method, path] of routes) {
      const res = await app.request(path, {
        method,
        headers: { 'content-type': 'application/json', authorization: 'Bearer wrong-token-wrong-token-wrong' },
        body: method === 'GET' ? undefined : '{}',
      });
      expect([method, path, res.status]).toEqual([method, path, 401]);
    }
  });
});

describe('playbooks and promotion through the API', () => {
  it('GET serves the shipped default; PUT adds versions; new incidents use the newest; bad steps are refused', async () => {
    const { org } = await makeOrg(ctx);
    await signIn(org.id);
    const path = `/api/v1/organizations/${org.id}/playbook`;
    const def = await (await send('GET', path)).json();
    expect(def.version).toBe(0);
    expect(def.steps.map((s: { title: string }) => s.title)).toContain('院内エスカレーション');
    const step = {
      key: 'call-director',
      title: '院長へ電話',
      ownerRole: 'oncall_manager',
      dueOffsetMinutes: 15,
      checklist: ['電話する'],
      when: {},
    };
    const v1 = await send('PUT', path, { steps: [step] });
    expect(v1.status).toBe(200);
    expect((await v1.json()).version).toBe(1);
    expect((await (await send('PUT', path, { steps: [step, { ...step, key: 'press', when: { minSeverity: 4 } }] })).json()).version).toBe(
      2,
    );
    expect((await send('PUT', path, { steps: [{ ...step, ownerRole: 'ceo' }] })).status).toBe(400);
    expect((await (await send('GET', path)).json()).version).toBe(2);
    expect((await (await send('GET', `${path}?version=1`)).json()).steps).toHaveLength(1);
    expect((await (await send('GET', `${path}?version=0`)).json()).steps.length).toBe(def.steps.length);
    expect((await send('GET', `${path}?version=3`)).status).toBe(404);
    const bad = await send('PUT', path, { steps: [step, { ...step, key: 'x', title: 5 }] });
    expect((await bad.json()).error.message).toMatch(/^steps\[1\]\.title/);

    const alert = await makeAlert(org.id, { severity: 3 });
    const { incidentId } = (await detectionSees(org.id, alert.id))!;
    expect(await taskKeys(org.id, incidentId)).toEqual(['call-director']);
  });

  it('a low alert is promoted by hand once', async () => {
    const { org } = await makeOrg(ctx);
    await signIn(org.id);
    const alert = await makeAlert(org.id, { kind: 'notice', severity: 1 });
    const path = `/api/v1/organizations/${org.id}/alerts/${alert.id}/incident`;
    const res = await send('POST', path);
    expect(res.status).toBe(201);
    const inc = await res.json();
    expect(inc).toMatchObject({ status: 'triage', severity: 1 });
    expect((await send('POST', path)).status).toBe(409);
    const { org: other } = await makeOrg(ctx);
    expect((await send('POST', `/api/v1/organizations/${other.id}/alerts/${alert.id}/incident`)).status).toBe(404);
    const list = await (await send('GET', `/api/v1/organizations/${org.id}/incidents?status=triage`)).json();
    expect(list.items.map((i: { id: string }) => i.id)).toEqual([inc.id]);
    expect((await send('GET', `/api/v1/organizations/${org.id}/incidents?status=nope`)).status).toBe(400);
  });
});

describe('relapse: a new wave after resolution reopens the incident', () => {
  const actor = { type: 'cli' as const, id: 'test' };
  const resolve = (orgId: string, id: string) => transitionIncident(ctx, orgId, id, { to: 'resolved', reason: 'テスト: 収束' }, actor);
  const later = (minutes: number) => {
    now = new Date(now.getTime() + minutes * 60_000);
    return now;
  };

  async function resolvedIncident() {
    const { org } = await makeOrg(ctx);
    await signIn(org.id);
    const a = await makeAlert(org.id, { severity: 5 });
    const { incidentId } = (await detectionSees(org.id, a.id))!;
    await transitionIncident(ctx, org.id, incidentId, { to: 'active' }, actor);
    later(30);
    await resolve(org.id, incidentId);
    later(7);
    return { orgId: org.id, alertId: a.id, incidentId };
  }
  const relapseEvents = async (incidentId: string) =>
    (
      await getIncident(
        ctx.sql,
        (await ctx.sql<{ org_id: string }[]>`select org_id from incidents where id = ${incidentId}`)[0]!.org_id,
        incidentId,
      )
    ).timeline.filter((e) => e.kind === 'status_changed' && (e.data as { transition?: string }).transition === 'relapse');
  const audited = async (orgId: string, incidentId: string) =>
    (
      await ctx.sql<
        { action: string }[]
      >`select action from audit_log where org_id = ${orgId} and target_type = 'incident' and target_id = ${incidentId} order by seq`
    ).map((r) => r.action);

  it('the attached alert escalating 7 minutes after resolution reopens it: status active, on the timeline and audited, action relapsed; the same event replayed reopens nothing twice', async () => {
    const { orgId, alertId, incidentId } = await resolvedIncident();
    const at = now;
    const result = await detectionSees(orgId, alertId, 'escalate');
    expect(result).toEqual({ incidentId, action: 'relapsed', relapse: 1 });
    const detail = await getIncident(ctx.sql, orgId, incidentId);
    expect(detail).toMatchObject({ status: 'active', resolvedAt: null, closedAt: null });
    const [relapse] = await relapseEvents(incidentId);
    expect(relapse).toMatchObject({
      actorType: 'system',
      data: { from: 'resolved', to: 'active', alertId, alertAction: 'escalate', relapse: 1 },
    });
    expect((relapse!.data as { reason: string }).reason).toMatch(/^再燃: .*アラート #\d+/);
    expect((await audited(orgId, incidentId)).at(-1)).toBe('incident.relapse');
    expect((await verifyAudit(ctx.sql, orgId)).breaks).toEqual([]);

    // Replayed while it is open: an update, nothing more.
    expect(await detectionSees(orgId, alertId, 'escalate', true, { at })).toMatchObject({ action: 'updated', incidentId });
    // Resolved again, then the same event seen once more: still not a second relapse.
    later(30);
    await resolve(orgId, incidentId);
    expect(await detectionSees(orgId, alertId, 'escalate', true, { at })).toMatchObject({ action: 'updated', incidentId });
    expect((await getIncident(ctx.sql, orgId, incidentId)).status).toBe('resolved');
    expect(await relapseEvents(incidentId)).toHaveLength(1);
    // A later wave is a second relapse.
    later(10);
    expect(await detectionSees(orgId, alertId, 'reopen')).toEqual({ incidentId, action: 'relapsed', relapse: 2 });
    expect(await relapseEvents(incidentId)).toHaveLength(2);
  });

  it("the operator's case: the episode resumes at the severity already mailed (notify false) but recent: it reopens; as history (not recent) it does not", async () => {
    const { orgId, alertId, incidentId } = await resolvedIncident();
    expect(await detectionSees(orgId, alertId, 'reopen', false)).toMatchObject({ action: 'updated', incidentId });
    expect((await getIncident(ctx.sql, orgId, incidentId)).status).toBe('resolved');
    expect(await detectionSees(orgId, alertId, 'reopen', false, { recent: false })).toMatchObject({ action: 'updated', incidentId });
    expect((await getIncident(ctx.sql, orgId, incidentId)).status).toBe('resolved');
    later(5);
    expect(await detectionSees(orgId, alertId, 'reopen', false, { recent: true })).toEqual({ incidentId, action: 'relapsed', relapse: 1 });
    expect((await getIncident(ctx.sql, orgId, incidentId)).status).toBe('active');
  });

  it("a running episode's update, or a wave below the threshold, reopens nothing", async () => {
    const { orgId, alertId, incidentId } = await resolvedIncident();
    expect(await detectionSees(orgId, alertId, 'update')).toMatchObject({ action: 'updated' });
    await ctx.sql`update organizations set settings = settings || '{"incidents":{"autoOpenSeverity":5}}'::jsonb where id = ${orgId}`;
    await ctx.sql`update alerts set severity = 4 where id = ${alertId}`;
    expect(await detectionSees(orgId, alertId, 'escalate')).toMatchObject({ action: 'updated' });
    expect((await getIncident(ctx.sql, orgId, incidentId)).status).toBe('resolved');
    expect(await relapseEvents(incidentId)).toHaveLength(0);
  });

  it('a new alert (a new episode) reopens the resolved incident and joins it; as history it opens and reopens nothing', async () => {
    const { orgId, incidentId } = await resolvedIncident();
    const old = await makeAlert(orgId, { severity: 4 });
    expect(await detectionSees(orgId, old.id, 'open', false)).toBeNull();
    expect((await getIncident(ctx.sql, orgId, incidentId)).status).toBe('resolved');
    const wave = await makeAlert(orgId, { severity: 4, openedAt: now });
    expect(await detectionSees(orgId, wave.id)).toEqual({ incidentId, action: 'relapsed', relapse: 1 });
    const detail = await getIncident(ctx.sql, orgId, incidentId);
    expect(detail.status).toBe('active');
    expect(detail.alerts.map((a) => a.id)).toContain(wave.id);
    expect(detail.timeline.slice(-2).map((e) => e.kind)).toEqual(['status_changed', 'alert_attached']);
    expect(await ctx.sql`select 1 from incidents where org_id = ${orgId}`).toHaveLength(1);
    // Replayed: the alert belongs to the incident, which is open.
    expect(await detectionSees(orgId, wave.id)).toMatchObject({ action: 'updated', incidentId });
    expect(await relapseEvents(incidentId)).toHaveLength(1);
  });

  it('a wave more than a day after the resolution, or after the post-mortem was approved, opens a new incident', async () => {
    const { orgId, incidentId } = await resolvedIncident();
    later(RELAPSE_WINDOW_MS / 60_000 + 1);
    const late = await makeAlert(orgId, { severity: 4, openedAt: now });
    const opened = await detectionSees(orgId, late.id);
    expect(opened).toMatchObject({ action: 'opened' });
    expect(opened!.incidentId).not.toBe(incidentId);

    const second = await resolvedIncident();
    await ctx.sql`update postmortems set status = 'approved', approved_by = 'user:1', approved_at = ${now}, approved_version = version where incident_id = ${second.incidentId}`;
    const wave = await makeAlert(second.orgId, { severity: 4, openedAt: now });
    const fresh = await detectionSees(second.orgId, wave.id);
    expect(fresh).toMatchObject({ action: 'opened' });
    expect(fresh!.incidentId).not.toBe(second.incidentId);
    expect((await getIncident(ctx.sql, second.orgId, second.incidentId)).status).toBe('resolved');
  });
});

describe('alerts close with their incident', () => {
  const actor = { type: 'cli' as const, id: 'test' };

  it("resolving closes the incident's open alerts with an alert event and an audit row; a later wave of the same episode updates the same row", async () => {
    const { org } = await makeOrg(ctx);
    await signIn(org.id);
    const a = await makeAlert(org.id, { severity: 3 });
    const { incidentId } = (await detectionSees(org.id, a.id))!;
    const b = await makeAlert(org.id, { severity: 3 });
    await detectionSees(org.id, b.id);
    const other = await makeAlert(org.id, { severity: 1 });
    await transitionIncident(ctx, org.id, incidentId, { to: 'active' }, actor);
    now = new Date(now.getTime() + 60 * 60_000);
    const resolvedAt = now;
    await transitionIncident(ctx, org.id, incidentId, { to: 'resolved', reason: 'テスト' }, actor);

    const rows = await ctx.sql<{ id: string; status: string; closed_at: Date | null; episode_id: string }[]>`
      select id, status, closed_at, episode_id from alerts where org_id = ${org.id} order by id`;
    expect(rows.map((r) => [r.id, r.status])).toEqual([
      [a.id, 'closed'],
      [b.id, 'closed'],
      [other.id, 'open'],
    ]);
    for (const r of rows.slice(0, 2)) expect(r.closed_at).toEqual(resolvedAt);
    const events = await ctx.sql<{ alert_id: string; action: string; notify: boolean; bucket_start: Date }[]>`
      select alert_id, action, notify, bucket_start from alert_events where org_id = ${org.id} order by alert_id`;
    expect(events).toEqual([a.id, b.id].map((id) => ({ alert_id: id, action: 'close', notify: false, bucket_start: resolvedAt })));
    const audits = await ctx.sql<{ target_id: string; after: { incidentId: string } }[]>`
      select target_id, after from audit_log where org_id = ${org.id} and action = 'alert.close' order by seq`;
    expect(audits.map((r) => [r.target_id, r.after.incidentId])).toEqual([
      [a.id, incidentId],
      [b.id, incidentId],
    ]);
    const detail = await getIncident(ctx.sql, org.id, incidentId);
    expect(detail.timeline.filter((e) => e.kind === 'status_changed').at(-1)).toMatchObject({
      data: { to: 'resolved', closedAlerts: [a.id, b.id] },
    });
    expect(detail.alerts.map((x) => x.status)).toEqual(['closed', 'closed']);
    expect((await verifyAudit(ctx.sql, org.id)).breaks).toEqual([]);

    // The detection pass finds an alert by its episode (run-detection.ts applyDecision's update),
    // whatever closed it: the closed row is still the episode's, reopened in place.
    const episode = rows[0]!.episode_id;
    const reopened = await ctx.sql<{ id: string }[]>`
      update alerts set status = 'open', closed_at = null, updated_at = ${now}
      where org_id = ${org.id} and watch_target_id is not distinct from ${null} and episode_id = ${episode} returning id`;
    expect(reopened.map((r) => r.id)).toEqual([a.id]);
    now = new Date(now.getTime() + 10 * 60_000);
    expect(await detectionSees(org.id, a.id, 'reopen')).toEqual({ incidentId, action: 'relapsed', relapse: 1 });
    // Closing an already resolved incident has nothing left to close but the re-opened alert.
    await transitionIncident(ctx, org.id, incidentId, { to: 'resolved', reason: 'テスト' }, actor);
    await transitionIncident(ctx, org.id, incidentId, { to: 'closed' }, actor);
    expect((await ctx.sql<{ status: string }[]>`select status from alerts where id = ${a.id}`)[0]!.status).toBe('closed');
  });

  it('cancelling closes them too; an alert of another incident is left alone', async () => {
    const { org } = await makeOrg(ctx);
    await signIn(org.id);
    const a = await makeAlert(org.id, { severity: 3 });
    const { incidentId } = (await detectionSees(org.id, a.id))!;
    now = new Date(now.getTime() + 2 * 86_400_000);
    const c = await makeAlert(org.id, { severity: 3 });
    expect((await detectionSees(org.id, c.id))!.incidentId).not.toBe(incidentId);
    await transitionIncident(ctx, org.id, incidentId, { to: 'cancelled', reason: '誤検知' }, actor);
    const status = async (id: string) => (await ctx.sql<{ status: string }[]>`select status from alerts where id = ${id}`)[0]!.status;
    expect(await status(a.id)).toBe('closed');
    expect(await status(c.id)).toBe('open');
  });
});

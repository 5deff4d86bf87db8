import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actions, roleLabels, roles, type Role } from '../../src/access/permissions.ts';
import { systemActor } from '../../src/audit/record.ts';
import { createSession } from '../../src/auth/credentials.ts';
import { createUser } from '../../src/auth/create-user.ts';
import { addSource } from '../../src/collection/sources.ts';
import { saveSchedule } from '../../src/oncall/save-schedule.ts';
import { createApp } from '../../src/server/app.ts';
import { allSettingsPages } from '../../src/web/routes.tsx';
import { makeOrg, testContext } from '../factories/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// Issue 15: every settings page and form refuses what the role × action table forbids, and says
// why (who may, and what the viewer is); what it allows, it opens.

let db: TestDatabase;
let ctx: ReturnType<typeof testContext>;
let app: ReturnType<typeof createApp>;
const cookies = new Map<Role, string>();
const userIds = new Map<Role, string>();
const ids: Record<string, string> = {};

beforeAll(async () => {
  db = await createTestDatabase();
  ctx = testContext(db);
  app = createApp(ctx);
  const { org, target } = await makeOrg(ctx, 'ひまわり医院');
  for (const role of roles) {
    const { user } = await createUser(
      ctx,
      org.id,
      { name: `${roleLabels[role]} さん`, email: `${role}@roles.example.jp`, role, password: '長くて覚えやすい合言葉をここに書く' },
      systemActor,
    );
    userIds.set(role, user.id);
    const session = await ctx.sql.begin((tx) => createSession(tx, ctx, { id: user.id, orgId: org.id }, new Date(), null));
    cookies.set(role, `hinoko_session=${session.id}`);
  }
  const source = await addSource(ctx, {
    orgId: org.id,
    type: 'rss',
    name: 'ニュース',
    config: { feeds: ['https://news.example.jp/feed'] },
  });
  const schedule = await saveSchedule(
    ctx,
    org.id,
    null,
    {
      name: '当番',
      definition: {
        rotation: { userIds: [userIds.get('oncall_manager')!], lengthDays: 7, handoffTime: '09:00', startDate: '2026-01-01' },
        restDayRotation: null,
      },
    },
    systemActor,
  );
  Object.assign(ids, { targetId: target.id, sourceId: source.id, scheduleId: schedule.id, overrideId: '1', tokenId: '1' });
}, 60_000);

afterAll(async () => {
  await db.drop();
});

/** A concrete path for a page's pattern: real rows, the viewer's own user. */
function concrete(path: string, role: Role): string {
  if (path === '/settings/sources/new') return `${path}?type=rss`;
  return path.replace(/:([A-Za-z]+)/g, (_, name: string) => (name === 'userId' ? userIds.get(role)! : ids[name]!));
}

describe('settings pages and the role × action table', () => {
  it('lists every settings page it checks', () => {
    expect(allSettingsPages.length).toBeGreaterThan(30);
  });

  for (const role of roles) {
    it(`${role}: refused exactly where the table says, with who may; allowed pages open`, async () => {
      const refused: string[] = [];
      for (const page of allSettingsPages) {
        const url = concrete(page.path, role);
        const allowed = (actions[page.action].roles as readonly Role[]).includes(role);
        if (page.method === 'get') {
          const res = await app.request(url, { headers: { cookie: cookies.get(role)! } });
          const html = await res.text();
          if (allowed) {
            expect(res.status, `${role} GET ${url}`).toBe(200);
          } else {
            expect(res.status, `${role} GET ${url}`).toBe(403);
            expect(html).toContain(`このページを開けるのは ${actions[page.action].roles.map((r) => roleLabels[r]).join('・')} です`);
            expect(html).toContain(`（あなたは ${roleLabels[role]}）`);
            refused.push(`GET ${page.path}`);
          }
        } else if (!allowed) {
          // Refused before the form is read: no CSRF token needed to be told no, and nothing changes.
          const res = await app.request(url, {
            method: 'POST',
            headers: { cookie: cookies.get(role)!, 'content-type': 'application/x-www-form-urlencoded' },
            body: 'name=x',
          });
          expect(res.status, `${role} POST ${url}`).toBe(403);
          expect(await res.text()).toContain('この操作ができるのは');
          refused.push(`POST ${page.path}`);
        }
      }
      if (role === 'admin') expect(refused).toEqual([]);
      if (role === 'pr_staff') {
        for (const p of [
          'GET /settings/targets/new',
          'POST /settings/sources/new',
          'POST /settings/oncall/policy',
          'POST /settings/users',
          'POST /settings/playbook',
        ])
          expect(refused).toContain(p);
      }
      if (role === 'director') expect(refused).not.toContain('POST /settings/playbook');
    }, 60_000);
  }
});

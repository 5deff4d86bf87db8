import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/context.ts';
import { systemActor } from '../../src/audit/record.ts';
import { createUser } from '../../src/auth/create-user.ts';
import { RssFake } from '../fakes/rss-fake.ts';
import { makeOrg } from '../factories/index.ts';
import { seriousA11yViolations } from '../support/axe.ts';
import { screenshotBoth, signedInPage } from '../support/browser.ts';
import { openClinicSite, type ClinicSite } from '../support/clinic-site.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// Issue 15 item 2: an administrator sets a clinic up from the settings pages alone — a watch
// target with the searches it produces, an RSS source pointed at a local fake and its connection
// test, an on-call rotation with an override on the calendar, the escalation policy, a new user
// who then signs in — and every settings page refuses what the role × action table forbids.

let db: TestDatabase;
let ctx: AppContext;
let base: string;
let browser: Browser;
let orgId: string;
const password = '窓の外で桜の花びらが静かに舞う午後';
const people = {
  admin: { email: 'kanri@settings.example.jp', password, name: '管理 花子', role: 'admin' as const },
  director: { email: 'incho@settings.example.jp', password, name: '院長 一郎', role: 'director' as const },
  manager: { email: 'toban@settings.example.jp', password, name: '当番 次郎', role: 'oncall_manager' as const },
  staff: { email: 'koho@settings.example.jp', password, name: '広報 三恵', role: 'pr_staff' as const },
};

let site: ClinicSite;
beforeAll(async () => {
  db = await createTestDatabase();
  site = await openClinicSite(db, 'さくら台クリニック', people);
  ({ base, browser } = site);
  ({ ctx, orgId } = site);
}, 60_000);

afterAll(async () => {
  await site?.close();
  await db?.drop();
});

describe('settings', () => {
  it('watch targets: an admin previews the searches a new target produces, fixes a refused field, saves it and removes one', async () => {
    const { page, errors } = await signedInPage(browser, base, people.admin, '/settings');
    expect(await page.locator('.settings-index').innerText()).toContain('監視対象');
    await Promise.all([page.waitForURL(`${base}/settings/targets`), page.click('.settings-index a[href="/settings/targets"]')]);
    await Promise.all([page.waitForURL(`${base}/settings/targets/new`), page.click('a:text("監視対象を追加")')]);
    await page.fill('#wt-name', 'さくら台クリニック');
    await page.fill('#wt-names', 'さくら台クリニック\nさくら台内科');
    await page.fill('#wt-keywords', '桜井院長');
    await page.fill('#wt-exclusions', 'さくら台動物病院');
    await page.fill('#wt-h-x', 'sakuradai_cl');
    await page.fill('#wt-h-other', 'これは形が違う');
    await page.click('button:text("検索条件をプレビュー")');
    await page.waitForSelector('.error[role=alert]');
    expect(await page.locator('.error[role=alert]').innerText()).toContain('「ネットワーク=アカウント」の形にしてください');
    expect(await page.locator('#wt-keywords').inputValue()).toBe('桜井院長');
    await page.fill('#wt-h-other', '');
    await page.click('button:text("検索条件をプレビュー")');
    await page.waitForSelector('.previews');
    const preview = await page.locator('.previews').innerText();
    expect(preview).toContain('("さくら台クリニック" OR "さくら台内科" OR "桜井院長" OR @sakuradai_cl) -"さくら台動物病院"');
    expect(preview).toContain('#さくら台クリニック');
    expect(preview).toContain('このネットワークのソースは未登録です');
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect((await screenshotBoth(page, 'settings-target-form')).phoneOverflow).toBeLessThanOrEqual(0);
    await Promise.all([page.waitForURL(/done=added/), page.click('button:text("保存する")')]);
    const list = await page.locator('main').innerText();
    expect(list).toContain('さくら台内科');
    expect(list).toContain('X: sakuradai_cl');
    expect((await screenshotBoth(page, 'settings-targets')).phoneOverflow).toBeLessThanOrEqual(0);

    // The factory's target is removed: archived, gone from the list, still named by its posts.
    page.once('dialog', (d) => void d.accept());
    await Promise.all([
      page.waitForURL(/done=removed/),
      page.locator('section', { hasText: 'テスト内科' }).locator('button:text("外す")').click(),
    ]);
    expect(await page.locator('main').innerText()).not.toContain('テスト内科');
    const rows = await ctx.sql<{ name: string; archived: boolean }[]>`
      select name, archived_at is not null as archived from watch_targets where org_id = ${orgId} order by id`;
    expect(rows).toEqual([
      { name: 'テスト内科', archived: true },
      { name: 'さくら台クリニック', archived: false },
    ]);
    const audit = await ctx.sql<
      { action: string }[]
    >`select action from audit_log where org_id = ${orgId} and target_type = 'watch_target' order by id`;
    expect(audit.map((a) => a.action)).toEqual(['watch_target.create', 'watch_target.create', 'watch_target.remove']);
    expect(errors.filter((e) => !e.includes('400 (Bad Request)'))).toEqual([]);
    await page.close();
  }, 90_000);

  it('sources: an admin adds an RSS source pointed at a local feed, runs the connection test, sees a refusal in Japanese, disables it', async () => {
    const fake = await new RssFake().start();
    const now = new Date();
    fake.add({ guid: 'a1', title: 'さくら台クリニックが新棟を開設', description: '地域のニュース', pubDate: now }, now);
    fake.add({ guid: 'a2', title: '市の健診のお知らせ', description: '…', pubDate: now }, now);
    try {
      const { page, errors } = await signedInPage(browser, base, people.admin, '/settings/sources');
      await Promise.all([page.waitForURL(/\/settings\/sources\/new\?type=rss/), page.click('a[href="/settings/sources/new?type=rss"]')]);
      await page.fill('#src-name', '地域ニュース');
      await page.fill('#cfg-feeds', 'ftp://news.example.jp/feed');
      await page.click('button:text("追加する")');
      await page.waitForSelector('.error[role=alert]');
      expect(await page.locator('.error[role=alert]').innerText()).toContain('http(s) の URL のみ');
      expect(await page.locator('#src-name').inputValue()).toBe('地域ニュース');
      await page.fill('#cfg-feeds', '');
      await page.fill('#cfg-feedsAll', `${fake.baseUrl}/feed.xml`);
      await page.fill('#src-schedule', '*/15 * * * *');
      await Promise.all([page.waitForURL(/done=added/), page.click('button:text("追加する")')]);
      await Promise.all([page.waitForURL(/\/test$/), page.click('button:text("接続テスト")')]);
      const result = await page.locator('section[aria-labelledby=src-test]').innerText();
      expect(result).toContain('接続テストの結果: 成功');
      expect(result).toContain('応答から投稿を 2 件読めました');
      expect(result).toContain('HTTP 200');
      expect(result).toContain(`${fake.baseUrl}/feed.xml`);
      expect(await seriousA11yViolations(page)).toEqual([]);
      expect((await screenshotBoth(page, 'settings-source-test')).phoneOverflow).toBeLessThanOrEqual(0);
      // The test stored nothing: no post, no run, health untouched; it left an audit row.
      const [stored] = await ctx.sql<{ n: number }[]>`select count(*)::int as n from mentions where org_id = ${orgId}`;
      expect(stored!.n).toBe(0);
      const [source] = await ctx.sql<{ id: string; schedule: string; health: string; config: unknown }[]>`
        select id, schedule, health, config from sources where org_id = ${orgId} and type = 'rss'`;
      expect(source).toMatchObject({
        schedule: '*/15 * * * *',
        health: 'unknown',
        config: { feeds: [{ url: `${fake.baseUrl}/feed.xml`, matchAll: true }] },
      });
      const [tested] = await ctx.sql<{ n: number }[]>`
        select count(*)::int as n from audit_log where org_id = ${orgId} and action = 'source.test' and target_id = ${source!.id}`;
      expect(tested!.n).toBe(1);

      // A feed that answers 503 fails the test with what came back.
      fake.http.setFaults({ rate: 1, seed: 1, kinds: ['unavailable'] });
      await page.click('button:text("接続テスト")');
      await page.waitForSelector('.test-failed');
      expect(await page.locator('section[aria-labelledby=src-test]').innerText()).toContain('接続テストの結果: 失敗');
      fake.http.setFaults({ rate: 0, seed: 1, kinds: [] });

      await page.goto(`${base}/settings/sources`);
      expect(await page.locator('main').innerText()).toContain('*/15 * * * *・次回');
      expect((await screenshotBoth(page, 'settings-sources')).phoneOverflow).toBeLessThanOrEqual(0);
      page.once('dialog', (d) => void d.accept());
      await Promise.all([page.waitForURL(/done=disabled/), page.click('button:text("無効にする")')]);
      expect(await page.locator('main').innerText()).toContain('無効（収集しません）');
      expect(errors.filter((e) => !e.includes('400 (Bad Request)'))).toEqual([]);
      await page.close();
    } finally {
      await fake.close();
    }
  }, 90_000);

  it('on-call: an admin sets a rotation, an override shows on the calendar over the rotation, and the escalation policy is edited', async () => {
    const { page, errors } = await signedInPage(browser, base, people.admin, '/settings/oncall');
    expect(await page.locator('main').innerText()).toContain('当番表がありません');
    // The rotation: 当番 次郎 then 院長 一郎, a week each, from the first of this month (JST).
    const jstToday = new Date(Date.now() + 9 * 3_600_000).toISOString().slice(0, 10);
    const monthStart = `${jstToday.slice(0, 8)}01`;
    const ids = Object.fromEntries(
      (await ctx.sql<{ id: string; email: string }[]>`select id, email from users where org_id = ${orgId}`).map((u) => [u.email, u.id]),
    );
    await page.fill('#oc-name', '広報当番');
    await page.fill(`#r-u-${ids[people.manager.email]}`, '1');
    await page.fill(`#r-u-${ids[people.director.email]}`, '2');
    await page.fill('#r-length', '0');
    await page.fill('#r-start', monthStart);
    await page.click('button:text("当番表を保存")');
    await page.waitForSelector('.error[role=alert]');
    expect(await page.locator('.error[role=alert]').innerText()).toContain('通常の交代制の日数（1〜28）');
    await page.fill(`#r-u-${ids[people.manager.email]}`, '1');
    await page.fill(`#r-u-${ids[people.director.email]}`, '2');
    await page.fill('#r-length', '7');
    await page.fill('#r-start', monthStart);
    await Promise.all([page.waitForURL(/done=saved/), page.click('button:text("当番表を保存")')]);
    expect(await page.locator('.cal-day[aria-current=date]').getAttribute('data-date')).toBe(jstToday);
    const first = page.locator(`.cal-day[data-date="${monthStart}"]`);
    expect(await first.innerText()).toContain('当番 次郎');
    expect(await page.locator(`.cal-day[data-date="${monthStart.slice(0, 8)}08"]`).innerText()).toContain('院長 一郎');

    // Tomorrow 10:00–18:00 JST, 管理 花子 covers.
    const tomorrow = new Date(Date.parse(`${jstToday}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    await page.selectOption('#ov-user', { label: people.admin.name });
    await page.fill('#ov-from', `${tomorrow}T10:00`);
    await page.fill('#ov-to', `${tomorrow}T18:00`);
    await Promise.all([page.waitForURL(/done=override/), page.click('button:text("代理を保存")')]);
    const covered = await page.locator(`.cal-day[data-date="${tomorrow}"]`).innerText();
    expect(covered).toContain('代理 管理 花子 10:00〜18:00');
    expect(await page.locator('section[aria-labelledby=oc-ov]').innerText()).toContain(
      `${tomorrow.replaceAll('-', '/')} 10:00 〜 ${tomorrow.replaceAll('-', '/')} 18:00`,
    );
    const [onCall] = await ctx.sql<{ user_id: string }[]>`select user_id from oncall_overrides where org_id = ${orgId}`;
    expect(onCall!.user_id).toBe(ids[people.admin.email]);

    // Escalation: the on-call first, after 10 minutes the director.
    await page.fill('#lv0-timeout', '10');
    await page.check('label:text("広報当番の当番") >> xpath=preceding-sibling::input');
    await page.check(`#lv1-u-${ids[people.director.email]}`);
    await page.fill('#lv1-timeout', '20');
    await Promise.all([page.waitForURL(/done=policy/), page.click('button:text("エスカレーションを保存")')]);
    const policy = await page.locator('ol.levels').innerText();
    expect(policy).toContain('すぐに: 広報当番の当番');
    expect(policy).toContain('前の段階から 10 分応答がなければ: 院長 一郎');
    const [saved] = await ctx.sql<{ levels: unknown }[]>`select levels from escalation_policies where org_id = ${orgId}`;
    expect(saved!.levels).toEqual([
      { timeoutMinutes: 10, targets: [{ type: 'schedule', scheduleId: expect.any(String) }] },
      { timeoutMinutes: 20, targets: [{ type: 'user', userId: ids[people.director.email] }] },
    ]);
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect((await screenshotBoth(page, 'settings-oncall')).phoneOverflow).toBeLessThanOrEqual(0);
    expect(errors.filter((e) => !e.includes('400 (Bad Request)'))).toEqual([]);
    await page.close();
  }, 90_000);

  it('users: an admin adds a user whose generated password is shown once and who then signs in; the last admin cannot demote herself; a token is shown once', async () => {
    const { page, errors } = await signedInPage(browser, base, people.admin, '/settings/users');
    await page.fill('#u-name', '新人 四郎');
    // An address already here: refused by the server, the form kept.
    await page.fill('#u-email', people.staff.email);
    await page.click('button:text("追加する")');
    await page.waitForSelector('.error[role=alert]');
    expect(await page.locator('.error[role=alert]').innerText()).toContain('登録');
    expect(await page.locator('#u-name').inputValue()).toBe('新人 四郎');
    await page.fill('#u-email', 'shinjin@settings.example.jp');
    await page.selectOption('#u-role', 'oncall_manager');
    await page.click('button:text("追加する")');
    await page.waitForSelector('.secret');
    const initial = await page.locator('.secret input').inputValue();
    expect(initial.length).toBeGreaterThanOrEqual(15);
    expect(await page.locator('.secret').innerText()).toContain('この画面を離れると二度と表示されません');
    expect(await page.locator('main').innerText()).toContain('新人 四郎（当番責任者）');
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect((await screenshotBoth(page, 'settings-users')).phoneOverflow).toBeLessThanOrEqual(0);
    // Not in the page's address, and gone on the next visit.
    expect(page.url()).not.toContain(initial);
    await page.goto(`${base}/settings/users`);
    expect(await page.content()).not.toContain(initial);

    // The last admin: demoting herself is refused with the rule explained.
    await page.click('a:text("自分の設定・トークン")');
    await page.selectOption('#u-role-change', 'director');
    await page.click('button:text("役割を変える")');
    await page.waitForSelector('.error[role=alert]');
    const refused = await page.locator('.error[role=alert]').innerText();
    expect(refused).toContain('最後の管理者は無効化・降格できません');
    expect(refused).toContain('組織には有効な管理者が1人以上必要です');

    // Her own token, shown once, then revoked.
    await page.fill('#tk-label', 'Grafana 連携');
    await page.click('button:text("発行する")');
    await page.waitForSelector('.secret');
    expect(await page.locator('.secret input').inputValue()).toMatch(/^hnk_/);
    expect((await screenshotBoth(page, 'settings-user')).phoneOverflow).toBeLessThanOrEqual(0);
    page.once('dialog', (d) => void d.accept());
    await Promise.all([page.waitForURL(/done=revoked/), page.click('button:text("失効")')]);
    expect(await page.locator('section[aria-labelledby=u-tokens]').innerText()).toContain('ありません');
    expect(errors.filter((e) => !e.includes('400 (Bad Request)'))).toEqual([]);
    await page.close();

    // The new user signs in with the password handed over.
    const newcomer = await signedInPage(browser, base, { email: 'shinjin@settings.example.jp', password: initial }, '/settings/oncall');
    expect(await newcomer.page.locator('.who').innerText()).toContain('新人 四郎（当番責任者）');
    await newcomer.page.close();
    const audit = await ctx.sql<{ action: string }[]>`
      select action from audit_log where org_id = ${orgId} and action in ('user.create', 'user_token.create', 'user_token.revoke') order by id`;
    expect(audit.map((a) => a.action).slice(-3)).toEqual(['user.create', 'user_token.create', 'user_token.revoke']);
  }, 90_000);

  it('detection: the last 30 days replayed for every sensitivity as a chart and a table, then another one saved', async () => {
    const { page, errors } = await signedInPage(browser, base, people.admin, '/settings/detection');
    const table = await page.locator('table.figures-table').innerText();
    for (const name of ['少なめ', '標準（いまの設定）', '多め']) expect(table).toContain(name);
    await page.waitForSelector('#backtest-chart canvas');
    await page.check('#det-more');
    await Promise.all([page.waitForURL(/done=saved/), page.click('button:text("保存する")')]);
    expect(await page.locator('table.figures-table').innerText()).toContain('多め（いまの設定）');
    const [saved] = await ctx.sql<
      { s: string }[]
    >`select settings -> 'detection' ->> 'sensitivity' as s from organizations where id = ${orgId}`;
    expect(saved!.s).toBe('more');
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect((await screenshotBoth(page, 'settings-detection')).phoneOverflow).toBeLessThanOrEqual(0);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('playbook: a director adds a step and saves a new version; a bad due time is refused in Japanese; earlier versions stay readable', async () => {
    const { page, errors } = await signedInPage(browser, base, people.director, '/settings/playbook');
    expect(await page.locator('#pb-steps').innerText()).toContain('同梱の既定版');
    const count = Number(await page.locator('input[name=count]').inputValue());
    const fresh = count - 2;
    await page.fill(`#st${fresh}-title`, '院内掲示の確認');
    await page.fill(`#st${fresh}-due`, '一時間');
    await page.click('button:text("新しい版として保存")');
    await page.waitForSelector('.error[role=alert]');
    expect(await page.locator('.error[role=alert]').innerText()).toContain(`手順${fresh + 1}の期限（0〜129600分）`);
    await page.fill(`#st${fresh}-title`, '院内掲示の確認');
    await page.fill(`#st${fresh}-due`, '120');
    await page.fill(`#st${fresh}-check`, '待合室の掲示\n受付の案内');
    await page.fill(`#st${fresh}-order`, '1');
    await Promise.all([page.waitForURL(/done=saved/), page.click('button:text("新しい版として保存")')]);
    expect(await page.locator('.flash').innerText()).toContain('第1版として保存しました');
    const steps = await page.locator('#pb-steps + ol').innerText();
    expect(steps.split('\n')[0]).toContain('院内掲示の確認');
    expect(steps).toContain('検知から 2時間以内');
    expect(await page.locator('section[aria-labelledby=pb-versions]').innerText()).toContain('院長 一郎');
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect((await screenshotBoth(page, 'settings-playbook')).phoneOverflow).toBeLessThanOrEqual(0);
    await page.click('a:text("同梱の既定版")');
    expect(await page.locator('#pb-steps').innerText()).toContain('（過去の版）');
    expect(await page.locator('#pb-steps + ol').innerText()).not.toContain('院内掲示の確認');
    const [saved] = await ctx.sql<{ version: number; steps: { title: string; dueOffsetMinutes: number; checklist: string[] }[] }[]>`
      select version, steps from playbook_versions where org_id = ${orgId}`;
    expect(saved!.version).toBe(1);
    expect(saved!.steps[0]).toMatchObject({ title: '院内掲示の確認', dueOffsetMinutes: 120, checklist: ['待合室の掲示', '受付の案内'] });
    expect(saved!.steps).toHaveLength(fresh + 1);
    expect(errors.filter((e) => !e.includes('400 (Bad Request)'))).toEqual([]);
    await page.close();
  }, 90_000);

  it("organisations: an admin of two clinics switches to the other with that account's password; this session ends", async () => {
    const branch = await makeOrg(ctx, 'さくら台クリニック 駅前分院');
    const branchPassword = '駅前の分院で夕方の診察を終えて帰る';
    await createUser(ctx, branch.org.id, { ...people.admin, password: branchPassword }, systemActor);
    const { page, errors } = await signedInPage(browser, base, people.admin, '/settings/organization');
    const before = await page.context().cookies();
    const others = page.locator('section[aria-labelledby=org-others]');
    expect(await others.innerText()).toContain('さくら台クリニック 駅前分院');
    await others.locator('input[type=password]').fill('違うパスワードです違うパスワードです');
    await others.locator('button:text("切り替える")').click();
    await page.waitForSelector('p.error[role=alert]');
    expect(await page.locator('p.error[role=alert]').innerText()).toContain('パスワードが違います');
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect((await screenshotBoth(page, 'settings-organization')).phoneOverflow).toBeLessThanOrEqual(0);
    await others.locator('input[type=password]').fill(branchPassword);
    await Promise.all([page.waitForURL(`${base}/`), others.locator('button:text("切り替える")').click()]);
    expect(await page.locator('.org').innerText()).toContain('駅前分院');
    const old = before.find((c) => c.name === 'hinoko_session')!.value;
    // The old cookie no longer opens the first clinic.
    const res = await fetch(`${base}/settings`, { headers: { cookie: `hinoko_session=${old}` }, redirect: 'manual' });
    expect(res.headers.get('location')).toMatch(/^\/login/);
    expect(errors.filter((e) => !/40[01] \((Bad Request|Unauthorized)\)/.test(e))).toEqual([]);
    await page.close();
  }, 90_000);

  it('API docs: Swagger UI served by us renders the whole document under the CSP, /healthz and the webhooks included', async () => {
    const { page, errors } = await signedInPage(browser, base, people.staff, '/settings');
    await Promise.all([page.waitForURL(`${base}/docs/api`), page.click('.settings-index a[href="/docs/api"]')]);
    await page.waitForSelector('.swagger-ui .opblock-tag-section');
    const text = await page.locator('#api-docs').innerText();
    expect(text).toContain('Hinoko (火の粉) API');
    for (const tag of ['incidents', 'statements', 'oncall', 'sources']) expect(text).toContain(tag);
    await page.click('.opblock-tag:has-text("meta")');
    await page.waitForSelector('.opblock-summary-path[data-path="/healthz"]');
    // Nothing was loaded from anywhere else, and the CSP refused nothing (a refusal is a console error).
    const hosts = await page.evaluate("[...performance.getEntriesByType('resource')].map((e) => new URL(e.name).host)");
    expect([...new Set(hosts as string[])]).toEqual([new URL(base).host]);
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect((await screenshotBoth(page, 'api-docs')).phoneOverflow).toBeLessThanOrEqual(0);
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);
});

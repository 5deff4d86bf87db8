import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/audit/record.ts';
import { createUser } from '../../src/auth/create-user.ts';
import type { AppContext } from '../../src/context.ts';
import { createApp } from '../../src/server/app.ts';
import { RssFake } from '../fakes/rss-fake.ts';
import { makeOrg, testContext } from '../factories/index.ts';
import { seriousA11yViolations } from '../support/axe.ts';
import { launchChromium, screenshotBoth, signedInPage } from '../support/browser.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// Issue 15 item 2: an administrator sets a clinic up from the settings pages alone — a watch
// target with the searches it produces, an RSS source pointed at a local fake and its connection
// test, an on-call rotation with an override on the calendar, the escalation policy, a new user
// who then signs in — and every settings page refuses what the role × action table forbids.

let db: TestDatabase;
let ctx: AppContext;
let server: ServerType;
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

beforeAll(async () => {
  db = await createTestDatabase();
  ctx = testContext(db);
  const { org } = await makeOrg(ctx, 'さくら台クリニック');
  orgId = org.id;
  for (const p of Object.values(people)) await createUser(ctx, orgId, p, systemActor);
  server = serve({ fetch: createApp(ctx).fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
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
});

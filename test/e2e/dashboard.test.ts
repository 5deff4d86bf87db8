import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/audit/record.ts';
import { createUser } from '../../src/auth/create-user.ts';
import { createApp } from '../../src/server/app.ts';
import { ingest } from '../../src/ingest/pipeline.ts';
import { defaultIngestLimits } from '../../src/ingest/normalise.ts';
import { logger } from '../../src/logger.ts';
import { createOrganization } from '../../src/organizations/organizations.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { makeSource, mentionFixture, testContext, stubAnalyzer } from '../factories/index.ts';
import { launchChromium, screenshotDir } from '../support/browser.ts';

// The dashboard in a real headless Chromium (Debian's package): login, data, escaping.
let db: TestDatabase;
let server: ServerType;
let base: string;
const email = 'koho@page-demo.example.jp';
const password = '雨の日は図書館で静かに本を読む';
let browser: Browser;

beforeAll(async () => {
  db = await createTestDatabase();
  const ctx = testContext(db);
  const org = await createOrganization(ctx, { name: 'さくら内科クリニック（デモ）', slug: 'page-demo', isDemo: true });
  await createUser(ctx, org.id, { name: '広報 花子', email, role: 'pr_staff', password }, systemActor);
  const src = await makeSource(ctx, org.id, 'import');
  const now = Date.now();
  const analyzer = stubAnalyzer('t', (text: string) => ({
    sentiment: { label: text.includes('最悪') ? ('negative' as const) : ('positive' as const), score: 0 },
    risks: [],
    pii: [],
    terms: [],
  }));
  await ingest(
    { sql: ctx.sql, analyzer, detection: null, limits: defaultIngestLimits, now: () => new Date(), log: logger },
    {
      orgId: org.id,
      sourceId: src.id,
      mentions: [
        mentionFixture(1, { postedAt: new Date(now - 3_600_000), text: '先生の説明が丁寧でした', isDemo: true }),
        mentionFixture(2, {
          postedAt: new Date(now - 1_800_000),
          text: '最悪 <script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">',
          isDemo: true,
        }),
        mentionFixture(3, { postedAt: new Date(now - 600_000), text: '予約の相談です 090-1111-2222', isPrivate: true }),
      ],
    },
  );
  server = serve({ fetch: createApp(ctx).fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
  mkdirSync(screenshotDir, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
  await db?.drop();
});

describe('dashboard page', () => {
  it('asks for e-mail and password, refuses a wrong password, then shows the latest mentions and the volume chart', async () => {
    const page = await browser.newPage({ locale: 'ja-JP', viewport: { width: 1440, height: 900 } });
    await page.goto(base + '/');
    await expect(page.locator('input[name=email]').isVisible()).resolves.toBe(true);
    await page.fill('input[name=email]', email);
    await page.fill('input[name=password]', 'a-wrong-password-of-some-length');
    await page.click('button[type=submit]');
    await expect(page.locator('.error').textContent()).resolves.toContain('メールアドレスまたはパスワードが正しくありません');

    await page.fill('input[name=password]', password);
    await page.click('button[type=submit]');
    await page.waitForSelector('.rows.mentions');
    const body = await page.locator('body').innerText();
    expect(body).toContain('さくら内科クリニック（デモ）');
    expect(body).toContain('先生の説明が丁寧でした');
    expect(body).toContain('デモ');
    expect(body).toContain('ネガティブ');
    // A stranger's markup is shown as text and never runs.
    expect(body).toContain('<script>window.__pwned = 1</script>');
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(await page.locator('.post img').count()).toBe(0);
    // A private message is not on a 広報担当's dashboard at all (managers see it, on record).
    expect(body).not.toContain('090-1111-2222');
    expect(body).not.toContain('予約の相談です');
    // The volume chart (uPlot, served by us) draws the 24 hours as 96 quarter-hour points, plus the
    // current quarter so far unless the clock stands exactly on one.
    await page.waitForSelector('#overview-chart canvas');
    expect(['96', '97']).toContain(await page.locator('#overview-chart').getAttribute('data-points'));
    // The session cookie is HttpOnly: page scripts cannot read it.
    expect(await page.evaluate('document.cookie')).not.toContain('hinoko_session');
    await page.screenshot({ path: path.join(screenshotDir, 'dashboard-1440.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    // On a phone nothing is wider than the screen: the chart follows its box.
    await expect.poll(async () => (await page.locator('#overview-chart canvas').boundingBox())?.width ?? Infinity).toBeLessThanOrEqual(390);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.screenshot({ path: path.join(screenshotDir, 'dashboard-390.png'), fullPage: true });
    await page.setViewportSize({ width: 1440, height: 900 });
    // Logging out (the form carries the CSRF token) ends the session: back to the login form.
    await page.click('text=ログアウト');
    await page.waitForSelector('input[name=password]');
    await page.goto(base + '/');
    await expect(page.locator('input[name=email]').isVisible()).resolves.toBe(true);
    await page.close();
  }, 60_000);

  it('refuses a login posted from another site', async () => {
    const res = await fetch(base + '/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      body: new URLSearchParams({ email, password }).toString(),
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('set-cookie')).toBeNull();
  });
});

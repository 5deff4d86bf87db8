import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest, ingestDepsFrom } from '../../src/ingest/pipeline.ts';
import { makeSource, mentionFixture } from '../factories/index.ts';
import { seriousA11yViolations } from '../support/axe.ts';
import { screenshotBoth, signedInPage } from '../support/browser.ts';
import { openClinicSite, type ClinicSite } from '../support/clinic-site.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// Issue 17's browser proof: a staff member drafts a post with a violation and sees it marked in
// the text, fixes it, two colleagues approve, it is marked published — and an edit after approval
// sends it back for approval. Axe on the list and the editor, screenshots at 1440 and 390 px.

let db: TestDatabase;
let base: string;
let browser: Browser;
const password = '窓の外で桜の花びらが静かに舞う午後';
const people = {
  staff: { email: 'koho@posts.example.jp', password, name: '広報 三恵', role: 'pr_staff' as const },
  manager: { email: 'toban@posts.example.jp', password, name: '当番 次郎', role: 'oncall_manager' as const },
  director: { email: 'incho@posts.example.jp', password, name: '院長 一郎', role: 'director' as const },
  admin: { email: 'kanri@posts.example.jp', password, name: '管理 花子', role: 'admin' as const },
};

let site: ClinicSite;
beforeAll(async () => {
  db = await createTestDatabase();
  site = await openClinicSite(db, 'さくら台クリニック', people);
  ({ base, browser } = site);
}, 60_000);

afterAll(async () => {
  await site?.close();
  await db?.drop();
});

describe('pre-publication review', () => {
  it('draft with a violation → marked → fixed → two approvals → published; an edit after approval resets them', async () => {
    const staff = await signedInPage(browser, base, people.staff, '/posts');
    const page = staff.page;
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.selectOption('#new-channel', 'instagram');
    await page.fill('#new-text', '地域No.1の皮膚科です。インフルエンザ予防接種を10月1日から始めます。<script>window.__pwned=1</script>');
    await page.fill('#new-description', '受付カウンターの写真');
    await Promise.all([page.waitForURL(/\/posts\/\d+$/), page.click('button:text("下書きを保存してチェックする")')]);
    const postUrl = page.url();
    // The violation is marked where it is, with the rule it applies and a fix; the markup is inert text.
    expect(await page.locator('.statement-text mark').first().innerText()).toContain('地域No.1');
    const findings = await page.locator('.findings').innerText();
    expect(findings).toContain('比較優良');
    expect(findings).toContain('医療法6条の5');
    expect(await page.locator('.statement-text').innerText()).toContain('<script>');
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect((await screenshotBoth(page, 'post-editor')).phoneOverflow).toBeLessThanOrEqual(0);

    await page.fill('#edit-text', 'インフルエンザ予防接種を10月1日から始めます。ご予約はお電話で。');
    await Promise.all([page.waitForURL(/done=edit/), page.click('button:text("保存してチェックする")')]);
    expect(await page.locator('.findings').innerText()).not.toContain('比較優良');
    expect(await page.locator('.statement-text mark').count()).toBe(0);
    await Promise.all([page.waitForURL(/done=submit/), page.click('button:text("確認を依頼する")')]);
    expect(await page.locator('button:text("承認する")').count()).toBe(0);
    expect(await page.locator('#workflow').locator('..').innerText()).toContain('書いたため承認できません');

    for (const who of [people.manager, people.director]) {
      const reviewer = await signedInPage(browser, base, who, new URL(postUrl).pathname);
      await Promise.all([reviewer.page.waitForURL(/done=approve/), reviewer.page.click('button:text("承認する")')]);
      expect(reviewer.errors).toEqual([]);
      await reviewer.page.close();
    }
    await page.goto(postUrl);
    expect(await page.locator('.meta').first().innerText()).toContain('承認済み');
    expect(await page.locator('.meta').first().innerText()).toContain('承認 2/2');

    // A third edit after approval: back to 確認中, approvals reset.
    await page.fill('#edit-text', 'インフルエンザ予防接種を10月1日から始めます。ご予約はお電話かウェブで。');
    await Promise.all([page.waitForURL(/done=edit/), page.click('button:text("保存してチェックする")')]);
    expect(await page.locator('.meta').first().innerText()).toContain('確認中');
    expect(await page.locator('.meta').first().innerText()).toContain('承認 0/2');
    expect(await page.locator('#versions').locator('..').innerText()).toContain('第3版');

    for (const who of [people.manager, people.director]) {
      const reviewer = await signedInPage(browser, base, who, new URL(postUrl).pathname);
      await Promise.all([reviewer.page.waitForURL(/done=approve/), reviewer.page.click('button:text("承認する")')]);
      await reviewer.page.close();
    }
    await page.goto(postUrl);
    // The approved version, as Instagram's API takes it, downloaded for whoever posts it.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('button:text("チャネル用に書き出す")')]);
    expect(download.suggestedFilename()).toMatch(/^post-\d+-v3-instagram\.json$/);
    const exported = JSON.parse(readFileSync((await download.path())!, 'utf8')) as { body: { caption: string } };
    expect(exported.body.caption).toBe('インフルエンザ予防接種を10月1日から始めます。ご予約はお電話かウェブで。');
    await page.fill('#published-url', 'https://www.instagram.com/p/abc/');
    await Promise.all([page.waitForURL(/done=publish/), page.click('button:text("公開済みにする")')]);
    expect(await page.locator('.meta').first().innerText()).toContain('公開済み');
    expect(await page.locator('#reactions').locator('..').innerText()).toContain('まだ収集されていません');
    // Instagram gives comments the media's id, not the address: given afterwards, replies are counted.
    await page.fill('#published-id', '17900000001');
    await Promise.all([page.waitForURL(/done=link/), page.click('button:text("公開先を登録する")')]);
    const source = await makeSource(site.ctx, site.orgId);
    await ingest(ingestDepsFrom(site.ctx), {
      orgId: site.orgId,
      sourceId: source.id,
      mentions: [1, 2].map((i) =>
        mentionFixture(i, { externalId: `c-${i}`, url: null, replyToExternalId: '17900000001', postedAt: new Date() }),
      ),
    });
    await page.reload();
    const reactions = await page.locator('#reactions').locator('..').innerText();
    expect(reactions).toContain('投稿ID 17900000001');
    expect(reactions).toContain('返信 2件・引用 0件');
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect((await screenshotBoth(page, 'post-published')).phoneOverflow).toBeLessThanOrEqual(0);
    await page.goto(`${base}/posts`);
    expect(await page.locator('.list').innerText()).toContain('公開済み');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshotBoth(page, 'posts');
    expect(staff.errors).toEqual([]);
  }, 120_000);

  it('an admin sets the number of approvals and the clinic’s published details; a director sees them read-only', async () => {
    const { page, errors } = await signedInPage(browser, base, people.admin, '/settings/posts');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.selectOption('#pr-reviewers', '3');
    await page.fill('#pr-phones', '03-1234-5678');
    await page.fill('#pr-names', 'さくら 花子\n山田 一郎');
    await Promise.all([page.waitForURL(/done=saved/), page.click('button:text("保存する")')]);
    expect(await page.locator('#pr-reviewers').inputValue()).toBe('3');
    await screenshotBoth(page, 'settings-posts');
    // Too many names is refused in Japanese, with what was typed kept.
    await page.fill('#pr-names', Array.from({ length: 51 }, (_, i) => `職員${i}`).join('\n'));
    await page.click('button:text("保存する")');
    expect(await page.locator('[role=alert]').innerText()).toContain('50件まで');
    expect(errors.filter((e) => !e.includes('400 (Bad Request)'))).toEqual([]);
    const director = await signedInPage(browser, base, people.director, '/settings/posts');
    expect(await director.page.locator('#pr-reviewers').isDisabled()).toBe(true);
    expect(await director.page.locator('button:text("保存する")').count()).toBe(0);
  }, 60_000);
});

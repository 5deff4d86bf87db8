import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

// Debian's headless Chromium for page tests (.ci/run installs it with fonts-noto-cjk when missing).

export const chromiumPath = '/usr/bin/chromium';
/** Screenshots land here for people to look at; git ignores the folder. */
export const screenshotDir = path.resolve('test-artifacts/screenshots');

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath))
    throw new Error('Debian chromium is required for page tests: apt-get install chromium (.ci/run installs it)');
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A full-page screenshot at 1440 and at 390 px wide, and whether the phone view overflows sideways. */
export async function screenshotBoth(page: Page, name: string): Promise<{ phoneOverflow: number }> {
  mkdirSync(screenshotDir, { recursive: true });
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.screenshot({ path: path.join(screenshotDir, `${name}-1440.png`), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  // Charts follow their box through a ResizeObserver: give them a few frames to shrink to the phone.
  let phoneOverflow = 0;
  for (let i = 0; i < 40; i++) {
    phoneOverflow = (await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
    if (phoneOverflow <= 0) break;
    await page.waitForTimeout(50);
  }
  await page.screenshot({ path: path.join(screenshotDir, `${name}-390.png`), fullPage: true });
  await page.setViewportSize({ width: 1440, height: 900 });
  return { phoneOverflow };
}

/**
 * A 1440 px page signed in through the login form and on `next`, recording every console error
 * and uncaught exception (tests expect none, or exactly the ones they provoke).
 */
export async function signedInPage(
  browser: Browser,
  base: string,
  who: { email: string; password: string },
  next: string,
): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ locale: 'ja-JP', viewport: { width: 1440, height: 900 } });
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${base}/login?next=${encodeURIComponent(next)}`);
  await page.fill('input[name=email]', who.email);
  await page.fill('input[name=password]', who.password);
  await Promise.all([page.waitForURL(base + next), page.click('button[type=submit]')]);
  return { page, errors };
}

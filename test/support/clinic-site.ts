import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { systemActor } from '../../src/audit/record.ts';
import { createUser } from '../../src/auth/create-user.ts';
import type { AppContext } from '../../src/context.ts';
import { createApp } from '../../src/server/app.ts';
import { makeOrg, testContext } from '../factories/index.ts';
import { launchChromium } from './browser.ts';
import type { TestDatabase } from './db.ts';

// A clinic's site for page tests: one organisation with the given people, the app served on a
// local port, and Chromium; `close` ends all three.

export interface ClinicSite {
  ctx: AppContext;
  orgId: string;
  base: string;
  browser: Browser;
  close(): Promise<void>;
}

export async function openClinicSite(
  db: TestDatabase,
  orgName: string,
  people: Record<string, Parameters<typeof createUser>[2]>,
): Promise<ClinicSite> {
  const ctx = testContext(db);
  const { org } = await makeOrg(ctx, orgName);
  for (const p of Object.values(people)) await createUser(ctx, org.id, p, systemActor);
  const server = serve({ fetch: createApp(ctx).fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await launchChromium();
  return {
    ctx,
    orgId: org.id,
    base,
    browser,
    close: async () => {
      await browser.close();
      await new Promise((r) => server.close(r));
    },
  };
}

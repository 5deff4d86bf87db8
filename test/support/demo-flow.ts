import { afterAll, beforeAll } from 'vitest';
import { Jobs } from '../../src/jobs/runner.ts';
import { Mailer } from '../../src/notify/mailer.ts';
import { createSmtpTransport } from '../../src/notify/transports.ts';
import { detectOrg } from '../../src/detection-pass/run-detection.ts';
import { loadAnalyzer } from '../../src/analysis/index.ts';
import { ensureDemo } from '../../src/bootstrap/demo.ts';
import { runSource } from '../../src/collection/run-source.ts';
import type { AppContext } from '../../src/context.ts';
import { startSmtpFake, type SmtpFake } from '../fakes/smtp-fake.ts';
import { testContext } from '../factories/index.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';

// The stage the end-to-end flows (alert mail, escalation, the whole incident) share: a database of
// their own, a real SMTP server in-process, and the demo clinic on a clock the test moves, run
// minute by minute as the collector and the detection pass would run it.

export interface DatabaseAndSmtp {
  readonly db: TestDatabase;
  readonly smtp: SmtpFake;
}

/** A fresh database and SMTP server for the file, started before its tests and torn down after. */
export function useDatabaseAndSmtp(): DatabaseAndSmtp {
  const env = {} as { db: TestDatabase; smtp: SmtpFake };
  beforeAll(async () => {
    env.db = await createTestDatabase();
    env.smtp = await startSmtpFake();
  });
  afterAll(async () => {
    await env.smtp.close();
    await env.db.drop();
  });
  return env;
}

export interface DemoClinic {
  ctx: AppContext;
  orgId: string;
  sourceId: string;
  /** What ctx.now() answers; the test moves it. */
  clock: { now: Date };
}

/** The demo clinic as a first start creates it, with its flare-up a few minutes after `start`. */
export async function openDemoClinic(db: TestDatabase, start: Date): Promise<DemoClinic> {
  const clock = { now: start };
  const ctx = testContext(db, { analyzer: await loadAnalyzer(), now: () => clock.now });
  const orgId = (await ensureDemo(ctx, start)).orgId!;
  const [source] = await ctx.sql<{ id: string }[]>`select id from sources where org_id = ${orgId} and type = 'demo'`;
  return { ctx, orgId, sourceId: source!.id, clock };
}

/** Moves the clock to `at`, collects the demo stream and runs a detection pass, as the service would. */
export async function runDemoAt(clinic: DemoClinic, at: Date): Promise<void> {
  clinic.clock.now = at;
  await runSource(clinic.ctx, { sourceId: clinic.sourceId, trigger: 'manual' });
  await detectOrg(clinic.ctx, clinic.orgId, at);
}

/** The jobs of a mailer delivering to the SMTP fake, woken by the outbox NOTIFY as in the service. */
export function demoMailer(ctx: AppContext, smtp: SmtpFake, instanceId: string, pollMs: number): Jobs {
  return new Jobs<AppContext>(
    ctx,
    new Mailer(
      { sql: ctx.sql, log: ctx.log, instanceId },
      { transport: createSmtpTransport(smtp.url), from: ctx.config.mail.from, pollMs },
    ).jobs(),
  );
}

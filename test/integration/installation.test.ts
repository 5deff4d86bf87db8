import { afterAll, beforeAll, expect, it } from 'vitest';
import { enqueueAlertMails } from '../../src/notify/enqueue-alert-mails.ts';
import { installationIdOf, loadInstallationId } from '../../src/notify/installation.ts';
import { mailEnqueueConfigFor } from '../../src/notify/mail-config.ts';
import { updateAlertingSettings } from '../../src/notify/recipients.ts';
import { systemActor } from '../../src/audit/record.ts';
import { connect } from '../../src/db/connect.ts';
import { makeOrg, testContext } from '../factories/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// Issue 12 item 8: four installations with the default From: (…@localhost) gave four different
// incidents the same Message-ID. Each database now has its own random installation id, folded
// into every Message-ID. Two fresh databases stand for two installations.

let first: TestDatabase;
let second: TestDatabase;
beforeAll(async () => {
  [first, second] = await Promise.all([createTestDatabase(), createTestDatabase()]);
});
afterAll(async () => {
  await Promise.all([first.drop(), second.drop()]);
});

it('a database gets one random installation id: instances starting together agree, later starts read it back, another database has its own', async () => {
  // Six first starts at once (the pool runs them on separate connections).
  const ids = await Promise.all(Array.from({ length: 6 }, () => loadInstallationId(first.sql)));
  expect(new Set(ids).size).toBe(1);
  expect(ids[0]).toMatch(/^[0-9a-f-]{36}$/);
  // Another instance (its own pool) on the same database.
  const other = connect(first.url, { max: 2, applicationName: 'hinoko-test-other' });
  try {
    expect(await installationIdOf(other.sql)).toBe(ids[0]);
  } finally {
    await other.close();
  }
  expect(await installationIdOf(first.sql)).toBe(ids[0]);
  expect(await first.sql`select 1 from installation`).toHaveLength(1);
  expect(await installationIdOf(second.sql)).not.toBe(ids[0]);
});

it('two installations mailing "the same" alert (same org id, alert id, bucket, recipient, From: @localhost) use different Message-IDs', async () => {
  const at = new Date('2026-11-20T01:05:00Z');
  async function mailOnce(db: TestDatabase) {
    const ctx = testContext(db, { now: () => at });
    expect(ctx.config.mail.from).toMatch(/@localhost>$/);
    const { org } = await makeOrg(ctx);
    await updateAlertingSettings(ctx.sql, org.id, { recipients: ['oncall@clinic.example.jp'] }, systemActor);
    const mail = await mailEnqueueConfigFor(ctx, at);
    return ctx.sql.begin(async (tx) => {
      const [a] = await tx<{ id: string }[]>`
        insert into alerts (org_id, episode_id, kind, status, severity, peak_score, opened_at, updated_at, summary_ja, explanation)
        values (${org.id}, 'ep-1', 'crisis', 'open', 4, 0.9, ${at}, ${at}, '炎上の疑い', '{}') returning id`;
      const [e] = await tx<{ id: string }[]>`
        insert into alert_events (org_id, alert_id, action, notify, severity, score, bucket_start, summary_ja)
        values (${org.id}, ${a!.id}, 'open', true, 4, 0.9, ${at}, 'x') returning id`;
      await enqueueAlertMails(tx, mail, {
        orgId: org.id,
        watchTargetId: null,
        alertId: a!.id,
        alertEventId: e!.id,
        action: 'open',
        kind: 'crisis',
        severity: 4,
        summary: '炎上の疑い',
        explanation: {},
        at,
      });
      const [row] = await tx<{ org_id: string; alert_id: string; dedupe_key: string; message_id: string }[]>`
        select org_id, alert_id, dedupe_key, message_id from mail_outbox where org_id = ${org.id}`;
      return row!;
    });
  }
  const [x, y] = [await mailOnce(first), await mailOnce(second)];
  // The collision the operator saw needs everything else equal: it is here.
  expect([y.org_id, y.alert_id, y.dedupe_key]).toEqual([x.org_id, x.alert_id, x.dedupe_key]);
  expect(x.message_id).toMatch(/@localhost>$/);
  expect(y.message_id).not.toBe(x.message_id);
});

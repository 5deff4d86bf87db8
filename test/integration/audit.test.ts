import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordAudit, systemActor, verifyAudit } from '../../src/audit/record.ts';
import { createApp } from '../../src/server/app.ts';
import { ingest } from '../../src/ingest/pipeline.ts';
import { defaultIngestLimits } from '../../src/ingest/normalise.ts';
import { logger } from '../../src/logger.ts';
import { testToken } from '../support/api-auth.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { makeOrg, makeSource, mentionFixture, testContext } from '../factories/index.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

describe('audit log', () => {
  it('records API changes with who, what, before/after and request id, in the same transaction as the change', async () => {
    const ctx = testContext(db);
    const creator = await testToken(ctx);
    const app = createApp(ctx);
    const common = { 'content-type': 'application/json', 'x-request-id': 'req-audit-1' };
    const org = await (
      await app.request('/api/v1/organizations', {
        method: 'POST',
        headers: { ...common, authorization: `Bearer ${creator.token}` },
        body: JSON.stringify({ name: '監査病院', slug: 'audit-org' }),
      })
    ).json();
    // The new organization is worked in by its own admin.
    const admin = await testToken(ctx, { orgId: org.id });
    const headers = { ...common, authorization: `Bearer ${admin.token}` };
    const src = await (
      await app.request(`/api/v1/organizations/${org.id}/sources`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ type: 'demo', name: 'd' }),
      })
    ).json();
    await app.request(`/api/v1/organizations/${org.id}/sources/${src.id}`, {
      method: 'PATCH',
      headers,
      body: JSON.stringify({ enabled: false }),
    });
    // A refused change leaves no audit row.
    await app.request(`/api/v1/organizations/${org.id}/sources`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ type: 'demo', name: 'd', schedule: 'nope' }),
    });
    const rows =
      await ctx.sql`select seq, action, actor_type, actor_id, request_id, before, after from audit_log where chain = ${org.id} order by seq`;
    expect(rows.map((r) => [Number(r.seq), r.action, r.actor_type, r.actor_id, r.request_id])).toEqual([
      [1, 'organization.create', 'user', creator.userId, 'req-audit-1'],
      [2, 'source.add', 'user', admin.userId, 'req-audit-1'],
      [3, 'source.disable', 'user', admin.userId, 'req-audit-1'],
    ]);
    expect(rows[2]!.before.enabled).toBe(true);
    expect(rows[2]!.after.enabled).toBe(false);
  });

  it('logs every view of a private message', async () => {
    const ctx = testContext(db);
    const app = createApp(ctx);
    const { org } = await makeOrg(ctx);
    const { token } = await testToken(ctx, { orgId: org.id });
    const src = await makeSource(ctx, org.id);
    await ingest(
      { sql: ctx.sql, analyzer: null, detection: null, limits: defaultIngestLimits, now: () => new Date(), log: logger },
      {
        orgId: org.id,
        sourceId: src.id,
        mentions: [mentionFixture(1, { isPrivate: true, text: '薬の副作用が心配です' }), mentionFixture(2)],
      },
    );
    const auth = { authorization: `Bearer ${token}` };
    const list = await (await app.request(`/api/v1/organizations/${org.id}/mentions`, { headers: auth })).json();
    const privateId = list.items.find((m: { isPrivate: boolean }) => m.isPrivate).id;
    await app.request(`/api/v1/organizations/${org.id}/mentions/${privateId}`, { headers: auth });
    const views = await ctx.sql`select after from audit_log where chain = ${org.id} and action = 'mention.view_private' order by seq`;
    expect(views.map((v) => v.after.mentionIds)).toEqual([[privateId], [privateId]]);
  });

  it('is append-only in the database, and verify names the first broken link after tampering', async () => {
    const ctx = testContext(db);
    const { org } = await makeOrg(ctx);
    // Twenty concurrent writers on one chain: contiguous, one chain, intact.
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        ctx.sql.begin((tx) => recordAudit(tx, systemActor, { orgId: org.id, action: 'test.write', targetId: String(i) })),
      ),
    );
    const seqs = (await ctx.sql`select seq from audit_log where chain = ${org.id} order by seq`).map((r) => Number(r.seq));
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    expect((await verifyAudit(ctx.sql, org.id)).breaks).toEqual([]);

    await expect(ctx.sql`update audit_log set action = 'x' where chain = ${org.id}`).rejects.toThrow(/append-only/);
    await expect(ctx.sql`delete from audit_log where chain = ${org.id}`).rejects.toThrow(/append-only/);

    // Someone with the power to disable the guard edits row 5 and deletes row 9.
    await ctx.sql.begin(async (tx) => {
      await tx`alter table audit_log disable trigger audit_log_no_update_or_delete`;
      await tx`update audit_log set after = '{"forged": true}' where chain = ${org.id} and seq = 5`;
      await tx`alter table audit_log enable trigger audit_log_no_update_or_delete`;
    });
    const edited = await verifyAudit(ctx.sql, org.id);
    expect(edited.breaks).toEqual([expect.objectContaining({ chain: org.id, seq: 5, reason: expect.stringContaining('edited') })]);
  });
});

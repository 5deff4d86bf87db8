import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/context.ts';
import { createSession } from '../../src/auth/credentials.ts';
import { connect, type DbHandle } from '../../src/db/connect.ts';
import { ingest, ingestDepsFrom } from '../../src/ingest/pipeline.ts';
import { MAX_STREAMS_PER_USER } from '../../src/live/stream.ts';
import { createApp } from '../../src/server/app.ts';
import { makeOrg, makeSource, mentionFixture, testContext } from '../factories/index.ts';
import { testToken } from '../support/api-auth.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// Issue 14 item 2: pages are live — a commit on any instance reaches the open pages of that
// organisation (and no other) through NOTIFY and Server-Sent Events, and after the database
// connection is lost, the stream says so (resync) once it is back.

let db: TestDatabase;
let other: DbHandle;
let a: AppContext;
let b: AppContext;
let server: ServerType;
let base: string;

beforeAll(async () => {
  db = await createTestDatabase();
  // Two instances: their own pools on the same database; the page is served by A, the post arrives at B.
  other = connect(db.url, { max: 4, applicationName: 'hinoko-test-b' });
  a = testContext(db);
  b = testContext({ ...db, sql: other.sql, db: other.db });
  server = serve({ fetch: createApp(a).fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  // Streams a failed test left open would hold the server's close forever.
  (server as unknown as { closeAllConnections?: () => void } | undefined)?.closeAllConnections?.();
  await new Promise((r) => server?.close(r));
  await other?.sql.end();
  await db?.drop();
});

async function cookieFor(ctx: AppContext, orgId: string): Promise<string> {
  const { userId } = await testToken(ctx, { orgId, role: 'pr_staff' });
  const session = await ctx.sql.begin((tx) => createSession(tx, ctx, { id: userId, orgId }, new Date(), null));
  return `hinoko_session=${session.id}`;
}

/** An open /events stream and the events read from it so far. */
async function openStream(cookie: string) {
  const controller = new AbortController();
  const res = await fetch(`${base}/events`, { headers: { cookie }, signal: controller.signal });
  const events: string[] = [];
  const waiters: (() => void)[] = [];
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const name = /^event: (.+)$/m.exec(block)?.[1];
          if (name) events.push(name);
          waiters.splice(0).forEach((w) => w());
        }
      }
    } catch {
      // aborted
    }
  })();
  const next = async (name: string, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!events.includes(name)) {
      if (Date.now() > deadline) throw new Error(`no ${name} event; got ${events.join(', ')}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 200).unref();
      });
    }
    events.splice(events.indexOf(name), 1);
  };
  return { res, events, next, close: () => controller.abort() };
}

describe('live pages', () => {
  it('a post stored through another instance reaches the open page of its organisation, not another’s', async () => {
    const { org } = await makeOrg(a);
    const { org: elsewhere } = await makeOrg(a, '別の病院');
    const src = await makeSource(b, org.id);
    const mine = await openStream(await cookieFor(a, org.id));
    const theirs = await openStream(await cookieFor(a, elsewhere.id));
    expect(mine.res.headers.get('content-type')).toContain('text/event-stream');
    await mine.next('hello');
    await theirs.next('hello');

    await ingest(ingestDepsFrom(b), { orgId: org.id, sourceId: src.id, mentions: [mentionFixture(1, { postedAt: new Date() })] });
    await mine.next('mentions');
    // An incident's timeline entry is news to the page too.
    await b.sql`
      insert into incidents (org_id, title, status, severity, playbook_version, detected_at, created_at, updated_at)
      values (${org.id}, '速報', 'triage', 3, 1, now(), now(), now())`;
    const [incident] = await b.sql<{ id: string }[]>`select id from incidents where org_id = ${org.id}`;
    await b.sql`insert into incident_events (org_id, incident_id, at, kind, actor_type) values (${org.id}, ${incident!.id}, now(), 'note', 'system')`;
    await mine.next('incident');
    expect(theirs.events).toEqual([]);
    mine.close();
    theirs.close();
  });

  it('a rolled-back write tells nobody', async () => {
    const { org } = await makeOrg(a);
    const src = await makeSource(a, org.id);
    const stream = await openStream(await cookieFor(a, org.id));
    await stream.next('hello');
    await b.sql
      .begin(async (tx) => {
        await tx`
          with k as (
            insert into mention_keys (org_id, source_id, external_id, posted_at) values (${org.id}, ${src.id}, 'rolled-back', now()) returning id
          )
          insert into mentions (org_id, id, source_id, external_id, text, posted_at, raw)
          select ${org.id}, k.id, ${src.id}, 'rolled-back', 'x', now(), '{}'::jsonb from k`;
        throw new Error('roll back');
      })
      .catch(() => {});
    // A committed write afterwards arrives; the rolled-back one never did.
    await ingest(ingestDepsFrom(b), { orgId: org.id, sourceId: src.id, mentions: [mentionFixture(2, { postedAt: new Date() })] });
    await stream.next('mentions');
    expect(stream.events.filter((e) => e === 'mentions')).toEqual([]);
    stream.close();
  });

  it('after the listening connection is lost the stream asks the page to catch up, and goes on', async () => {
    const { org } = await makeOrg(a);
    const src = await makeSource(b, org.id);
    const stream = await openStream(await cookieFor(a, org.id));
    await stream.next('hello');
    try {
      const killed = await b.sql<{ pid: number }[]>`
        select pid from pg_stat_activity
        where datname = current_database() and query ilike 'listen%' and pg_terminate_backend(pid)`;
      expect(killed.length).toBeGreaterThan(0);
      await stream.next('resync', 20_000);
      await ingest(ingestDepsFrom(b), { orgId: org.id, sourceId: src.id, mentions: [mentionFixture(3, { postedAt: new Date() })] });
      await stream.next('mentions');
    } finally {
      stream.close();
    }
  });

  it(`refuses a person’s ${MAX_STREAMS_PER_USER + 1}th open stream, and a visitor without a session`, async () => {
    const { org } = await makeOrg(a);
    const cookie = await cookieFor(a, org.id);
    const streams = [];
    for (let i = 0; i < MAX_STREAMS_PER_USER; i++) {
      const s = await openStream(cookie);
      await s.next('hello');
      streams.push(s);
    }
    const refused = await fetch(`${base}/events`, { headers: { cookie } });
    expect(refused.status).toBe(429);
    await refused.text();
    const anonymous = await fetch(`${base}/events`, { redirect: 'manual' });
    expect(anonymous.status).toBe(303);
    for (const s of streams) s.close();
  });
});

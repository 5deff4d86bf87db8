// npm run bench:live — how long a new post takes from its commit to an open page's event stream
// (issue 14: within 2 s). Real pieces: the ingest pipeline commits a page of posts, the trigger
// NOTIFYs, the instance's LISTEN fans out, the SSE stream of a signed-in person writes the event,
// read over HTTP. With a second instance's pool doing the ingest, as in a multi-instance setup.
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { systemActor } from '../src/audit/record.ts';
import { createUser } from '../src/auth/create-user.ts';
import { createSession } from '../src/auth/credentials.ts';
import { addSource } from '../src/collection/sources.ts';
import { loadConfig } from '../src/config.ts';
import { createContext } from '../src/context.ts';
import { connect } from '../src/db/connect.ts';
import { ingest, ingestDepsFrom } from '../src/ingest/pipeline.ts';
import { createOrganization } from '../src/organizations/organizations.ts';
import { createApp } from '../src/server/app.ts';
import { benchDatabase, percentile } from './db.ts';

const runs = Number(process.argv[2] ?? 200);
const db = await benchDatabase();
const second = connect(db.url, { max: 4, applicationName: 'hinoko-bench-b' });
const server = { close: () => {} } as { close(): void };
try {
  const config = loadConfig({});
  const a = createContext({ config, sql: db.sql, db: db.db });
  const b = createContext({ config, sql: second.sql, db: second.db });
  const org = await createOrganization(a, { name: 'ベンチ病院', slug: `bench-${Date.now()}` });
  const { user } = await createUser(a, org.id, { name: 'bench', email: `bench-${Date.now()}@example.com`, role: 'pr_staff' }, systemActor);
  const source = await addSource(a, { orgId: org.id, type: 'import', name: 'bench', config: {}, schedule: '0 0 1 1 *' });
  const session = await db.sql.begin((tx) => createSession(tx, a, { id: user.id, orgId: org.id }, new Date(), null));
  const http = serve({ fetch: createApp(a).fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise((r) => http.once('listening', r));
  server.close = () => http.close();
  const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

  const controller = new AbortController();
  const res = await fetch(`${base}/events`, { headers: { cookie: `hinoko_session=${session.id}` }, signal: controller.signal });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const waiting: { resolve: ((at: number) => void) | null } = { resolve: null };
  void (async () => {
    for (;;) {
      let chunk: Uint8Array | undefined;
      try {
        const read = await reader.read();
        if (read.done) break;
        chunk = read.value as Uint8Array;
      } catch {
        break;
      }
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (/^event: mentions$/m.test(block)) waiting.resolve?.(performance.now());
      }
    }
  })();

  const latencies: number[] = [];
  const afterReturn: number[] = [];
  for (let i = 0; i < runs + 5; i++) {
    const arrived = new Promise<number>((resolve) => (waiting.resolve = resolve));
    const mentions = Array.from({ length: 20 }, (_, k) => ({
      externalId: `bench-${i}-${k}`,
      url: null,
      authorId: 'a',
      authorHandle: 'a',
      authorName: 'a',
      text: `テスト内科の投稿 ${i}-${k}`,
      language: 'ja',
      postedAt: new Date(),
      metrics: {},
      raw: {},
    }));
    let committed = 0;
    const started = performance.now();
    await ingest({ ...ingestDepsFrom(b), now: () => new Date() }, { orgId: org.id, sourceId: source.id, mentions }).then(() => {
      committed = performance.now();
    });
    const at = await arrived;
    // The commit happens inside ingest(): from its start is an upper bound (it includes storing the
    // page), from its return a lower one (the event may even beat the return).
    if (i >= 5) {
      latencies.push(at - started);
      afterReturn.push(Math.max(0, at - committed));
    }
  }
  controller.abort();
  latencies.sort((x, y) => x - y);
  afterReturn.sort((x, y) => x - y);
  console.log(
    `bench:live on ${db.where}: ${runs} pages of 20 posts, each committed by a second instance's pool, to the event on an open /events stream of the first instance`,
  );
  console.log(
    `  ingest start → event (upper bound)   p50 ${percentile(latencies, 50).toFixed(1)} ms   p95 ${percentile(latencies, 95).toFixed(1)} ms   max ${latencies.at(-1)!.toFixed(1)} ms`,
  );
  console.log(
    `  ingest return → event               p50 ${percentile(afterReturn, 50).toFixed(1)} ms   p95 ${percentile(afterReturn, 95).toFixed(1)} ms`,
  );
} finally {
  server.close();
  await second.close();
  await db.dispose();
}

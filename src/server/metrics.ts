import { createHash, timingSafeEqual } from 'node:crypto';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import { Gauge, Registry } from 'prom-client';
import type { AppContext } from '../context.ts';
import { metricsRegistry } from '../metrics.ts';

// GET /metrics for Prometheus: this process's counters (src/metrics.ts) and, read from the
// database at each scrape, what every instance shares — how far behind each source type's
// collection is, the mail queue, open alerts, the connections in use. With HINOKO_METRICS_TOKEN
// set it asks for that bearer token; without one it answers only the machine itself.

/** The database's part, in a registry of the app's own (an app per test must not register twice). */
function databaseGauges(ctx: AppContext): Registry {
  const registry = new Registry();
  const sql = ctx.sql;
  new Gauge({
    name: 'hinoko_collection_lag_seconds',
    help: 'Seconds since the least recently successful enabled source of each type last collected',
    labelNames: ['source_type'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await sql<{ type: string; lag: number }[]>`
        select type, max(extract(epoch from now() - coalesce(last_success_at, created_at)))::float8 as lag
        from sources where enabled group by type`;
      for (const r of rows) this.set({ source_type: r.type }, Math.max(0, r.lag));
    },
  });
  new Gauge({
    name: 'hinoko_mail_queue_depth',
    help: 'Mails waiting to be sent (pending or being sent)',
    registers: [registry],
    async collect() {
      const [r] = await sql<{ n: number }[]>`select count(*)::int as n from mail_outbox where status in ('pending', 'sending')`;
      this.set(r!.n);
    },
  });
  new Gauge({
    name: 'hinoko_mail_queue_oldest_seconds',
    help: 'Age of the oldest mail waiting to be sent (0 when none)',
    registers: [registry],
    async collect() {
      const [r] = await sql<{ age: number | null }[]>`
        select extract(epoch from now() - min(created_at))::float8 as age from mail_outbox where status in ('pending', 'sending')`;
      this.set(Math.max(0, r!.age ?? 0));
    },
  });
  new Gauge({
    name: 'hinoko_open_alerts',
    help: 'Alerts not closed, by kind',
    labelNames: ['kind'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of await sql<
        { kind: string; n: number }[]
      >`select kind, count(*)::int as n from alerts where status <> 'closed' group by kind`)
        this.set({ kind: r.kind }, r.n);
    },
  });
  new Gauge({
    name: 'hinoko_db_pool_size',
    help: 'Connections this process may open to the database (HINOKO_DB_POOL)',
    registers: [registry],
    collect() {
      this.set(ctx.config.database.poolSize);
    },
  });
  new Gauge({
    name: 'hinoko_db_connections',
    help: 'Connections to the database from every Hinoko instance (its application_name), by state (pg_stat_activity)',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await sql<{ state: string | null; n: number }[]>`
        select state, count(*)::int as n from pg_stat_activity where application_name = current_setting('application_name') group by state`;
      for (const r of rows) this.set({ state: r.state ?? 'unknown' }, r.n);
    },
  });
  return registry;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Whether the caller may read the metrics: the token when one is set, else the machine itself. */
function mayScrape(c: Context, token: string | null): boolean {
  if (token !== null) {
    const given = c.req.header('authorization')?.match(/^Bearer (.+)$/)?.[1] ?? '';
    return timingSafeEqual(digest(given), digest(token));
  }
  // A proxy on this machine forwards other machines' requests: those are not the machine itself.
  if (c.req.header('x-forwarded-for') !== undefined) return false;
  let address: string | undefined;
  try {
    address = getConnInfo(c).remote.address;
  } catch {
    return false; // in-process requests have no socket
  }
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

export function metricsHandler(ctx: AppContext) {
  const merged = Registry.merge([metricsRegistry, databaseGauges(ctx)]);
  return async (c: Context) => {
    if (!mayScrape(c, ctx.config.http.metricsToken)) {
      return c.json(
        {
          error: {
            code: 'forbidden',
            message:
              'metrics: HINOKO_METRICS_TOKEN を Bearer で送るか、このマシンから読んでください (send the metrics token, or scrape from this machine)',
          },
        },
        403,
      );
    }
    return c.body(await merged.metrics(), 200, { 'content-type': merged.contentType, 'cache-control': 'no-store' });
  };
}

import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Logger } from '../logger.ts';
import type { Sql } from './connect.ts';
import type { Row } from './schema.ts';

// A lease is a row in `leases` (sql/016): exclusive work across instances without holding a
// connection. The holder renews it every third of its time to live; a holder that cannot renew
// (database away, process stalled) treats it as lost once its time is up, so two holders never
// both believe they hold it for longer than the clock skew between them. A holder that died on
// this host is recognised by its pid and replaced at once; elsewhere the lease simply expires.

export interface Lease {
  readonly name: string;
  /** Aborted when the lease is lost: the work it guards should stop at its next step. */
  readonly lost: AbortSignal;
  release(): Promise<void>;
}

export interface LeaseOptions {
  ttlMs: number;
  log?: Logger;
}

/** Whether `holder` (instance id host:pid:random, then /acquisition) names a process of this host that is gone. */
export function holderIsDeadHere(holder: string, hostname = os.hostname(), alive: (pid: number) => boolean = pidAlive): boolean {
  const m = /^(.*):(\d+):[0-9a-f]+\/[0-9a-f]+$/.exec(holder);
  if (!m || m[1] !== hostname) return false;
  const pid = Number(m[2]);
  return pid !== process.pid && !alive(pid);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but is someone else's.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the lease if it is free, expired, or held by a dead process of this host. Each take is a
 * holder of its own (two runs in one process exclude each other too).
 */
export async function tryLease(sql: Sql, name: string, instanceId: string, options: LeaseOptions): Promise<Lease | null> {
  const holder = `${instanceId}/${randomBytes(4).toString('hex')}`;
  const ttl = `${Math.ceil(options.ttlMs)} milliseconds`;
  let [row] = await sql<Pick<Row<'leases'>, 'holder'>[]>`
    insert into leases (name, holder, expires_at) values (${name}, ${holder}, now() + ${ttl}::interval)
    on conflict (name) do update set holder = excluded.holder, acquired_at = now(), expires_at = excluded.expires_at
      where leases.expires_at < now()
    returning holder`;
  if (!row) {
    const [current] = await sql<Pick<Row<'leases'>, 'holder'>[]>`select holder from leases where name = ${name}`;
    if (current && holderIsDeadHere(current.holder)) {
      [row] = await sql<Pick<Row<'leases'>, 'holder'>[]>`
        update leases set holder = ${holder}, acquired_at = now(), expires_at = now() + ${ttl}::interval
        where name = ${name} and holder = ${current.holder}
        returning holder`;
    }
  }
  if (!row) return null;
  return heldLease(sql, name, holder, options);
}

function heldLease(sql: Sql, name: string, holder: string, options: LeaseOptions): Lease {
  const lost = new AbortController();
  const ttl = `${Math.ceil(options.ttlMs)} milliseconds`;
  // Measured on this process's clock from before the query that set the expiry: the database's
  // expiry is never earlier than this.
  let validUntil = performance.now() + options.ttlMs;
  let renewing: Promise<void> | null = null;
  const renew = async () => {
    const asked = performance.now();
    try {
      const rows = await sql`
        update leases set expires_at = now() + ${ttl}::interval where name = ${name} and holder = ${holder} returning 1`;
      if (rows.length === 0) return lose('taken over after it expired');
      validUntil = asked + options.ttlMs;
    } catch (err) {
      if (performance.now() >= validUntil) return lose('could not be renewed in time');
      options.log?.warn({ err, lease: name }, 'lease renewal failed; retrying');
    }
  };
  const lose = (why: string) => {
    if (lost.signal.aborted) return;
    options.log?.warn({ lease: name }, `lease lost: ${why}`);
    lost.abort(new Error(`lease ${name} lost: ${why}`));
    clearInterval(timer);
  };
  const timer = setInterval(
    () => {
      if (performance.now() >= validUntil) return lose('could not be renewed in time');
      renewing ??= renew().finally(() => {
        renewing = null;
      });
    },
    Math.max(50, Math.floor(options.ttlMs / 3)),
  );
  timer.unref();
  return {
    name,
    lost: lost.signal,
    async release() {
      clearInterval(timer);
      await renewing;
      if (lost.signal.aborted) return;
      lost.abort(new Error(`lease ${name} released`));
      // If the database is away the row expires by itself.
      await sql`delete from leases where name = ${name} and holder = ${holder}`.catch(() => {});
    },
  };
}

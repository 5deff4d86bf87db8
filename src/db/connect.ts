import postgres from 'postgres';
import { Kysely } from 'kysely';
import { PostgresJSDialect } from 'kysely-postgres-js';
import type { Database } from './schema.ts';

export type Sql = postgres.Sql;
/** The connection inside sql.begin(); same query API, different type in postgres.js. */
export type Tx = postgres.TransactionSql;
/** Either: for reads that run inside or outside a transaction. Inside one, pass the tx, never the pool. */
export type Queryable = Sql | Tx;

/**
 * A value for `sql.json()`. postgres.js types its argument as JSONValue, which asks for index
 * signatures that our interfaces (plain data: strings, numbers, arrays, nested records) never
 * declare; the values passed here are built by our code, never functions or class instances.
 */
export const asJson = (value: unknown): postgres.JSONValue => value as postgres.JSONValue;
export type Db = Kysely<Database>;

export interface DbHandle {
  sql: Sql;
  db: Db;
  close(): Promise<void>;
}

/**
 * postgres.js for the hot paths (bulk ingest, advisory locks) and Kysely over the same pool for
 * everything else. bigint columns come back as strings: ids leave the service as strings anyway,
 * and counts are cast to int in the queries that produce them.
 */
export function connect(url: string, options: { max?: number; applicationName?: string; plans?: 'custom' | 'generic' } = {}): DbHandle {
  const sql = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    // postgres.js prepares every statement; after five runs Postgres may switch a prepared
    // statement to a generic plan, and for `= any($array)` and unnest() batches that plan
    // degrades to scans as tables grow (measured: 9k → 400 mentions/s). Always plan per call,
    // except on a pool made for reads whose plan does not depend on the values (OpenDatabase.readGenericSql).
    connection: {
      application_name: options.applicationName ?? 'hinoko',
      TimeZone: 'UTC',
      plan_cache_mode: options.plans === 'generic' ? 'force_generic_plan' : 'force_custom_plan',
    },
    // A dead server must not hang start-up or health checks forever.
    connect_timeout: 10,
  });
  const db = new Kysely<Database>({ dialect: new PostgresJSDialect({ postgres: sql }) });
  return {
    sql,
    db,
    async close() {
      // The pool first, with a deadline: Kysely's destroy() ends it without one, and a query that
      // never settles (a connection lost mid-outage) would hold a shutdown forever.
      await sql.end({ timeout: 5 }).catch(() => {});
      await db.destroy().catch(() => {});
    },
  };
}

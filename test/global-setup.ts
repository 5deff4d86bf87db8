import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type EmbeddedServer } from '../src/db/embedded.ts';
import { migrate } from '../src/db/migrate.ts';
import { logger } from '../src/logger.ts';

// Tests talk to a real Postgres: DATABASE_URL if set, else the server on 127.0.0.1:5432 if it
// answers, else an embedded one. Each run migrates a template database once; every test file
// then gets a fresh copy of it, so runs and files never interfere.

async function answers(url: string): Promise<boolean> {
  const probe = postgres(url, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await probe`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await probe.end({ timeout: 1 }).catch(() => {});
  }
}

function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

logger.level = process.env.HINOKO_TEST_LOG_LEVEL ?? 'silent';

let embedded: EmbeddedServer | undefined;
let embeddedDir: string | undefined;

export default async function setup(project: TestProject) {
  let adminUrl = process.env.DATABASE_URL;
  let kind = 'DATABASE_URL';
  if (!adminUrl) {
    const local = 'postgres://postgres@127.0.0.1:5432/postgres';
    // HINOKO_TEST_PG=embedded exercises the fallback a machine without Postgres takes.
    if (process.env.HINOKO_TEST_PG !== 'embedded' && (await answers(local))) {
      adminUrl = local;
      kind = 'local server at 127.0.0.1:5432';
    } else {
      embeddedDir = mkdtempSync(path.join(os.tmpdir(), 'hinoko-test-pg-'));
      embedded = await startEmbeddedPostgres(embeddedDir);
      adminUrl = withDatabase(embedded.url, 'postgres');
      kind = 'embedded Postgres';
    }
  }
  const template = `hinoko_tpl_${process.pid}_${Date.now().toString(36)}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${template}"`);
  const tpl = postgres(withDatabase(adminUrl, template), { max: 1, onnotice: () => {} });
  await migrate(tpl);
  await tpl.end();
  process.stdout.write(`[hinoko tests] Postgres: ${kind}; template database ${template}\n`);
  project.provide('hinokoAdminUrl', adminUrl);
  project.provide('hinokoTemplateDb', template);

  return async () => {
    await admin.unsafe(`drop database if exists "${template}" with (force)`).catch(() => {});
    await admin.end({ timeout: 5 });
    if (embedded) await embedded.stop();
    if (embeddedDir) rmSync(embeddedDir, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    hinokoAdminUrl: string;
    hinokoTemplateDb: string;
  }
}

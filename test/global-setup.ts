import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { migrate } from '../src/db/migrate.ts';
import { logger } from '../src/logger.ts';
import { startTestPostgres, withDatabase } from './support/test-postgres.ts';

// Tests talk to a real Postgres, chosen in test/support/test-postgres.ts. Each run migrates a
// template database once; every test file then gets a fresh copy of it, so runs and files never
// interfere.

logger.level = process.env.HINOKO_TEST_LOG_LEVEL ?? 'silent';

export default async function setup(project: TestProject) {
  const server = await startTestPostgres();
  const adminUrl = server.adminUrl;
  const template = `hinoko_tpl_${process.pid}_${Date.now().toString(36)}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${template}"`);
  const tpl = postgres(withDatabase(adminUrl, template), { max: 1, onnotice: () => {} });
  await migrate(tpl);
  await tpl.end();
  process.stdout.write(`[hinoko tests] Postgres: ${server.kind}; template database ${template}\n`);
  project.provide('hinokoAdminUrl', adminUrl);
  project.provide('hinokoTemplateDb', template);

  return async () => {
    await admin.unsafe(`drop database if exists "${template}" with (force)`).catch(() => {});
    await admin.end({ timeout: 5 });
    await server.stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    hinokoAdminUrl: string;
    hinokoTemplateDb: string;
  }
}

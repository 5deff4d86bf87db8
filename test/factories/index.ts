import { randomBytes } from 'node:crypto';
import type { MentionAnalyzer, TextAnalysis } from '../../src/analysis/types.ts';
import { loadConfig } from '../../src/config.ts';
import { createContext, type AppContext } from '../../src/context.ts';
import { ephemeralServerKeys } from '../../src/secrets/server-keys.ts';
import { addSource } from '../../src/collection/sources.ts';
import type { NormalizedMention } from '../../src/mention.ts';
import { createOrganization, createWatchTarget } from '../../src/organizations/organizations.ts';
import { sourceRegistry } from '../../src/sources/registry.ts';
import type { CollectPage, SourceDefinition } from '../../src/sources/types.ts';
import type { TestDatabase } from '../support/db.ts';

export function unique(prefix = 'x'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

// One server secret per test file: several contexts on one database are several instances of one
// deployment (they share HINOKO_SECRET), so each opens what another sealed.
const testKeys = ephemeralServerKeys();

export function testContext(db: TestDatabase, overrides: Partial<AppContext> = {}): AppContext {
  // The platform fakes listen on 127.0.0.1: tests are the operator who allows that (the guard's
  // own tests use testConfig without it).
  const config = loadConfig({
    HINOKO_DATA_DIR: '/nonexistent-test-dir',
    HINOKO_OUTBOUND_ALLOW: '127.0.0.0/8,::1',
    HINOKO_SOURCE_URL_OVERRIDES: '*',
  });
  return createContext({ config, sql: db.sql, db: db.db, keys: testKeys, ...overrides });
}

export async function makeOrg(ctx: AppContext, name = 'テスト病院') {
  const org = await createOrganization(ctx, { name, slug: unique('org') });
  const target = await createWatchTarget(ctx, org.id, {
    name: 'テスト内科',
    names: ['テスト内科', 'テストクリニック'],
    keywords: [],
    handles: {},
    exclusions: [],
  });
  return { org, target };
}

export function mentionFixture(i: number, overrides: Partial<NormalizedMention> = {}): NormalizedMention {
  return {
    externalId: `m-${i}`,
    url: `https://example.test/p/${i}`,
    authorId: `a-${i % 50}`,
    authorHandle: `user${i % 50}`,
    authorName: `ユーザー${i % 50}`,
    text: `テスト内科の投稿 ${i}`,
    language: 'ja',
    postedAt: new Date(Date.UTC(2026, 10, 1, 0, 0, 0) + i * 60_000),
    metrics: { likes: i % 7, reposts: i % 3, quotes: 0, replies: i % 2 },
    raw: { id: i },
    ...overrides,
  };
}

/**
 * A deterministic in-memory source for pipeline and scheduler tests: serves `items` in pages of
 * `pageSize`, resuming from a numeric offset cursor, optionally pausing between pages.
 */
export function listSource(
  items: NormalizedMention[],
  options: { pageSize?: number; pauseMs?: number; onPage?: (offset: number) => void } = {},
): SourceDefinition<Record<string, never>> {
  const pageSize = options.pageSize ?? 10;
  return {
    type: 'rss',
    label: 'test list source',
    defaultSchedule: '* * * * * *',
    parseConfig: () => ({}),
    credentials: [],
    requiredCredentials: () => [],
    endpoints: () => ({ credentialOrigins: [], operatorUrls: [] }),
    async *collect({ cursor, runtime }): AsyncIterable<CollectPage> {
      let offset = typeof cursor === 'object' && cursor && 'offset' in cursor ? Number((cursor as { offset: number }).offset) : 0;
      while (offset < items.length) {
        if (options.pauseMs) await runtime.sleep(options.pauseMs);
        options.onPage?.(offset);
        const page = items.slice(offset, offset + pageSize);
        offset += page.length;
        yield { mentions: page, cursor: { offset } };
      }
    },
  };
}

export async function makeSource(ctx: AppContext, orgId: string, type = 'import', schedule = '* * * * * *') {
  return addSource(ctx, { orgId, type: type as never, name: unique('src'), config: {}, schedule });
}

export function withTestSource(ctx: AppContext, def: SourceDefinition<any>): AppContext {
  return { ...ctx, sources: { ...sourceRegistry, [def.type]: def } };
}

/** An analyzer for tests with a fixed analysis; a post's search words are its whitespace-separated words. */
export function stubAnalyzer(version: string, analyze: (text: string) => TextAnalysis): MentionAnalyzer {
  const words = (text: string) => [...new Set(text.toLowerCase().split(/\s+/).filter(Boolean))];
  return { version, analyze: (text) => ({ ...analyze(text), lexemes: words(text) }), queryLexemes: words };
}

import type { NormalizedMention } from '../../src/mention.ts';
import type { CollectPage, SourceDefinition } from '../../src/sources/types.ts';

export function crashItems(): NormalizedMention[] {
  return Array.from({ length: 300 }, (_, i) => ({
    externalId: `crash-${i}`,
    url: null,
    authorId: null,
    authorHandle: null,
    authorName: null,
    text: `投稿 ${i}`,
    language: 'ja',
    postedAt: new Date(Date.UTC(2026, 10, 1) + i * 1000),
    metrics: {},
    raw: { i },
  }));
}

/** Pages of 10 with a pause before each, resuming from an offset cursor. */
export function slowListSource(items: NormalizedMention[], pauseMs: number): SourceDefinition<Record<string, never>> {
  return {
    type: 'rss',
    label: 'slow list',
    defaultSchedule: '* * * * *',
    parseConfig: () => ({}),
    credentials: [],
    requiredCredentials: () => [],
    endpoints: () => ({ credentialOrigins: [], operatorUrls: [] }),
    async *collect({ cursor }): AsyncIterable<CollectPage> {
      let offset = cursor && typeof cursor === 'object' ? Number((cursor as { offset: number }).offset) : 0;
      while (offset < items.length) {
        await new Promise((r) => setTimeout(r, pauseMs));
        const page = items.slice(offset, offset + 10);
        offset += page.length;
        yield { mentions: page, cursor: { offset } };
      }
    },
  };
}

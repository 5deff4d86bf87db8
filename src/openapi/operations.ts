import type { Schema } from './schema.ts';

// The operations under /api/v1 of the features not yet declared with defineRoute (src/http/route.ts),
// as their routes register them (Hono path syntax). Each group mirrors one routes file and goes
// when that file converts; src/openapi/document.ts merges them with the generated operations.

export interface Operation {
  id: string;
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  tag: string;
  summary: string;
  description?: string;
  query?: Record<string, Schema>;
  body?: Schema;
  /** The success response; schema null means no body. */
  ok?: { status?: number; schema?: Schema | null; contentType?: string; description?: string };
  /** Further error statuses this operation returns, beyond the common ones. */
  errors?: Record<string, string>;
  auth?: 'public';
}

export const operations: Operation[] = [];

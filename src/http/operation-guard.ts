import type { Context } from 'hono';
import { AppError, ValidationError } from '../errors.ts';

// What every /api request must be before its handler runs, judged against what its route
// declares: only the query parameters it declares, each once and decodable as UTF-8; and for a
// route that takes no body, no body (or `{}`, which clients send by habit). defineRoute
// (src/http/route.ts) runs these checks from each definition, before zod.

/** Refuses query parameters the route does not declare, repeated ones and undecodable ones. */
export function checkQueryNames(c: Context, declared: ReadonlySet<string>): void {
  const search = new URL(c.req.url).search.slice(1);
  const seen = new Set<string>();
  for (const pair of search === '' ? [] : search.split('&')) {
    const [rawKey, rawValue = ''] = pair.split('=') as [string, string | undefined];
    let key: string;
    try {
      key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
      decodeURIComponent(rawValue.replace(/\+/g, ' '));
    } catch {
      throw new ValidationError('query: UTF-8 として読めない値があります (a query parameter is not valid UTF-8)');
    }
    if (!declared.has(key)) {
      const allowed = [...declared].join(', ') || 'なし (none)';
      throw new ValidationError(`unknown query parameter "${key.slice(0, 40).replace(/[\u0000-\u001f]/g, '?')}"; allowed: ${allowed}`);
    }
    if (seen.has(key)) throw new ValidationError(`query parameter "${key}" is given more than once`);
    seen.add(key);
  }
}

/** For a route that takes no body: none, or `{}` as JSON. */
export async function checkNoBody(c: Context): Promise<void> {
  if (c.req.method === 'GET' || c.req.method === 'HEAD') return;
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  const text = Buffer.from(bytes).toString('latin1').trim();
  if (text === '') return;
  if (!/^application\/json\b/i.test(c.req.header('content-type') ?? ''))
    throw new AppError('unsupported_media_type', 'this request takes no body (or {} as application/json)');
  if (text !== '{}') throw new ValidationError('この操作は本文を受け付けません (this request takes no body; send none or {})');
}

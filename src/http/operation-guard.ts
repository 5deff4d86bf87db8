import type { MiddlewareHandler } from 'hono';
import { AppError, ValidationError } from '../errors.ts';
import { operations } from '../openapi/operations.ts';

// What every /api request must be before its handler runs, judged against the operation the API
// document declares for it (src/openapi/operations.ts): only the query parameters it declares,
// each once and decodable as UTF-8; and for an operation that takes no body, no body (or `{}`,
// which clients send by habit). Handlers parse the rest with src/validation.ts.

interface Declared { method: string; pattern: RegExp; query: Set<string>; body: boolean }

const declared: Declared[] = operations.map((op) => ({
  method: op.method.toUpperCase(),
  pattern: new RegExp(`^/api/v1${op.path.replace(/:[A-Za-z]\w*/g, '[^/]+')}$`),
  query: new Set(Object.keys(op.query ?? {})),
  body: op.body !== undefined,
}));

function operationFor(method: string, path: string): Declared | undefined {
  return declared.find((d) => d.method === method && d.pattern.test(path));
}

export const conformToOperation: MiddlewareHandler = async (c, next) => {
  const op = operationFor(c.req.method, c.req.path);
  // Unknown routes fall through to the 404 (and the route-matrix test keeps the two lists equal).
  if (!op) return next();
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
    if (!op.query.has(key)) {
      const allowed = [...op.query].join(', ') || 'なし (none)';
      throw new ValidationError(`unknown query parameter "${key.slice(0, 40).replace(/[\u0000-\u001f]/g, '?')}"; allowed: ${allowed}`);
    }
    if (seen.has(key)) throw new ValidationError(`query parameter "${key}" is given more than once`);
    seen.add(key);
  }
  if (!op.body && c.req.method !== 'GET' && c.req.method !== 'HEAD') {
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    const text = Buffer.from(bytes).toString('latin1').trim();
    if (text !== '') {
      if (!/^application\/json\b/i.test(c.req.header('content-type') ?? '')) throw new AppError('unsupported_media_type', 'this request takes no body (or {} as application/json)');
      if (text !== '{}') throw new ValidationError('この操作は本文を受け付けません (this request takes no body; send none or {})');
    }
  }
  return next();
};

import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AppError, type ErrorCode } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { AppEnv } from './env.ts';

// The single code → status map. Every error leaves the service as {error:{code,message,requestId}}.
export const statusByCode: Record<ErrorCode, ContentfulStatusCode> = {
  bad_request: 400,
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  reauth_required: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  unavailable: 503,
  config_invalid: 500,
  internal: 500,
};

const codeByLibraryStatus: Partial<Record<number, ErrorCode>> = {
  400: 'bad_request',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

export function errorBody(code: ErrorCode, message: string, requestId: string | undefined) {
  return { error: { code, message, requestId } };
}

export function handleError(log: Logger) {
  return (err: Error, c: Context<AppEnv>) => {
    const requestId = c.get('requestId');
    if (err instanceof AppError) {
      return c.json(errorBody(err.code, err.message, requestId), statusByCode[err.code]);
    }
    // The validation library's own refusals (a body it could not read, a media type it does not
    // take). Our strict reading (src/http/route.ts) answers first, so these are a backstop.
    const code = err instanceof HTTPException ? codeByLibraryStatus[err.status] : undefined;
    if (code) return c.json(errorBody(code, err.message, requestId), statusByCode[code]);
    // Unknown errors are logged in full and leave as a bare 500: no internals, no SQL, no stack.
    log.error({ err, requestId, path: c.req.path }, 'unhandled error');
    return c.json(errorBody('internal', '内部エラーが発生しました (internal error)', requestId), 500);
  };
}

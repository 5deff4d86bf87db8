// One error shape for the whole service. Domain code throws these; the HTTP layer maps `code` to a
// status in one table (src/http/errors.ts) and the CLI prints `message` on one line.

export type ErrorCode =
  | 'bad_request'
  | 'validation_failed'
  | 'unauthorized'
  | 'forbidden'
  /** Allowed to the role, but only right after an interactive login (src/auth/recent-login.ts). */
  | 'reauth_required'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'unavailable'
  | 'config_invalid'
  | 'internal';

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
}

export class ValidationError extends AppError {
  constructor(message: string, details?: unknown) {
    super('validation_failed', message, details);
  }
}

export class NotFoundError extends AppError {
  constructor(message: string) {
    super('not_found', message);
  }
}

export class ConflictError extends AppError {
  constructor(message: string) {
    super('conflict', message);
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = '認証が必要です (authentication required)') {
    super('unauthorized', message);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(message: string) {
    super('payload_too_large', message);
  }
}

export class ConfigError extends AppError {
  constructor(message: string) {
    super('config_invalid', message);
  }
}

/** A mistake on the command line: printed as one line, exit status 2. */
export class UsageError extends AppError {
  constructor(message: string) {
    super('bad_request', message);
  }
}

import { AppError, UnauthorizedError } from '../errors.ts';

export class ForbiddenError extends AppError {
  constructor(message = 'この操作の権限がありません (your role or token scope does not allow this)') {
    super('forbidden', message);
  }
}

/** 429; the HTTP layer adds Retry-After from `retryAfterSeconds`. */
export class RateLimitedError extends AppError {
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number) {
    super('rate_limited', 'ログインの試行が多すぎます。しばらくしてから再度お試しください (too many login attempts; try again later)');
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterSeconds));
  }
}

/**
 * The one answer to every failed login — unknown e-mail, wrong password, disabled or locked
 * account — so the response never tells which accounts exist.
 */
export class InvalidCredentialsError extends UnauthorizedError {
  constructor() {
    super('メールアドレスまたはパスワードが正しくありません (wrong e-mail or password)');
  }
}

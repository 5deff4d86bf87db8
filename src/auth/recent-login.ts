import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import type { Auth } from '../access/auth.ts';

/** Refused until the person signs in again; the code lets a page send them to the login form. */
export class ReauthRequiredError extends AppError {
  constructor(message: string) {
    super('reauth_required', message);
  }
}

/**
 * Setting a password or creating a user hands out a way to log in. That must take a person who
 * typed their password a moment ago, not an API token (a leaked `manage` token would otherwise
 * become a full session) nor a session left open on a ward PC for hours.
 */
export function requireRecentLogin(ctx: Pick<AppContext, 'config' | 'now'>, auth: Auth): void {
  if (auth.via !== 'session' || !auth.loggedInAt) {
    throw new ReauthRequiredError(
      'パスワードの設定と利用者の作成は、ログインした画面からのみ行えます (setting a password or creating a user needs an interactive login, not an API token)',
    );
  }
  if (ctx.now().getTime() - auth.loggedInAt.getTime() > ctx.config.auth.recentLoginMs) {
    throw new ReauthRequiredError(
      '安全のため、もう一度ログインしてから操作してください (log in again first: this needs a login from the last few minutes)',
    );
  }
}

import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { mailDomainOf } from './outbox-identity.ts';

/**
 * At start-up: mail really leaves (SMTP_URL is set) but the From: domain is not a real one —
 * `localhost` (the default, hinoko@localhost) or a name without a dot. Message-IDs take their
 * domain from From:, and receivers' filters, replies and bounces need a domain that exists, so
 * say so once, loudly, instead of letting it surface as pages that vanish into spam or never
 * thread. Previews (no SMTP_URL) never leave the machine: no warning. Returns whether it warned.
 */
export function warnAboutMailSetup(config: { mail: Pick<Config['mail'], 'smtpUrl' | 'from'> }, log: Pick<Logger, 'warn'>): boolean {
  if (!config.mail.smtpUrl) return false;
  const domain = mailDomainOf(config.mail.from)?.toLowerCase() ?? null;
  if (domain !== null && domain !== 'localhost' && domain.includes('.')) return false;
  log.warn(
    { from: config.mail.from, domain },
    `HINOKO_MAIL_FROM のドメイン (${domain ?? 'なし'}) は実在するドメインではありません。Message-ID と返信・エラー通知の宛先はこのドメインを使うため、` +
      '受信側で迷惑メール扱いや重複排除の誤判定が起こりえます。HINOKO_MAIL_FROM を alerts@clinic.example.jp のような実在ドメインのアドレスにしてください ' +
      `(the From: domain "${domain ?? 'none'}" is not a real domain: Message-IDs, replies and bounces use it, so receivers may file pages as spam ` +
      'or mis-deduplicate them — set HINOKO_MAIL_FROM to an address at a real domain, e.g. alerts@clinic.example.jp)',
  );
  return true;
}

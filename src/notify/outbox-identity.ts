import { createHash } from 'node:crypto';

// What identifies outbox mail across processes and installations: the NOTIFY channel that wakes
// mailers, and the Message-ID each mail carries. Both enqueue modules and the mailer use them.

/** postgres NOTIFY channel: delivered on commit, wakes every mailer instance. */
export const OUTBOX_CHANNEL = 'hinoko_mail_outbox';

/** The domain of a From: value ("Name <a@b>" or "a@b"), or null when there is none. */
export function mailDomainOf(from: string): string | null {
  return /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? null;
}

/**
 * <hash of installation + org + dedupe key @ the sender's domain>: the same mail always carries the
 * same id (a re-send after a crash can be dropped by receivers), and no two installations give
 * different mails one id — every fresh database has an org 1, and the default From: domain is
 * localhost everywhere, so without the installation id they did (issue 12 item 8).
 */
export function messageIdFor(installationId: string, orgId: string, dedupeKey: string, from: string): string {
  const domain = mailDomainOf(from) ?? 'hinoko.invalid';
  const hash = createHash('sha256').update(`${installationId}\n${orgId}\n${dedupeKey}`).digest('hex').slice(0, 32);
  return `<alert.${hash}@${domain}>`;
}

import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';

// Where a mail goes: an SMTP server, or (without SMTP_URL) an .eml file in the data directory
// so nothing is silently dropped. The mailer receives one of these and never builds its own.

export interface OutgoingMail {
  /** Outbox row id and org: names the preview file, goes into a trace header. */
  outboxId: string;
  orgId: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Message-ID header (with angle brackets), stable per outbox row. */
  messageId: string;
  /** Message-ID of the first mail about the same incident: In-Reply-To and References, one thread. */
  threadRoot?: string | null;
}

export interface DeliveryReceipt {
  /** The SMTP server's final reply, or the preview file's name. */
  detail: string;
}

export type TransportKind = 'smtp' | 'preview';

export interface MailTransport {
  kind: TransportKind;
  send(mail: OutgoingMail): Promise<DeliveryReceipt>;
  /**
   * A cheap check that the server is there (connect, greeting, EHLO, login, QUIT; no mail): the
   * mailer's recovery probe. Only transports that can be unreachable have one.
   */
  verify?(): Promise<void>;
  close(): void;
}

/** A failure that will not go away by retrying (the server said 5xx: unknown mailbox, policy). */
export class PermanentDeliveryError extends Error {}

function message(mail: OutgoingMail) {
  return {
    from: mail.from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    messageId: mail.messageId,
    ...(mail.threadRoot && mail.threadRoot !== mail.messageId ? { inReplyTo: mail.threadRoot, references: [mail.threadRoot] } : {}),
    headers: {
      // RFC 3834: tells vacation responders not to answer an automatic alert.
      'Auto-Submitted': 'auto-generated',
      'X-Hinoko-Outbox-Id': `${mail.orgId}-${mail.outboxId}`,
    },
  };
}

interface SmtpError extends Error {
  responseCode?: number;
  code?: string;
}

/**
 * Whether a failed send got an SMTP reply (a 4xx or 5xx): the server was there and said no. Without
 * one (refused, timed out, reset, DNS) it was unreachable, and the mailer's probe watches for it
 * to come back.
 */
export function serverAnswered(err: unknown): boolean {
  return err instanceof PermanentDeliveryError || typeof (err as SmtpError | null)?.responseCode === 'number';
}

export interface SmtpTransportOptions {
  /** Per-step socket timeouts; together they must stay well under the mailer's lease. */
  connectionTimeoutMs?: number;
  socketTimeoutMs?: number;
  /** Pooled SMTP connections; match the mailer's concurrency. */
  maxConnections?: number;
}

export function createSmtpTransport(smtpUrl: string, options: SmtpTransportOptions = {}): MailTransport {
  const u = new URL(smtpUrl);
  const secure = u.protocol === 'smtps:';
  const transporter = nodemailer.createTransport({
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : secure ? 465 : 587,
    secure,
    auth: u.username ? { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } : undefined,
    // Pooled: servers make every new connection wait (greeting delay against early talkers —
    // 100 ms in smtp-server, seconds in postscreen — plus TLS), which dominated a burst's latency
    // when each mail opened its own. A pooled connection that died in an outage fails its send,
    // and the outbox retries it. Bounded timeouts keep a send inside its lease.
    pool: true,
    maxConnections: options.maxConnections ?? 4,
    maxMessages: 100,
    connectionTimeout: options.connectionTimeoutMs ?? 15_000,
    greetingTimeout: options.connectionTimeoutMs ?? 15_000,
    socketTimeout: options.socketTimeoutMs ?? 30_000,
  });
  return {
    kind: 'smtp',
    async send(mail) {
      try {
        const info = await transporter.sendMail(message(mail));
        return { detail: String(info.response ?? '').slice(0, 500) };
      } catch (err) {
        const e = err as SmtpError;
        if (typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600) {
          throw new PermanentDeliveryError(`SMTP ${e.responseCode}: ${e.message}`.slice(0, 1000));
        }
        throw err;
      }
    },
    async verify() {
      await transporter.verify();
    },
    close() {
      transporter.close();
    },
  };
}

/** Writes each mail as <dir>/<org>-<outbox id>.eml: a re-send after a crash rewrites the same file. */
export function createPreviewTransport(dir: string): MailTransport {
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    kind: 'preview',
    async send(mail) {
      const info = await composer.sendMail(message(mail));
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const name = `${mail.orgId}-${mail.outboxId}.eml`;
      const tmp = path.join(dir, `.${name}.${process.pid}.tmp`);
      // Posts may carry personal data: the preview is readable by the service user only.
      await writeFile(tmp, info.message as Buffer, { mode: 0o600 });
      await rename(tmp, path.join(dir, name));
      return { detail: name };
    },
    close() {
      composer.close();
    },
  };
}

/** The transport the configuration asks for. */
export function transportFor(config: { smtpUrl: string | null; dataDir: string }): MailTransport {
  return config.smtpUrl ? createSmtpTransport(config.smtpUrl) : createPreviewTransport(previewDir(config.dataDir));
}

export function previewDir(dataDir: string): string {
  return path.join(dataDir, 'mail-preview');
}

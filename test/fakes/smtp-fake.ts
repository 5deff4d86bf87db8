import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

// A real SMTP server in the test process (the smtp-server package): records every accepted
// message with its envelope, and can be stopped (connection refused) or told to answer DATA
// with a temporary failure, to make outages.

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  /** Header section only, unfolded. */
  headers: string;
  messageId: string | null;
  subject: string | null;
  receivedAt: number;
}

export interface SmtpFake {
  port: number;
  url: string;
  received: ReceivedMail[];
  /** 'accept' normally; 'tempfail' answers 451 to DATA; 'reject' answers 550 to RCPT. */
  mode: 'accept' | 'tempfail' | 'reject';
  listening: boolean;
  /** Stops listening (clients get ECONNREFUSED) until start() again on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
  waitFor(count: number, timeoutMs?: number): Promise<void>;
}

function decodeMimeWords(s: string): string {
  return s.replace(/=\?utf-8\?([BQ])\?([^?]*)\?=\s*/gi, (_, enc: string, text: string) =>
    enc.toUpperCase() === 'B'
      ? Buffer.from(text, 'base64').toString('utf8')
      : Buffer.from(
          text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
          'latin1',
        ).toString('utf8'),
  );
}

function header(headers: string, name: string): string | null {
  const m = new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(headers);
  return m ? m[1]!.trim() : null;
}

export async function startSmtpFake(): Promise<SmtpFake> {
  let server: SMTPServer;
  let port = 0;
  const fake: SmtpFake = {
    port: 0,
    url: '',
    received: [],
    mode: 'accept',
    listening: false,
    async stop() {
      fake.listening = false;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    async start() {
      server = make();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => resolve());
      });
      port = (server.server.address() as AddressInfo).port;
      fake.port = port;
      fake.url = `smtp://127.0.0.1:${port}`;
      fake.listening = true;
    },
    async close() {
      await fake.stop();
    },
    async waitFor(count, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (fake.received.length < count) {
        if (Date.now() > until) throw new Error(`expected ${count} mails, got ${fake.received.length}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
  const make = () =>
    new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      // Reverse DNS of 127.0.0.1 costs ~100 ms per connection here and is not what we measure.
      disableReverseLookup: true,
      onRcptTo(address, _session, callback) {
        if (fake.mode === 'reject') {
          const err = new Error('5.1.1 mailbox unavailable') as Error & { responseCode: number };
          err.responseCode = 550;
          return callback(err);
        }
        callback();
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          if (fake.mode === 'tempfail') {
            const err = new Error('4.3.0 try again later') as Error & { responseCode: number };
            err.responseCode = 451;
            return callback(err);
          }
          const raw = Buffer.concat(chunks).toString('utf8');
          const headers = raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
          const subject = header(headers, 'Subject');
          fake.received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw,
            headers,
            messageId: header(headers, 'Message-ID'),
            subject: subject === null ? null : decodeMimeWords(subject),
            receivedAt: Date.now(),
          });
          callback(null, `Ok: queued as ${fake.received.length}`);
        });
      },
    });
  await fake.start();
  return fake;
}

/** The text/plain part of a nodemailer multipart/alternative message. */
export function decodeTextPart(raw: string): string {
  const m = /Content-Type: text\/plain; charset=utf-8\r?\nContent-Transfer-Encoding: (\S+)\r?\n\r?\n([\s\S]*?)\r?\n--/i.exec(raw);
  if (!m) throw new Error('no text part');
  const [, encoding, content] = m;
  if (encoding!.toLowerCase() === 'base64') return Buffer.from(content!.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding!.toLowerCase() === 'quoted-printable') {
    const bytes = content!.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return content!;
}

import path from 'node:path';
import { ConfigError } from './errors.ts';
import { parseAllowEntry } from './outbound/addresses.ts';

// The only reader of process.env, with src/collection/credential-env.ts (a source's credential named
// by an environment variable the operator allows). Everything is validated once, at boot, with a message that
// names the variable and says what is wrong; the result is frozen and passed down explicitly.

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export type DemoMode = 'auto' | 'on' | 'off';

export interface Config {
  database: {
    /** External Postgres; when null an embedded one is started in dataDir. */
    url: string | null;
    /**
     * The owner's URL for migrations when the service's own role (DATABASE_URL) must not own the
     * tables (README, "Security"); null: DATABASE_URL migrates too (and the service warns).
     */
    migrationUrl: string | null;
    /**
     * DATABASE_READ_URL: a replica for the reads that may lag a moment — the mention feed, the
     * counts, the overview's charts; null: they go to DATABASE_URL like everything else.
     */
    readUrl: string | null;
    poolSize: number;
    embeddedPort: number | null;
    /** Lets the dashboards' read-only role (sql/024) log in with this password; null leaves it as it is. */
    readonlyPassword: string | null;
  };
  dataDir: string;
  http: {
    host: string;
    port: number;
    bodyLimitBytes: number;
    webhookBodyLimitBytes: number;
    /** Behind a reverse proxy: take the client address from the last X-Forwarded-For entry (the proxy's own). */
    trustProxy: boolean;
    /** Bearer token for GET /metrics; without it /metrics answers only the machine itself (loopback). */
    metricsToken: string | null;
  };
  ingest: {
    maxTextChars: number;
    batchSize: number;
  };
  analysis: {
    lexiconExtraPath: string | undefined;
  };
  /** Sources' credentials and the URLs they may use (src/collection, src/outbound). */
  sources: {
    /**
     * Environment variables a source may name instead of a stored credential, as patterns:
     * `{org}` stands for the organisation's id (and must be followed by `_`, so org 1 never matches org 12's names) and a trailing `*` for any rest, e.g.
     * `HINOKO_ORG_{org}_*`. Empty (the default): no source may read the server's environment.
     */
    credentialEnvPatterns: string[];
    /** Source types whose platform API URLs (baseUrl, oauth.tokenUrl) may differ from the platform's; `*` for all. */
    urlOverrideTypes: string[];
  };
  outbound: {
    /** Internal addresses (CIDR) that collectors and feeds may reach nevertheless, e.g. a self-hosted fake. */
    allowAddresses: string[];
  };
  /** The audit log's checkpoints (src/audit/checkpoint-store.ts). */
  audit: {
    /** How often chain heads that moved are checkpointed: the window in which a cut at a chain's end goes unseen. */
    checkpointMs: number;
  };
  scheduler: {
    enabled: boolean;
  };
  /** Installation-wide retention; each organisation's periods are in its settings (src/privacy/retention.ts). */
  retention: {
    /** Whole months of posts and counts kept besides the current one; older months are dropped. 0: keep everything. */
    keepMonths: number;
  };
  detection: {
    /**
     * How long detection waits for collection to catch up with a bucket (counted from the bucket's
     * end, or from start-up after downtime) before judging it anyway, with a note.
     */
    waitMs: number;
  };
  demo: {
    mode: DemoMode;
    seed: number;
    /** Delay from the first start (the demo's creation) to its one flare-up episode. */
    flareAfterMs: number;
    /**
     * HINOKO_DEMO_FLARE_AFTER was set in the environment, not defaulted: a start with a demo already
     * set up then schedules another flare-up after flareAfterMs (without it, the one flare-up stays put).
     */
    flareAfterExplicit: boolean;
    /** Mean posts per hour in the quiet stream. */
    postsPerHour: number;
    /** node-cron schedule of the demo source. */
    schedule: string;
  };
  /** Alert e-mail (src/notify). */
  mail: {
    /** smtp:// or smtps:// with optional user:password; when null mails become .eml previews in dataDir/mail-preview. */
    smtpUrl: string | null;
    /** From: address ("Name <addr>" or a bare address). */
    from: string;
    /** Base URL for links in mails (the dashboard), no trailing slash. */
    publicUrl: string;
    maxAttempts: number;
    /** How often the mailer looks for due rows besides being woken by new ones. */
    pollMs: number;
  };
  /** On-call escalation and acknowledgement links (src/oncall). */
  oncall: {
    /** HINOKO_SECRET, the server secret (src/secrets/server-keys.ts); null: generated once in the data directory. */
    secret: string | null;
    /** How long an acknowledgement link in a mail stays valid. */
    ackLinkTtlMs: number;
    /** How often the escalation worker looks for due levels and overdue tasks besides being woken. */
    pollMs: number;
  };
  /** Users, sessions and login throttling (src/auth). */
  auth: {
    /** A session ends after this long without a request… */
    sessionIdleMs: number;
    /** …and at the latest this long after login. */
    sessionMaxMs: number;
    /** Failed logins for one account within lockWindowMs that lock it for lockMs. */
    maxFailures: number;
    lockWindowMs: number;
    lockMs: number;
    /** Failed logins from one address within lockWindowMs before it gets 429 until the window ends. */
    maxFailuresPerIp: number;
    /** scrypt cost as log2(N); 17 is OWASP's minimum recommendation for scrypt with r=8, p=1. */
    scryptLogN: number;
    /** Setting a password or creating a user needs a session whose login is at most this old. */
    recentLoginMs: number;
  };
  logLevel: LogLevel;
}

export type Env = Record<string, string | undefined>;

const problems: string[] = [];

function read(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    problems.push(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
    return fallback;
  }
  return Number(raw);
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    problems.push(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
    return fallback;
  }
  return raw as T;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  problems.push(`${name} must be true or false, got "${raw}"`);
  return fallback;
}

/** A comma-separated list; every entry must pass `valid`. */
function list(env: Env, name: string, valid: (v: string) => boolean, what: string): string[] {
  const raw = read(env, name);
  if (raw === undefined) return [];
  const entries = raw.split(',').flatMap((v) => (v.trim() === '' ? [] : [v.trim()]));
  const bad = entries.find((v) => !valid(v));
  if (bad !== undefined) problems.push(`${name} ${what}, got "${bad.slice(0, 100)}"`);
  return entries;
}

const durationUnits: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "90s", "3m", "1h", or plain milliseconds. */
export function parseDuration(raw: string): number | null {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(raw);
  if (!m) return null;
  return Math.round(Number(m[1]) * durationUnits[m[2] ?? 'ms']!);
}

function duration(env: Env, name: string, fallback: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const ms = parseDuration(raw);
  if (ms === null) {
    problems.push(`${name} must be a duration such as 90s, 3m or 1h, got "${raw}"`);
    return fallback;
  }
  return ms;
}

function databaseUrl(env: Env, name = 'DATABASE_URL'): string | null {
  const raw = read(env, name);
  if (raw === undefined) return null;
  try {
    const u = new URL(raw);
    if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
      problems.push(`${name} must start with postgres:// or postgresql://, got "${u.protocol}//…"`);
    }
  } catch {
    // Never echo the value: it may hold a password.
    problems.push(`${name} is not a valid URL (expected postgres://user:password@host:5432/db)`);
  }
  return raw;
}

function smtpUrl(env: Env): string | null {
  const raw = read(env, 'SMTP_URL');
  if (raw === undefined) return null;
  try {
    const u = new URL(raw);
    if (u.protocol !== 'smtp:' && u.protocol !== 'smtps:')
      problems.push(`SMTP_URL must start with smtp:// or smtps://, got "${u.protocol}//…"`);
    else if (!u.hostname) problems.push('SMTP_URL has no host (expected smtp://user:password@mail.example.jp:587)');
  } catch {
    // Never echo the value: it may hold a password.
    problems.push('SMTP_URL is not a valid URL (expected smtp://user:password@mail.example.jp:587)');
  }
  return raw;
}

// A bare address or "Display Name <address>"; no CR/LF or other control characters, since the
// value becomes the From: header of every alert mail.
const mailFromPattern =
  /^(?:[^<>\p{Cc}]{1,100} )?<?[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?>?$/u;

function mailFrom(env: Env): string {
  const raw = read(env, 'HINOKO_MAIL_FROM');
  if (raw === undefined) return '火の粉 Hinoko <hinoko@localhost>';
  const bracketed = raw.includes('<');
  if (!mailFromPattern.test(raw) || bracketed !== raw.endsWith('>')) {
    problems.push(`HINOKO_MAIL_FROM must be an address such as alerts@clinic.example.jp or "火の粉 <alerts@clinic.example.jp>"`);
  }
  return raw;
}

function publicUrl(env: Env, host: string, port: number): string {
  const raw = read(env, 'HINOKO_PUBLIC_URL');
  if (raw === undefined) return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  try {
    const u = new URL(raw);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
    if (u.search || u.hash || u.username || u.password) throw new Error('extras');
  } catch {
    problems.push(
      `HINOKO_PUBLIC_URL must be an http(s) URL without query or credentials, such as https://hinoko.clinic.example.jp, got "${raw.slice(0, 100)}"`,
    );
  }
  return raw.replace(/\/+$/, '');
}

export function loadConfig(env: Env = process.env): Readonly<Config> {
  problems.length = 0;
  if (read(env, 'HINOKO_API_TOKEN') !== undefined) {
    problems.push('HINOKO_API_TOKEN is no longer used: create users with `hinoko users add` and per-user tokens with `hinoko users token`');
  }
  const host = read(env, 'HOST') ?? '127.0.0.1';
  const config: Config = {
    database: {
      url: databaseUrl(env),
      migrationUrl: databaseUrl(env, 'HINOKO_MIGRATION_DATABASE_URL'),
      readUrl: databaseUrl(env, 'DATABASE_READ_URL'),
      poolSize: int(env, 'HINOKO_DB_POOL', 10, 1, 200),
      embeddedPort: read(env, 'HINOKO_EMBEDDED_PG_PORT') === undefined ? null : int(env, 'HINOKO_EMBEDDED_PG_PORT', 0, 1024, 65535),
      readonlyPassword: read(env, 'HINOKO_READONLY_PASSWORD') ?? null,
    },
    dataDir: path.resolve(read(env, 'HINOKO_DATA_DIR') ?? '.hinoko'),
    http: {
      host,
      port: int(env, 'PORT', 8787, 0, 65535),
      bodyLimitBytes: int(env, 'HINOKO_BODY_LIMIT_BYTES', 1_048_576, 1024, 104_857_600),
      webhookBodyLimitBytes: int(env, 'HINOKO_WEBHOOK_BODY_LIMIT_BYTES', 1_048_576, 1024, 104_857_600),
      trustProxy: bool(env, 'HINOKO_TRUST_PROXY', false),
      metricsToken: read(env, 'HINOKO_METRICS_TOKEN') ?? null,
    },
    ingest: {
      maxTextChars: int(env, 'HINOKO_MAX_TEXT_CHARS', 10_000, 100, 1_000_000),
      batchSize: int(env, 'HINOKO_INGEST_BATCH', 500, 1, 10_000),
    },
    analysis: {
      lexiconExtraPath: read(env, 'HINOKO_LEXICON_EXTRA'),
    },
    sources: {
      credentialEnvPatterns: list(
        env,
        'HINOKO_SOURCE_CREDENTIAL_ENV',
        (v) => credentialEnvPattern.test(v) && !reservedNames.has(v),
        'must be environment-variable name patterns such as HINOKO_ORG_{org}_* (A–Z, 0–9, _, {org}, a trailing *)',
      ),
      urlOverrideTypes: list(
        env,
        'HINOKO_SOURCE_URL_OVERRIDES',
        (v) => v === '*' || /^[a-z_]{1,40}$/.test(v),
        'must be source types such as x,youtube, or *',
      ),
    },
    audit: {
      checkpointMs: duration(env, 'HINOKO_AUDIT_CHECKPOINT', 60_000),
    },
    outbound: {
      allowAddresses: list(
        env,
        'HINOKO_OUTBOUND_ALLOW',
        (v) => parseAllowEntry(v) !== null,
        'must be IP addresses or CIDR ranges such as 127.0.0.1 or 10.0.0.0/8',
      ),
    },
    scheduler: {
      enabled: bool(env, 'HINOKO_SCHEDULER', true),
    },
    retention: {
      keepMonths: int(env, 'HINOKO_KEEP_MONTHS', 36, 0, 1200),
    },
    detection: {
      waitMs: duration(env, 'HINOKO_DETECTION_WAIT', 5 * 60_000),
    },
    demo: {
      mode: oneOf(env, 'HINOKO_DEMO', ['auto', 'on', 'off'] as const, 'auto'),
      seed: int(env, 'HINOKO_DEMO_SEED', 20261125, 0, 2 ** 31 - 1),
      flareAfterMs: duration(env, 'HINOKO_DEMO_FLARE_AFTER', 3 * 60_000),
      flareAfterExplicit: read(env, 'HINOKO_DEMO_FLARE_AFTER') !== undefined,
      postsPerHour: int(env, 'HINOKO_DEMO_POSTS_PER_HOUR', 30, 1, 100_000),
      schedule: read(env, 'HINOKO_DEMO_SCHEDULE') ?? '*/10 * * * * *',
    },
    mail: {
      smtpUrl: smtpUrl(env),
      from: mailFrom(env),
      publicUrl: '',
      maxAttempts: int(env, 'HINOKO_MAIL_MAX_ATTEMPTS', 20, 1, 1000),
      pollMs: duration(env, 'HINOKO_MAIL_POLL', 5_000),
    },
    oncall: {
      secret: read(env, 'HINOKO_SECRET') ?? null,
      ackLinkTtlMs: duration(env, 'HINOKO_ACK_LINK_TTL', 24 * 3_600_000),
      pollMs: duration(env, 'HINOKO_ESCALATION_POLL', 15_000),
    },
    auth: {
      sessionIdleMs: duration(env, 'HINOKO_SESSION_IDLE', 2 * 3_600_000),
      sessionMaxMs: duration(env, 'HINOKO_SESSION_MAX', 12 * 3_600_000),
      maxFailures: int(env, 'HINOKO_LOGIN_MAX_FAILURES', 5, 1, 1000),
      lockWindowMs: duration(env, 'HINOKO_LOGIN_WINDOW', 15 * 60_000),
      lockMs: duration(env, 'HINOKO_LOGIN_LOCK', 15 * 60_000),
      maxFailuresPerIp: int(env, 'HINOKO_LOGIN_MAX_FAILURES_PER_IP', 50, 1, 100_000),
      scryptLogN: int(env, 'HINOKO_SCRYPT_LOG_N', 17, 14, 20),
      recentLoginMs: duration(env, 'HINOKO_RECENT_LOGIN', 15 * 60_000),
    },
    logLevel: oneOf(env, 'HINOKO_LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
  };
  config.mail.publicUrl = publicUrl(env, host, config.http.port);
  const need = (holds: boolean, problem: string) => holds || problems.push(problem);
  // The embedded Postgres sets up its two roles itself; a migration URL only means something beside DATABASE_URL.
  need(config.database.migrationUrl === null || config.database.url !== null, 'HINOKO_MIGRATION_DATABASE_URL goes with DATABASE_URL');
  need(config.database.readUrl === null || config.database.url !== null, 'DATABASE_READ_URL goes with DATABASE_URL');
  need(
    config.database.readonlyPassword === null || config.database.readonlyPassword.length >= 12,
    'HINOKO_READONLY_PASSWORD must be at least 12 characters',
  );
  need(config.mail.pollMs >= 100, 'HINOKO_MAIL_POLL must be at least 100ms');
  need((config.http.metricsToken?.length ?? 24) >= 24, 'HINOKO_METRICS_TOKEN must be at least 24 characters (e.g. openssl rand -hex 16)');
  need((config.oncall.secret?.length ?? 32) >= 32, 'HINOKO_SECRET must be at least 32 characters (e.g. openssl rand -hex 32)');
  need(config.oncall.ackLinkTtlMs >= 60_000, 'HINOKO_ACK_LINK_TTL must be at least 1m');
  need(config.oncall.pollMs >= 100, 'HINOKO_ESCALATION_POLL must be at least 100ms');
  need(config.auth.sessionIdleMs >= 60_000, 'HINOKO_SESSION_IDLE must be at least 1m');
  need(config.auth.sessionMaxMs >= config.auth.sessionIdleMs, 'HINOKO_SESSION_MAX must not be shorter than HINOKO_SESSION_IDLE');
  need(config.audit.checkpointMs >= 1000, 'HINOKO_AUDIT_CHECKPOINT must be at least 1s');
  need(config.auth.recentLoginMs >= 60_000, 'HINOKO_RECENT_LOGIN must be at least 1m');
  need(config.auth.lockWindowMs >= 1000 && config.auth.lockMs >= 1000, 'HINOKO_LOGIN_WINDOW and HINOKO_LOGIN_LOCK must be at least 1s');
  if (problems.length > 0) {
    throw new ConfigError(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
  return Object.freeze(config);
}

const credentialEnvPattern = /^[A-Z][A-Z0-9_]{0,62}(?:\{org\}_[A-Z0-9_]{0,40})?\*?$/;
// The platform's own secrets are never a source's credential, whatever the patterns say.
export const reservedNames = new Set([
  'DATABASE_URL',
  'HINOKO_API_TOKEN',
  'SMTP_URL',
  'HINOKO_SECRET',
  'HINOKO_MIGRATION_DATABASE_URL',
  'DATABASE_READ_URL',
]);

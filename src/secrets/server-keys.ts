import { createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.ts';
import { ConfigError } from '../errors.ts';

// The server secret and the keys derived from it. The point of this module is *where the secret
// lives*: never in the database. Whoever holds only a copy of the database (a backup, a stolen
// dump, a compromised database role) can neither decrypt the sources' stored credentials nor
// forge the audit log's checkpoints. The secret is HINOKO_SECRET when the operator sets it
// (required when several instances share one database, so they derive the same keys), else 32
// random bytes generated once in the data directory (file mode 0600).

export interface ServerKeys {
  /** AES-256-GCM key for credentials stored with sources (src/secrets/credential-box.ts). */
  credentials: Buffer;
  /** HMAC-SHA256 key for the audit log's chain-head checkpoints. */
  auditCheckpoints: Buffer;
  /** HMAC-SHA256 key for the acknowledgement links in on-call mails (src/notify/ack-token.ts). */
  ackLinks: Buffer;
  /**
   * A public fingerprint of the secret (not of a key), kept in the database at first use so a
   * start with a different secret is refused before it writes anything unreadable.
   */
  fingerprint: string;
  /** Where the secret came from, for log lines: 'HINOKO_SECRET' or the file's path. */
  origin: string;
}

export const serverSecretFileName = 'server-secret';

/** Each purpose gets its own key, so one key's use can never be turned into another's. */
export function deriveServerKeys(secret: Buffer, origin: string): ServerKeys {
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', secret, Buffer.from('hinoko'), info, 32));
  return {
    credentials: derive('hinoko source credentials v1'),
    auditCheckpoints: derive('hinoko audit checkpoints v1'),
    ackLinks: derive('hinoko ack links v1'),
    fingerprint: createHmac('sha256', derive('hinoko fingerprint v1')).update('fingerprint').digest('hex').slice(0, 16),
    origin,
  };
}

/**
 * Reads the secret file, or creates it. O_EXCL makes two instances starting on one data
 * directory agree: the loser of the race reads the winner's file.
 */
function fileSecret(dataDir: string): Buffer {
  const file = path.join(dataDir, serverSecretFileName);
  mkdirSync(dataDir, { recursive: true });
  try {
    const fd = openSync(file, 'wx', 0o600);
    try {
      writeSync(fd, `${randomBytes(32).toString('hex')}\n`);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const text = readFileSync(file, 'utf8').trim();
  if (!/^[0-9a-f]{64}$/.test(text)) {
    throw new ConfigError(`${file} is not a server secret (64 hex characters): restore it from a backup, or set HINOKO_SECRET`);
  }
  return Buffer.from(text, 'hex');
}

export function loadServerKeys(config: Pick<Config, 'dataDir' | 'oncall'>): ServerKeys {
  if (config.oncall.secret !== null) return deriveServerKeys(Buffer.from(config.oncall.secret, 'utf8'), 'HINOKO_SECRET');
  return deriveServerKeys(fileSecret(config.dataDir), path.join(config.dataDir, serverSecretFileName));
}

/** Keys for tests and throwaway contexts: random, so nothing they encrypt outlives the process. */
export function ephemeralServerKeys(): ServerKeys {
  return deriveServerKeys(randomBytes(32), 'ephemeral');
}

/** A short, stable hash for log lines and key ids; reveals nothing about the input. */
export function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

import { createHmac, timingSafeEqual } from 'node:crypto';

// A checkpoint is one chain's head — its last seq and that row's hash — signed with an HMAC
// under a key derived from the server secret (ServerKeys.auditCheckpoints), which the database
// never holds. Checkpoints live outside the audit_log table (an append-only file in the data
// directory, and the service log), so whoever can rewrite the table cannot rewrite them: a chain
// cut short, deleted whole, or rebuilt consistently no longer reaches its last checkpoint.
// Pure: the file and the job are in checkpoint-store.ts and checkpoint-job.ts.

export interface Checkpoint {
  chain: string;
  seq: number;
  /** Hex of the head row's hash. */
  hash: string;
  at: string;
}

export interface SignedCheckpoint extends Checkpoint {
  mac: string;
}

function macOf(key: Buffer, c: Checkpoint): string {
  return createHmac('sha256', key).update(`hinoko-audit-checkpoint/v1\n${c.chain}\n${c.seq}\n${c.hash}\n${c.at}`).digest('hex');
}

export function signCheckpoint(key: Buffer, c: Checkpoint): SignedCheckpoint {
  return { chain: c.chain, seq: c.seq, hash: c.hash, at: c.at, mac: macOf(key, c) };
}

/** The checkpoint a line holds when its MAC verifies under `key`; null for a forged, damaged or foreign line. */
export function readCheckpointLine(key: Buffer, line: string): SignedCheckpoint | null {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return null;
  }
  const c = v as Partial<SignedCheckpoint>;
  if (
    typeof c.chain !== 'string' ||
    !Number.isSafeInteger(c.seq) ||
    typeof c.hash !== 'string' ||
    typeof c.at !== 'string' ||
    typeof c.mac !== 'string'
  )
    return null;
  const expected = Buffer.from(macOf(key, c as Checkpoint), 'hex');
  const given = Buffer.from(c.mac, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected) ? (c as SignedCheckpoint) : null;
}

/** The latest checkpoint of each chain among verified lines (highest seq wins). */
export function latestByChain(checkpoints: SignedCheckpoint[]): Map<string, SignedCheckpoint> {
  const out = new Map<string, SignedCheckpoint>();
  for (const c of checkpoints) {
    const prev = out.get(c.chain);
    if (!prev || c.seq >= prev.seq) out.set(c.chain, c);
  }
  return out;
}

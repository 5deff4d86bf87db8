import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { AppContext } from '../context.ts';
import type { Sql } from '../db/connect.ts';
import type { Row } from '../db/schema.ts';
import { latestByChain, readCheckpointLine, signCheckpoint, type SignedCheckpoint } from './checkpoint.ts';

// Where checkpoints are kept: one JSON line per chain-head change, appended (O_APPEND) to a file
// in the data directory, and the same line in the service log, so a copy lives wherever logs are
// shipped. Appending only when a head moved keeps the file to one line per change of activity.

export const checkpointFileName = 'audit-checkpoints.jsonl';

export function checkpointFile(dataDir: string): string {
  return path.join(dataDir, checkpointFileName);
}

export interface CheckpointRead {
  valid: SignedCheckpoint[];
  /** Line numbers (1-based) whose MAC does not verify: forged, edited or written under another secret. */
  invalidLines: number[];
  exists: boolean;
}

export function readCheckpoints(file: string, key: Buffer): CheckpointRead {
  if (!existsSync(file)) return { valid: [], invalidLines: [], exists: false };
  const valid: SignedCheckpoint[] = [];
  const invalidLines: number[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim() === '') return;
      const c = readCheckpointLine(key, line);
      if (c) valid.push(c);
      else invalidLines.push(i + 1);
    });
  return { valid, invalidLines, exists: true };
}

/** Chain heads as the table has them now. */
export async function chainHeads(sql: Sql): Promise<{ chain: string; seq: number; hash: Buffer }[]> {
  const rows = await sql<Pick<Row<'audit_log'>, 'chain' | 'seq' | 'hash'>[]>`
    select distinct on (chain) chain, seq, hash from audit_log order by chain, seq desc`;
  return rows.map((r) => ({ chain: r.chain, seq: Number(r.seq), hash: Buffer.from(r.hash) }));
}

/**
 * Appends a checkpoint for every chain whose head moved since the file's last one. Returns the
 * checkpoints written. Several instances sharing a data directory may both append the same head:
 * harmless, the file is a log of observations.
 */
export async function writeCheckpoints(ctx: Pick<AppContext, 'sql' | 'keys' | 'config' | 'log' | 'now'>): Promise<SignedCheckpoint[]> {
  const file = checkpointFile(ctx.config.dataDir);
  const known = latestByChain(readCheckpoints(file, ctx.keys.auditCheckpoints).valid);
  const at = ctx.now().toISOString();
  const fresh: SignedCheckpoint[] = [];
  for (const head of await chainHeads(ctx.sql)) {
    const hash = head.hash.toString('hex');
    const last = known.get(head.chain);
    if (last && last.seq === head.seq && last.hash === hash) continue;
    fresh.push(signCheckpoint(ctx.keys.auditCheckpoints, { chain: head.chain, seq: head.seq, hash, at }));
  }
  if (fresh.length === 0) return [];
  mkdirSync(ctx.config.dataDir, { recursive: true });
  appendFileSync(file, fresh.map((c) => `${JSON.stringify(c)}\n`).join(''), { mode: 0o600 });
  for (const c of fresh) ctx.log.info({ auditCheckpoint: c }, '監査ログのチェックポイント (audit log checkpoint)');
  return fresh;
}

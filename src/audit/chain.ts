import { createHash } from 'node:crypto';

// The hash chain, pure: what is hashed and how a chain is checked. Kept apart from storage so
// the verification logic is tested on plain rows.

export interface AuditFields {
  chain: string;
  seq: number;
  orgId: string | null;
  at: Date;
  actorType: string;
  actorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  before: unknown;
  after: unknown;
  requestId: string | null;
  sourceIp: string | null;
}

/** JSON with object keys sorted, so the same content always hashes the same (jsonb reorders keys). */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function auditHash(prevHash: Buffer | null, f: AuditFields): Buffer {
  const content = canonicalJson({
    chain: f.chain,
    seq: f.seq,
    orgId: f.orgId,
    at: f.at.toISOString(),
    actorType: f.actorType,
    actorId: f.actorId,
    action: f.action,
    targetType: f.targetType,
    targetId: f.targetId,
    before: f.before ?? null,
    after: f.after ?? null,
    requestId: f.requestId,
    sourceIp: f.sourceIp,
  });
  return createHash('sha256')
    .update(prevHash ?? Buffer.alloc(0))
    .update(content)
    .digest();
}

export interface StoredAuditRow extends AuditFields {
  id: string;
  prevHash: Buffer | null;
  hash: Buffer;
}

export type ChainBreak = { seq: number; id: string | null; reason: string };

/** Walks one chain in seq order; returns the first broken link, or null when it is intact. */
export function verifyChain(rows: StoredAuditRow[]): ChainBreak | null {
  let prev: Buffer | null = null;
  let expectedSeq = 1;
  for (const row of rows) {
    if (row.seq !== expectedSeq) {
      return { seq: expectedSeq, id: null, reason: `row ${expectedSeq} is missing (next is ${row.seq}): deleted` };
    }
    if (!(row.prevHash === null ? prev === null : prev !== null && row.prevHash.equals(prev))) {
      return { seq: row.seq, id: row.id, reason: 'does not link to the previous row (a row before it was changed or removed)' };
    }
    const expected = auditHash(prev, row);
    if (!expected.equals(row.hash)) return { seq: row.seq, id: row.id, reason: 'content does not match its hash: edited' };
    prev = row.hash;
    expectedSeq++;
  }
  return null;
}

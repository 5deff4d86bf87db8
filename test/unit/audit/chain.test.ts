import { describe, expect, it } from 'vitest';
import { auditHash, canonicalJson, verifyChain, type StoredAuditRow } from '../../../src/audit/chain.ts';

function chainOf(n: number): StoredAuditRow[] {
  const rows: StoredAuditRow[] = [];
  let prev: Buffer | null = null;
  for (let i = 1; i <= n; i++) {
    const fields = {
      chain: '7',
      seq: i,
      orgId: '7',
      at: new Date(Date.UTC(2026, 10, 25, 0, i)),
      actorType: 'api_token',
      actorId: 'platform-token',
      action: 'source.disable',
      targetType: 'source',
      targetId: String(i),
      before: { enabled: true },
      after: { enabled: false },
      requestId: `r${i}`,
      sourceIp: '127.0.0.1',
    };
    const hash = auditHash(prev, fields);
    rows.push({ ...fields, id: String(100 + i), prevHash: prev, hash });
    prev = hash;
  }
  return rows;
}

describe('audit hash chain', () => {
  it('accepts an intact chain', () => {
    expect(verifyChain(chainOf(5))).toBeNull();
    expect(verifyChain([])).toBeNull();
  });

  it('names the first edited row', () => {
    const rows = chainOf(5);
    rows[2] = { ...rows[2]!, after: { enabled: true } };
    expect(verifyChain(rows)).toEqual({ seq: 3, id: '103', reason: expect.stringContaining('edited') });
  });

  it('names a deleted row', () => {
    const rows = chainOf(5);
    rows.splice(1, 1);
    expect(verifyChain(rows)).toEqual({ seq: 2, id: null, reason: expect.stringContaining('deleted') });
  });

  it('catches a deleted row whose successors were renumbered and a rewritten hash', () => {
    const rows = chainOf(5);
    rows.splice(1, 1);
    const renumbered = rows.map((r, i) => ({ ...r, seq: i + 1 }));
    expect(verifyChain(renumbered)?.seq).toBe(2);
    const rehashed = chainOf(5);
    rehashed[1] = { ...rehashed[1]!, action: 'source.enable' };
    rehashed[1] = { ...rehashed[1], hash: auditHash(rehashed[0]!.hash, rehashed[1]) };
    expect(verifyChain(rehashed)).toEqual({ seq: 3, id: '103', reason: expect.stringContaining('does not link') });
  });

  it('hashes content independent of key order (jsonb reorders keys)', () => {
    expect(canonicalJson({ b: 1, a: [{ y: 2, x: 1 }] })).toBe(canonicalJson({ a: [{ x: 1, y: 2 }], b: 1 }));
  });
});

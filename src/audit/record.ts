import { asJson, type Sql, type Tx } from '../db/connect.ts';
import { advisoryKey, lockNames } from '../db/locks.ts';
import { auditHash, verifyChain, type AuditFields, type ChainBreak, type StoredAuditRow } from './chain.ts';
import { latestByChain } from './checkpoint.ts';
import type { CheckpointRead } from './checkpoint-store.ts';
import type { Row } from '../db/schema.ts';

/** Who did it. Routes fill it from the request; the CLI and the system from themselves. */
export interface AuditActor {
  type: 'api_token' | 'cli' | 'system' | 'webhook' | 'user';
  id: string | null;
  requestId?: string | null;
  sourceIp?: string | null;
}

export interface AuditEntry {
  orgId: string | null;
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  before?: unknown;
  after?: unknown;
}

export const systemActor: AuditActor = { type: 'system', id: 'hinoko' };

/**
 * Takes the audit chain's lock (an org id, or 'platform') for the rest of the transaction.
 * recordAudit takes it anyway; verbs that write incidents take it FIRST, because the detection
 * pass reaches incident rows already holding it (it has just audited the alert): a verb that locked
 * an incident row and then waited for this lock would deadlock against it. Re-entrant.
 */
export async function lockAuditChain(tx: Tx, chain: string): Promise<void> {
  await tx`select pg_advisory_xact_lock(${advisoryKey(lockNames.auditChain(chain))}::bigint)`;
}

/**
 * Appends one row to its organization's chain. Call it inside the transaction of the change it
 * records, so the change and its audit row commit together or not at all. Chains are serialised
 * by a transaction-scoped advisory lock: concurrent writers queue instead of forking the chain.
 */
export async function recordAudit(tx: Tx, actor: AuditActor, entry: AuditEntry, at = new Date()): Promise<void> {
  const chain = entry.orgId ?? 'platform';
  await lockAuditChain(tx, chain);
  const [last] = await tx<Pick<Row<'audit_log'>, 'seq' | 'hash'>[]>`
    select seq, hash from audit_log where chain = ${chain} order by seq desc limit 1`;
  // Stored as it will be read back (jsonb), so the hash covers exactly what verify sees.
  const plainJson = (v: unknown) => (v === undefined || v === null ? null : (JSON.parse(JSON.stringify(v)) as unknown));
  const fields: AuditFields = {
    chain,
    seq: Number(last?.seq ?? 0) + 1,
    orgId: entry.orgId,
    at,
    actorType: actor.type,
    actorId: actor.id,
    action: entry.action,
    targetType: entry.targetType ?? null,
    targetId: entry.targetId ?? null,
    before: plainJson(entry.before),
    after: plainJson(entry.after),
    requestId: actor.requestId ?? null,
    sourceIp: actor.sourceIp ?? null,
  };
  const prev = last ? Buffer.from(last.hash) : null;
  const hash = auditHash(prev, fields);
  await tx`
    insert into audit_log (chain, seq, org_id, at, actor_type, actor_id, action, target_type, target_id, before, after,
      request_id, source_ip, prev_hash, hash)
    values (${chain}, ${fields.seq}, ${fields.orgId}, ${at}, ${fields.actorType}, ${fields.actorId}, ${fields.action},
      ${fields.targetType}, ${fields.targetId}, ${fields.before === null ? null : tx.json(asJson(fields.before))},
      ${fields.after === null ? null : tx.json(asJson(fields.after))}, ${fields.requestId}, ${fields.sourceIp}, ${prev}, ${hash})`;
}

/**
 * Checks every chain (or one organization's) and names the first problem of each:
 * - the hash chain itself (an edited, removed or reordered row; chain.ts);
 * - every organization's chain exists and starts at its creation record, so deleting all of an
 *   organization's rows, or its first ones, is found;
 * - with checkpoints (checkpoint-store.ts): each chain still reaches its latest checkpoint with the
 *   same hash, so rows cut from the end or a chain rebuilt consistently are found; a checkpoint
 *   line whose MAC does not verify is reported as forged.
 * Rows appended after the last checkpoint can still be cut unseen: the checkpoint interval is the
 * window (README, "Security").
 */
export async function verifyAudit(
  sql: Sql,
  orgId?: string,
  options: { checkpoints?: CheckpointRead } = {},
): Promise<{ chains: number; rows: number; breaks: (ChainBreak & { chain: string })[]; checkpointsChecked: number }> {
  const orgs = (
    await sql<Pick<Row<'organizations'>, 'id'>[]>`
    select id::text as id from organizations where (${orgId ?? null}::bigint is null or id = ${orgId ?? null}::bigint) order by id`
  ).map((r) => r.id);
  const checkpoints = latestByChain(options.checkpoints?.valid ?? []);
  const chains = orgId
    ? [orgId]
    : [
        ...new Set([
          ...(await sql<Pick<Row<'audit_log'>, 'chain'>[]>`select distinct chain from audit_log order by chain`).map((r) => r.chain),
          ...orgs,
          ...checkpoints.keys(),
        ]),
      ].sort();
  const breaks: (ChainBreak & { chain: string })[] = [];
  for (const line of options.checkpoints?.invalidLines ?? []) {
    breaks.push({
      chain: 'checkpoints',
      seq: line,
      id: null,
      reason: `checkpoint line ${line} does not verify: forged, edited, or written under another server secret`,
    });
  }
  let rows = 0;
  let checkpointsChecked = 0;
  for (const chain of chains) {
    const stored = await sql<Row<'audit_log'>[]>`select * from audit_log where chain = ${chain} order by seq`;
    rows += stored.length;
    const asRows: StoredAuditRow[] = stored.map((r) => ({
      id: r.id,
      chain: r.chain,
      seq: Number(r.seq),
      orgId: r.org_id,
      at: r.at,
      actorType: r.actor_type,
      actorId: r.actor_id,
      action: r.action,
      targetType: r.target_type,
      targetId: r.target_id,
      before: r.before,
      after: r.after,
      requestId: r.request_id,
      sourceIp: r.source_ip,
      prevHash: r.prev_hash ? Buffer.from(r.prev_hash) : null,
      hash: Buffer.from(r.hash),
    }));
    const broken = verifyChain(asRows);
    if (broken) {
      breaks.push({ chain, ...broken });
      continue;
    }
    if (orgs.includes(chain)) {
      if (asRows.length === 0) {
        breaks.push({ chain, seq: 1, id: null, reason: 'the organization exists but its chain has no rows: every row was deleted' });
        continue;
      }
      if (asRows[0]!.action !== 'organization.create') {
        breaks.push({
          chain,
          seq: 1,
          id: asRows[0]!.id,
          reason: "the chain does not start at the organization's creation record: its first rows were removed",
        });
        continue;
      }
    }
    const cp = checkpoints.get(chain);
    if (cp) {
      checkpointsChecked++;
      const row = asRows.find((r) => r.seq === cp.seq);
      if (!row) {
        breaks.push({
          chain,
          seq: cp.seq,
          id: null,
          reason: `row ${cp.seq} is missing, though checkpointed at ${cp.at}: rows were cut from the end of the chain (it now ends at ${asRows.at(-1)?.seq ?? 0})`,
        });
      } else if (row.hash.toString('hex') !== cp.hash) {
        breaks.push({
          chain,
          seq: cp.seq,
          id: row.id,
          reason: `row ${cp.seq} differs from its checkpoint of ${cp.at}: the chain was rebuilt`,
        });
      }
    }
  }
  return { chains: chains.length, rows, breaks, checkpointsChecked };
}

import { createHash } from 'node:crypto';

// Every lock and lease name of the service, in one place, so two features cannot pick the same
// name by accident and a reader sees at a glance what is exclusive across instances.

// Advisory-lock keys are 64-bit integers; each lock gets a stable one derived from its name
// so keys from different features never collide by accident.
export function advisoryKey(name: string): string {
  return createHash('sha256').update(`hinoko:${name}`).digest().readBigInt64BE(0).toString();
}

/**
 * Transaction-scoped advisory locks (`pg_advisory_xact_lock(advisoryKey(name))`): held until the
 * transaction ends, so they never outlive a connection's work.
 */
export const lockNames = {
  migrate: 'migrate',
  bootstrap: 'bootstrap',
  /** Incident creation per org, one at a time: two series of one flare-up must not open two incidents. */
  incidents: (orgId: string) => `incidents:${orgId}`,
  playbook: (orgId: string) => `playbook:${orgId}`,
  /** Writers of one audit chain queue instead of forking it. */
  auditChain: (chain: string) => `audit:${chain}`,
} as const;

/**
 * Leases (src/db/leases.ts, sql/016): exclusive work that outlives one transaction, held as a
 * renewed row instead of a connection. The strings are stored in `leases.name`: renaming one lets
 * an old and a new instance both take it during a rolling restart.
 */
export const leaseNames = {
  sourceRun: (sourceId: string) => `source-run:${sourceId}`,
  /** The analysis backlog sweep (src/ingest/analysis-backlog-job.ts): one instance sweeps at a time. */
  analysisBacklog: 'analysis-backlog',
  /** The daily retention pass (src/privacy/retention-job.ts). */
  retention: 'retention',
} as const;

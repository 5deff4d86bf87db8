import { createHash } from 'node:crypto';

// Advisory-lock keys are 64-bit integers; each lock gets a stable one derived from its name
// so keys from different features never collide by accident.
export function advisoryKey(name: string): string {
  return createHash('sha256').update(`hinoko:${name}`).digest().readBigInt64BE(0).toString();
}

export const lockNames = {
  migrate: 'migrate',
  bootstrap: 'bootstrap',
  sourceRun: (sourceId: string) => `source-run:${sourceId}`,
} as const;

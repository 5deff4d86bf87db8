// When a failed mail is tried again: capped exponential backoff with jitter. The jitter keeps
// several instances (and many rows that failed in the same outage) from retrying in lockstep
// against an SMTP server that is just coming back.

export interface RetryPolicy {
  /** Delay after the first failed attempt. */
  baseMs: number;
  /** No single wait is longer than this. */
  capMs: number;
  /** After this many attempts the row is marked failed and left for a person to look at. */
  maxAttempts: number;
}

/** Five seconds doubling to fifteen minutes; 20 attempts span about 3½ hours of outage. */
export const defaultRetryPolicy: RetryPolicy = { baseMs: 5_000, capMs: 15 * 60_000, maxAttempts: 20 };

/**
 * Delay before attempt `attempts + 1`, given `attempts` made so far (≥ 1). `random` in [0, 1):
 * the wait is between half and all of the capped exponential step ("equal jitter"), so it never
 * collapses to zero and a hot loop against a dead server is impossible.
 */
export function retryDelayMs(attempts: number, policy: RetryPolicy, random: number = Math.random()): number {
  const n = Math.max(1, Math.floor(attempts));
  // 2 ** 40 is already past any cap; stop before the float grows pointlessly.
  const step = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(n - 1, 40));
  const r = Math.min(Math.max(random, 0), 0.999_999);
  return Math.round(step / 2 + (step / 2) * r);
}

import { expect, it } from 'vitest';
import { defaultRetryPolicy, retryDelayMs } from '../../../src/notify/backoff.ts';
import { defaultProbeMs } from '../../../src/notify/mailer.ts';

const policy = { baseMs: 1000, capMs: 60_000, maxAttempts: 10 };

it('doubles from the base, stays within half to all of the step, and never passes the cap', () => {
  expect(retryDelayMs(1, policy, 0)).toBe(500);
  expect(retryDelayMs(1, policy, 0.999999)).toBe(1000);
  expect(retryDelayMs(3, policy, 0)).toBe(2000);
  expect(retryDelayMs(3, policy, 0.5)).toBe(3000);
  for (const attempts of [7, 8, 50, 10_000]) {
    expect(retryDelayMs(attempts, policy, 0.999999)).toBe(60_000);
    expect(retryDelayMs(attempts, policy, 0)).toBe(30_000);
  }
  // Odd inputs do not produce zero or NaN.
  expect(retryDelayMs(0, policy, -1)).toBe(500);
  expect(retryDelayMs(2, policy, 7)).toBeLessThanOrEqual(2000);
});

it('the recovery probe runs often enough that a page goes out within 30 s of SMTP coming back', () => {
  // Worst case: the server returns just after a probe; the next one finds it (≤ probeMs), the
  // kicked pass sends at once. A probe hanging on a half-dead server delays one tick more at most.
  expect(defaultProbeMs).toBeLessThanOrEqual(15_000);
  // The backoff alone would not: after 8 failed attempts the next waits 5 to 10 minutes.
  expect(retryDelayMs(8, defaultRetryPolicy, 0)).toBeGreaterThan(30_000);
});

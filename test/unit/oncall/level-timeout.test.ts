import { expect, it } from 'vitest';
import { levelTimesOutAt } from '../../../src/oncall/escalation.ts';

const queuedAt = new Date('2026-12-08T01:00:00Z');
const min = (n: number) => new Date(queuedAt.getTime() + n * 60_000);
const level = { nextAt: min(15), timeoutMs: 15 * 60_000 };

it('counts a level’s timeout from its first page delivered, not from queueing', () => {
  expect(levelTimesOutAt({ ...level, firstSentAt: min(22), undelivered: 0 })).toEqual(min(37));
  // Another recipient's mail still being retried does not hold the level back once someone has the page.
  expect(levelTimesOutAt({ ...level, firstSentAt: min(1), undelivered: 1 })).toEqual(min(16));
});

it('runs no timeout while the page is undelivered and still being tried', () => {
  expect(levelTimesOutAt({ ...level, firstSentAt: null, undelivered: 2 })).toBeNull();
});

it('counts from queueing when every page failed for good or nobody was paged, and is never earlier than that', () => {
  expect(levelTimesOutAt({ ...level, firstSentAt: null, undelivered: 0 })).toEqual(min(15));
  // A delivery time before the queue time (clock skew between machines) changes nothing.
  expect(levelTimesOutAt({ ...level, firstSentAt: min(-3), undelivered: 0 })).toEqual(min(15));
});

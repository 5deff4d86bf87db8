import type { Detector } from './detector.ts';

// The first appearance of a high-risk term (医療ミス, 死亡, 個人情報流出 …) together with the
// institution's name is worth a notification even at one post: it is how the worst 炎上 start.
// Memory is a bounded list (oldest forgotten first) so the state stays O(1); a term seen again
// after `rearmMs` is news again.

export interface CriticalTermsState {
  /** [term, last seen (ms since epoch)], most recent last. */
  seen: [string, number][];
  /** Terms that were new in the last stepped bucket, for the explanation. */
  lastNew: string[];
}

export const criticalTermsDetector: Detector<CriticalTermsState> = {
  initial: () => ({ seen: [], lastNew: [] }),

  step(state, signal, _context, settings) {
    const now = signal.start.getTime();
    const { rearmMs, memory, strength } = settings.criticalTerms;
    const fresh: string[] = [];
    let seen = state.seen;
    if (signal.criticalTerms.length > 0) {
      const known = new Map(state.seen);
      for (const term of signal.criticalTerms) {
        const last = known.get(term);
        if (last === undefined || now - last >= rearmMs) fresh.push(term);
        known.delete(term);
        known.set(term, now);
      }
      seen = [...known].slice(-memory);
    }
    const fired = fresh.length > 0;
    return {
      state: { seen, lastNew: fresh },
      reading: {
        fired,
        strength: fired ? strength : 0,
        surprise: 0,
        observed: fresh.length,
        expected: 0,
      },
    };
  },
};

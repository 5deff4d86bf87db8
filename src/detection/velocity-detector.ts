import { countSurprise } from './count-tails.ts';
import { quietReading, type Detector } from './detector.ts';
import { ewmaWeight, strengthFromSurprise } from './settings.ts';

// Diffusion: engagement (reposts + quotes + replies) gained by negative posts, against its own
// baseline with a heavy-tailed count model (engagement is far burstier than posting). Rising
// engagement counts fully; engagement that is high but already falling counts half.

export interface VelocityState {
  seen: number;
  mean: number;
  previous: number;
}

const fallingDiscount = 0.6;

export const velocityDetector: Detector<VelocityState> = {
  initial: () => ({ seen: 0, mean: 0, previous: 0 }),

  step(state, signal, _context, settings) {
    const reach = signal.reach.reposts + signal.reach.quotes + signal.reach.replies;
    const expected = Math.max(1, state.mean);
    let reading = quietReading(reach, expected);
    if (reach >= settings.floors.minReach && reach > expected) {
      const surprise = countSurprise(reach, expected, settings.velocity.dispersion);
      const strength =
        strengthFromSurprise(surprise, settings.halfStrengthSurprise.velocity) * (reach >= state.previous ? 1 : fallingDiscount);
      reading = { fired: strength >= settings.thresholds.fired, strength, surprise, observed: reach, expected };
    }
    const w = Math.max(ewmaWeight(settings.velocity.baselineHalfLifeBuckets), 1 / (state.seen + 1));
    // Learn from a clipped value so one viral thread does not raise the bar for the next.
    const learned = Math.min(reach, expected * 10 + settings.floors.minReach);
    return {
      reading,
      state: { seen: Math.min(state.seen + 1, 1e9), mean: (1 - w) * state.mean + w * learned, previous: reach },
    };
  },
};

// Upper-tail probabilities of the count models the detectors judge with, returned as
// "surprise" = -log10 P(X ≥ observed). Log space throughout: a 13,000-post spike over an
// expectation of 50 has a tail probability far below the smallest double.

/** Surprise never exceeds this: beyond it the numbers mean nothing more to anyone. */
export const maxSurprise = 1000;

const lanczos = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7; relative error ~1e-15). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = lanczos[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += lanczos[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

export function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

// Continued fraction for the incomplete beta function (modified Lentz; Numerical Recipes 6.4).
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 2000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-13) break;
  }
  return h;
}

/** ln I_x(a, b), the regularised incomplete beta function. */
export function logRegularizedBeta(a: number, b: number, x: number): number {
  if (x <= 0) return -Infinity;
  if (x >= 1) return 0;
  const front = a * Math.log(x) + b * Math.log1p(-x) - logBeta(a, b);
  if (x < (a + 1) / (a + b + 2)) return front + Math.log(betaContinuedFraction(a, b, x) / a);
  const complement = Math.exp(front) * (betaContinuedFraction(b, a, 1 - x) / b);
  return Math.log(Math.max(1e-300, 1 - complement));
}

/** ln P(a, x), the regularised lower incomplete gamma function (series; used only for x < a + 1). */
function logLowerGammaSeries(a: number, x: number): number {
  let term = 1 / a;
  let sum = term;
  for (let n = 1; n < 5000; n++) {
    term *= x / (a + n);
    sum += term;
    if (term < sum * 1e-15) break;
  }
  return Math.log(sum) - x + a * Math.log(x) - logGamma(a);
}

function toSurprise(logP: number): number {
  const s = -logP / Math.LN10;
  if (!(s > 0)) return 0;
  return Math.min(maxSurprise, s);
}

/**
 * Surprise of seeing at least `observed` events when the count is negative-binomial with mean
 * `mean` and dispersion `phi` (variance = mean + phi·mean²); phi → 0 is Poisson.
 */
export function countSurprise(observed: number, mean: number, phi: number): number {
  const k = Math.floor(observed);
  if (k <= 0 || !(mean > 0)) return k > 0 ? maxSurprise : 0;
  if (k <= mean) return 0;
  if (phi < 1e-6) {
    // Poisson: P(X ≥ k) = P(k, mean) (regularised lower gamma); k > mean keeps the series fast.
    return toSurprise(logLowerGammaSeries(k, mean));
  }
  const r = 1 / phi;
  // NB(r, p) with p = r / (r + mean): P(X ≥ k) = I_{1−p}(k, r).
  return toSurprise(logRegularizedBeta(k, r, mean / (r + mean)));
}

/**
 * Surprise of at least `k` of `n` being negative when the share follows Beta(alpha, beta)
 * around its baseline (beta-binomial): 2 of 3 barely registers, 60 of 80 does.
 */
export function betaBinomialSurprise(k: number, n: number, alpha: number, beta: number): number {
  let kk = Math.floor(k);
  let nn = Math.floor(n);
  if (kk <= 0 || nn <= 0 || kk > nn) return 0;
  // Past a few thousand the tail sum is slow and the answer saturates anyway; scaling both
  // down keeps the share and only understates the surprise.
  if (nn > 4000) {
    kk = Math.floor((kk * 4000) / nn);
    nn = 4000;
  }
  if (kk / nn <= alpha / (alpha + beta)) return 0;
  const logFirst = logGamma(nn + 1) - logGamma(kk + 1) - logGamma(nn - kk + 1) + logBeta(kk + alpha, nn - kk + beta) - logBeta(alpha, beta);
  // Terms fall from k onwards (k is above the mode), so sum them relative to the first.
  let term = 1;
  let sum = 1;
  for (let j = kk; j < nn; j++) {
    term *= ((nn - j) / (j + 1)) * ((j + alpha) / (nn - j - 1 + beta));
    sum += term;
    if (term < sum * 1e-12) break;
  }
  return toSurprise(logFirst + Math.log(sum));
}

/**
 * Tail probabilities in log space. Detection compares counts as small as 3 of 4 and as large as 50 000 of an hour,
 * and the p-values it cares about reach 1e-100 and below, so every function works with logarithms and never forms
 * a raw factorial or power. Counts may be non-integer where noted: the detector divides counts by a variance
 * inflation factor (quasi-likelihood), and the incomplete beta / gamma functions extend the tails smoothly.
 */

const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** ln Γ(x) for x > 0 (Lanczos, ~15 significant digits). */
export function logGamma(x: number): number {
  if (x < 0.5) {
    // Reflection keeps the approximation in its accurate range.
    return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  }
  const z = x - 1;
  let sum = LANCZOS[0] as number;
  for (let i = 1; i < LANCZOS_G + 2; i++) sum += (LANCZOS[i] as number) / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return LOG_SQRT_2PI + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

export function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

export function logChoose(n: number, k: number): number {
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
}

/** log(1 - e^x) for x ≤ 0 without cancellation. */
export function log1mExp(x: number): number {
  if (x >= 0) return -Infinity;
  return x > -Math.LN2 ? Math.log(-Math.expm1(x)) : Math.log1p(-Math.exp(x));
}

/** log(e^a + e^b). */
export function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const m = Math.max(a, b);
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
}

const EPS = 1e-15;
const TINY = 1e-300;
const MAX_ITER = 500;

/** Continued fraction of the incomplete beta (modified Lentz). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= MAX_ITER; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return h;
}

/** log I_x(a, b), the regularised incomplete beta function. */
export function logIncompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return -Infinity;
  if (x >= 1) return 0;
  const logFront = a * Math.log(x) + b * Math.log1p(-x) - logBeta(a, b);
  if (x < (a + 1) / (a + b + 2)) return logFront + Math.log(betaContinuedFraction(x, a, b)) - Math.log(a);
  // The complement converges fast here; subtract in log space so tiny complements stay exact.
  const logComplement = logFront + Math.log(betaContinuedFraction(1 - x, b, a)) - Math.log(b);
  return log1mExp(logComplement);
}

/** log P(X ≥ k) for X ~ Binomial(n, p); k and n may be non-integer (scaled counts). */
export function logBinomialUpper(k: number, n: number, p: number): number {
  if (k <= 0) return 0;
  if (k > n) return -Infinity;
  if (p <= 0) return -Infinity;
  if (p >= 1) return 0;
  return logIncompleteBeta(p, k, n - k + 1);
}

/** log P(X ≤ k) for X ~ Binomial(n, p). */
export function logBinomialLower(k: number, n: number, p: number): number {
  if (k >= n) return 0;
  if (k < 0) return -Infinity;
  if (p <= 0) return 0;
  if (p >= 1) return -Infinity;
  return logIncompleteBeta(1 - p, n - k, k + 1);
}

function logBetaBinomialPmf(j: number, n: number, a: number, b: number, logNorm: number): number {
  return logChoose(n, j) + logBeta(j + a, n - j + b) - logNorm;
}

/** Sums pmf terms from `from`, walking away from the mode, until they stop mattering. */
function logSumTerms(from: number, to: number, step: 1 | -1, n: number, a: number, b: number): number {
  const logNorm = logBeta(a, b);
  let total = -Infinity;
  for (let j = from; step === 1 ? j <= to : j >= to; j += step) {
    const term = logBetaBinomialPmf(j, n, a, b, logNorm);
    total = logAddExp(total, term);
    // Terms shrink monotonically away from the mode: once one is below 1e-16 of the sum, the rest cannot matter.
    if (term < total - 37) break;
  }
  return total;
}

/**
 * log P(X ≥ k) for X ~ BetaBinomial(n, a, b): a binomial whose rate is itself uncertain, Beta(a, b). It is the
 * predictive distribution of failures when the baseline rate is estimated from finite counts, and it widens the
 * tail exactly as much as that uncertainty warrants. k and n are integers.
 */
export function logBetaBinomialUpper(k: number, n: number, a: number, b: number): number {
  if (k <= 0) return 0;
  if (k > n) return -Infinity;
  const mean = (n * a) / (a + b);
  if (k > mean) return logSumTerms(k, n, 1, n, a, b);
  return log1mExp(Math.min(0, logSumTerms(k - 1, 0, -1, n, a, b)));
}

/** Series for the lower regularised gamma P(s, x), x < s + 1. */
function logGammaSeries(s: number, x: number): number {
  let term = 1 / s;
  let sum = term;
  for (let n = 1; n < MAX_ITER; n++) {
    term *= x / (s + n);
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * EPS) break;
  }
  return Math.log(sum) - x + s * Math.log(x) - logGamma(s);
}

/** Continued fraction for the upper regularised gamma Q(s, x), x ≥ s + 1. */
function logGammaContinuedFraction(s: number, x: number): number {
  let b = x + 1 - s;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITER; i++) {
    const an = -i * (i - s);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return Math.log(h) - x + s * Math.log(x) - logGamma(s);
}

/** log P(s, x), the lower regularised incomplete gamma. */
export function logLowerGamma(s: number, x: number): number {
  if (x <= 0) return -Infinity;
  return x < s + 1 ? logGammaSeries(s, x) : log1mExp(logGammaContinuedFraction(s, x));
}

/** log Q(s, x), the upper regularised incomplete gamma. */
export function logUpperGamma(s: number, x: number): number {
  if (x <= 0) return 0;
  return x < s + 1 ? log1mExp(logGammaSeries(s, x)) : logGammaContinuedFraction(s, x);
}

/** log P(X ≤ k) for X ~ Poisson(lambda); k may be non-integer (scaled counts). */
export function logPoissonLower(k: number, lambda: number): number {
  if (k < 0) return -Infinity;
  if (lambda <= 0) return 0;
  return logUpperGamma(k + 1, lambda);
}

/** log P(X ≥ k) for X ~ Poisson(lambda). */
export function logPoissonUpper(k: number, lambda: number): number {
  if (k <= 0) return 0;
  if (lambda <= 0) return -Infinity;
  return logLowerGamma(k, lambda);
}

/** Wilson score interval of a proportion: honest at 0 of 3 and 3 of 4, where the normal interval is not. */
export function wilson(successes: number, trials: number, z: number): { low: number; high: number } {
  if (trials <= 0) return { low: 0, high: 1 };
  const p = successes / trials;
  const z2 = z * z;
  const denom = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / denom;
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/**
 * When did it start, when did it stop. Each minute contributes the log-likelihood ratio of "anomalous" against
 * "normal"; the onset is where the backward cumulative sum peaks (a CUSUM walked back from the detection), the
 * recovery where the forward cumulative sum from the anomaly's start peaks. The alternative is the smallest anomaly
 * that matters (not the observed peak), so the slow beginning of a creep counts towards it.
 */

/** Per-minute LLR of failures at rate p1 against p0. */
export function binomialLlr(failures: number, attempts: number, p0: number, p1: number): number {
  return failures * Math.log(p1 / p0) + (attempts - failures) * Math.log((1 - p1) / (1 - p0));
}

/** Per-minute LLR of a volume down by `drop` (0..1) against the expected count. */
export function poissonLlr(observed: number, expected: number, drop: number): number {
  return observed * Math.log(1 - drop) + drop * expected;
}

/** Start index of the anomaly within [from, to): argmax over j of Σ_{i ≥ j} llr[i]; the latest j on ties. */
export function onsetIndex(llr: readonly number[], from: number, to: number): number {
  let best = to - 1;
  let bestSum = -Infinity;
  let acc = 0;
  for (let j = to - 1; j >= from; j--) {
    acc += llr[j] as number;
    if (acc > bestSum) {
      bestSum = acc;
      best = j;
    }
  }
  return best;
}

/** Index of the first normal minute after the anomaly within [from, to): argmax over r of Σ_{from ≤ i < r} llr[i]; the earliest r on ties. */
export function recoveryIndex(llr: readonly number[], from: number, to: number): number {
  let best = from;
  let bestSum = 0;
  let acc = 0;
  for (let r = from + 1; r <= to; r++) {
    acc += llr[r - 1] as number;
    if (acc > bestSum) {
      bestSum = acc;
      best = r;
    }
  }
  return best;
}

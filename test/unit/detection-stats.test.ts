import {
  logBetaBinomialUpper,
  logBinomialLower,
  logBinomialUpper,
  logGamma,
  logIncompleteBeta,
  logPoissonLower,
  logPoissonUpper,
  wilson,
} from '../../src/domain/detector/stats';

// Reference values from scipy.stats / mpmath (50 digits).
describe('log-space tails', () => {
  it('logGamma matches known values, including tiny arguments', () => {
    expect(logGamma(0.5)).toBeCloseTo(0.5723649429247004, 12);
    expect(logGamma(100.5)).toBeCloseTo(361.4355404677776, 9);
    expect(logGamma(1e-3)).toBeCloseTo(6.907178885383854, 10);
    expect(logGamma(10)).toBeCloseTo(Math.log(362880), 12);
  });

  it('incomplete beta matches scipy.special.betainc', () => {
    expect(logIncompleteBeta(0.2, 3, 5)).toBeCloseTo(-1.9103268123731627, 10);
  });

  it('binomial upper tail: 3 of 4 at 1.5% is unusual but not extreme; 40 of 60 at 1/60 is beyond doubt', () => {
    expect(logBinomialUpper(3, 4, 0.015)).toBeCloseTo(-11.224134632420164, 8);
    expect(logBinomialUpper(40, 60, 1 / 60)).toBeCloseTo(-128.12971039850723, 6);
  });

  it('binomial tails stay exact far below double precision', () => {
    expect(logBinomialUpper(60, 60, 0.01)).toBeCloseTo(-276.3102111592855, 6);
    expect(logBinomialLower(2, 100, 0.1)).toBeCloseTo(-6.242552608616339, 8);
    expect(logBinomialUpper(0, 10, 0.5)).toBe(0);
  });

  it('beta-binomial upper tail on both sides of the mean', () => {
    expect(logBetaBinomialUpper(5, 20, 2, 30)).toBeCloseTo(-3.546008960398487, 9);
    expect(logBetaBinomialUpper(2, 20, 2, 30)).toBeCloseTo(-1.0859674822303327, 9);
    expect(logBetaBinomialUpper(36, 40, 7.2, 392.8)).toBeCloseTo(-94.63882078741756, 6);
  });

  it('beta-binomial with a uniform rate is uniform on 0..n', () => {
    expect(Math.exp(logBetaBinomialUpper(7, 10, 1, 1))).toBeCloseTo(4 / 11, 12);
  });

  it('Poisson tails', () => {
    expect(logPoissonLower(0, 7.5)).toBeCloseTo(-7.5, 12);
    expect(logPoissonLower(10, 50)).toBeCloseTo(-25.766917277107684, 8);
    expect(logPoissonUpper(80, 50)).toBeCloseTo(-9.778612298904013, 8);
  });

  it('Wilson interval is honest at tiny counts', () => {
    const { low, high } = wilson(3, 4, 1.96);
    expect(low).toBeCloseTo(0.3006361, 6);
    expect(high).toBeCloseTo(0.9544139, 6);
    expect(wilson(0, 0, 1.96)).toEqual({ low: 0, high: 1 });
  });
});

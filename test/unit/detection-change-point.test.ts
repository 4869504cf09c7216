import { binomialLlr, onsetIndex, poissonLlr, recoveryIndex } from '../../src/domain/detector/change-point';

describe('change points', () => {
  it('walks back from the detection to where the excess began', () => {
    // 1.5% normal, then 10% from minute 6 on; 100 attempts a minute.
    const failures = [2, 1, 2, 1, 2, 1, 10, 9, 11, 10];
    const llr = failures.map((f) => binomialLlr(f, 100, 0.015, 0.035));
    expect(onsetIndex(llr, 0, llr.length)).toBe(6);
  });

  it('does not walk back past the floor', () => {
    const llr = [5, 5, -1, -1, 5, 5];
    expect(onsetIndex(llr, 2, llr.length)).toBe(4);
    expect(onsetIndex(llr, 0, llr.length)).toBe(0);
  });

  it('finds the first normal minute after the anomaly', () => {
    const failures = [10, 9, 11, 10, 2, 1, 2, 1];
    const llr = failures.map((f) => binomialLlr(f, 100, 0.015, 0.035));
    expect(recoveryIndex(llr, 0, llr.length)).toBe(4);
  });

  it('volume: a collapse to a tenth has positive evidence, normal traffic negative', () => {
    expect(poissonLlr(10, 100, 0.5)).toBeGreaterThan(0);
    expect(poissonLlr(100, 100, 0.5)).toBeLessThan(0);
    const llr = [100, 98, 103, 9, 12, 8].map((o) => poissonLlr(o, 100, 0.5));
    expect(onsetIndex(llr, 0, llr.length)).toBe(3);
  });
});

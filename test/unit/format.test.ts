import { count, duration, percent, utcDate, utcTime } from '../../src/domain/format';

describe('postmortem number formats', () => {
  it.each([
    [0.38, '38%'],
    [0.015, '1.5%'],
    [0.02, '2%'],
    [0.004, '0.4%'],
    [0.097, '9.7%'],
    [0.995, '100%'],
    [0, '0%'],
  ])('percent(%p) is %p', (x, text) => expect(percent(x)).toBe(text));

  it.each([
    [45_000, '45 s'],
    [120_000, '2 min'],
    [3_600_000, '1 h'],
    [12_600_000, '3 h 30 min'],
    [12_629_000, '3 h 30 min'],
    [-5_000, '0 s'],
  ])('duration(%p) is %p', (ms, text) => expect(duration(ms)).toBe(text));

  it('counts have thousands separators and times are UTC', () => {
    expect(count(5230)).toBe('5,230');
    expect(count(1234567.4)).toBe('1,234,567');
    expect(utcTime(Date.parse('2023-04-12T14:03:59Z'))).toBe('14:03');
    expect(utcDate(Date.parse('2023-04-12T23:59:59Z'))).toBe('2023-04-12');
  });
});

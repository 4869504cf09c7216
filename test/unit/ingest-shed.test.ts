import { memoryPercent, shedReason, type ShedMarks } from '../../src/http/shed';

const marks: ShedMarks = { maxInFlight: 10, backlog: 100, redisMemoryPercent: 80 };

describe('shedReason', () => {
  it('when every figure is under its mark, then the request is admitted', () => {
    expect(shedReason(9, { backlog: 99, redisMemoryPercent: 79.9 }, marks)).toBeNull();
  });

  it('when a figure reaches its mark, then that mark is named (in flight first: it costs nothing to check)', () => {
    expect(shedReason(10, { backlog: 0, redisMemoryPercent: null }, marks)).toBe('in_flight');
    expect(shedReason(0, { backlog: 100, redisMemoryPercent: 90 }, marks)).toBe('backlog');
    expect(shedReason(0, { backlog: 0, redisMemoryPercent: 80 }, marks)).toBe('redis_memory');
    expect(shedReason(10, { backlog: 100, redisMemoryPercent: 90 }, marks)).toBe('in_flight');
  });

  it('when a mark is 0 or Redis has no maxmemory, then that figure never sheds', () => {
    const off: ShedMarks = { maxInFlight: 0, backlog: 0, redisMemoryPercent: 0 };
    expect(shedReason(1e6, { backlog: 1e9, redisMemoryPercent: 100 }, off)).toBeNull();
    expect(shedReason(0, { backlog: 0, redisMemoryPercent: null }, marks)).toBeNull();
  });
});

describe('memoryPercent', () => {
  it('when INFO memory has a maxmemory, then used_memory is given in percent of it', () => {
    expect(memoryPercent('# Memory\r\nused_memory:250\r\nused_memory_human:250B\r\nmaxmemory:1000\r\n')).toBe(25);
  });

  it('when maxmemory is 0 (no limit), then there is no percentage', () => {
    expect(memoryPercent('used_memory:250\r\nmaxmemory:0\r\n')).toBeNull();
    expect(memoryPercent('')).toBeNull();
  });
});

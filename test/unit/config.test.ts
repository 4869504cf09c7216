import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';

describe('loadConfig', () => {
  it('when the environment is empty, then the documented defaults apply', () => {
    const config = loadConfig({});
    expect(config).toEqual({
      port: 8080,
      host: '0.0.0.0',
      workerPort: 9464,
      redisUrl: 'redis://127.0.0.1:6379',
      redisPrefix: 'vigil',
      mongodbUrl: undefined,
      dataDir: path.resolve('./data'),
      adminToken: undefined,
      detectEverySeconds: 10,
      logLevel: 'info',
      detectorConfig: undefined,
      ingestRatePerSecond: 2000,
      statusRatePerSecond: 2000,
      authFailuresPerMinute: 300,
      alertAllowPrivateTargets: false,
      sessionIdleMs: 3_600_000,
      sessionMaxMs: 43_200_000,
      corsOrigins: undefined,
      publicUrl: 'http://localhost:8080',
      redisCommandTimeoutMs: 500,
      redisClusterNodes: undefined,
      ingestShed: { maxInFlight: 32, backlog: 10_000, redisMemoryPercent: 80 },
      sliceValueLimits: { appVersion: 200, osVersion: 100, region: 50, errorCode: 100 },
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('when slice value limits are set, then each dimension gets its own; zero or garbage is refused by name', () => {
    const config = loadConfig({ MAX_APP_VERSIONS: '20', MAX_OS_VERSIONS: '10', MAX_REGIONS: '5', MAX_ERROR_CODES: '7' });
    expect(config.sliceValueLimits).toEqual({ appVersion: 20, osVersion: 10, region: 5, errorCode: 7 });
    expect(() => loadConfig({ MAX_REGIONS: '0' })).toThrow('MAX_REGIONS="0"');
    expect(() => loadConfig({ MAX_APP_VERSIONS: 'many' })).toThrow('MAX_APP_VERSIONS="many"');
  });

  it('when values are set, then they are parsed and typed', () => {
    const config = loadConfig({ PORT: '9000', DETECT_EVERY_SECONDS: '2.5', MONGODB_URL: 'mongodb://m:27017/v', LOG_LEVEL: 'debug' });
    expect(config.port).toBe(9000);
    expect(config.detectEverySeconds).toBe(2.5);
    expect(config.mongodbUrl).toBe('mongodb://m:27017/v');
    expect(config.publicUrl).toBe('http://localhost:9000');
  });

  it('when values are invalid, then one readable error names every bad variable and its value', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', REDIS_URL: 'localhost:6379', ADMIN_TOKEN: 'short', LOG_LEVEL: 'loud' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toMatch(/^Invalid configuration:/);
    expect(message).toContain('PORT="eighty"');
    expect(message).toContain('REDIS_URL="localhost:6379": must start with redis:// or rediss://');
    expect(message).toContain('ADMIN_TOKEN="short": must be at least 16 characters');
    expect(message).toContain('LOG_LEVEL="loud"');
    expect((error as ConfigError).problems).toHaveLength(4);
  });

  it('when ALERT_ALLOW_PRIVATE_TARGETS is true or false, then it is read; anything else is refused by name', () => {
    expect(loadConfig({ ALERT_ALLOW_PRIVATE_TARGETS: 'true' }).alertAllowPrivateTargets).toBe(true);
    expect(loadConfig({ ALERT_ALLOW_PRIVATE_TARGETS: 'false' }).alertAllowPrivateTargets).toBe(false);
    expect(() => loadConfig({ ALERT_ALLOW_PRIVATE_TARGETS: 'yes' })).toThrow('ALERT_ALLOW_PRIVATE_TARGETS="yes": must be true or false');
  });

  it('when a variable is set but empty, then its default applies', () => {
    expect(loadConfig({ PORT: '', REDIS_PREFIX: '  ' }).port).toBe(8080);
  });

  it('when REDIS_CLUSTER_NODES lists host:port seeds, then they are parsed; anything else is refused naming the bad seed', () => {
    expect(loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:7000, redis-b:7001,[::1]:7002' }).redisClusterNodes).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: 'redis-b', port: 7001 },
      { host: '::1', port: 7002 },
    ]);
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: 'redis-a:7000,redis-b' })).toThrow('"redis-b" is not host:port');
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: ' , ' })).toThrow('at least one host:port');
  });
});

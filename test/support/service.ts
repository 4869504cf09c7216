import { loadConfig } from '../../src/config';
import type { Clock } from '../../src/clock';
import { startService, type Mode, type RunningService } from '../../src/service';
import { deletePrefix, testPrefix, TEST_REDIS_URL } from './redis';
import { OpenApiChecker } from './openapi';
import { makeTempDir } from './tmp';

export interface TestService extends RunningService {
  prefix: string;
  dataDir: string;
  /** fetch against the service with the admin token (or another bearer token). */
  api(path: string, init?: RequestInit & { token?: string | null; json?: unknown }): Promise<Response>;
  /** Stops the service and removes its Redis keys and data directory. */
  cleanup(): Promise<void>;
}

/** The real service on an ephemeral port, with its own REDIS_PREFIX and a temp embedded store. */
export async function startTestService(
  name: string,
  opts: { env?: Record<string, string>; clock?: Clock; mode?: Mode; shareWith?: TestService } = {},
): Promise<TestService> {
  // A second process of the same deployment (another API or worker) shares the first one's Redis prefix and store.
  const shared = opts.shareWith;
  const prefix = shared?.prefix ?? testPrefix(name);
  const tmp = shared ? { dir: shared.dataDir, remove: () => undefined } : makeTempDir(name);
  const config = loadConfig({
    PORT: '0',
    WORKER_PORT: '0',
    HOST: '127.0.0.1',
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: prefix,
    DATA_DIR: tmp.dir,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DETECT_EVERY_SECONDS: '1',
    // Test receivers listen on 127.0.0.1; the SSRF tests turn this off.
    ALERT_ALLOW_PRIVATE_TARGETS: 'true',
    ...opts.env,
  });
  const mode = opts.mode ?? 'all';
  const service = await startService({ config, mode, ...(opts.clock ? { clock: opts.clock } : {}) });
  const checker = mode === 'worker' ? null : new OpenApiChecker((await (await fetch(`${service.url}/openapi.json`)).json()) as ConstructorParameters<typeof OpenApiChecker>[0]);
  const api: TestService['api'] = async (path, init = {}) => {
    const { token = service.adminToken, json, headers, ...rest } = init;
    const res = await fetch(`${service.url}${path}`, {
      ...rest,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(json !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(headers as Record<string, string> | undefined),
      },
      ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
    });
    if (checker) {
      const contentType = res.headers.get('content-type');
      const body: unknown = contentType?.includes('application/json') ? await res.clone().json() : undefined;
      checker.check(init.method ?? 'GET', res.url, res.status, contentType, body);
    }
    return res;
  };
  return {
    ...service,
    prefix,
    dataDir: tmp.dir,
    api,
    cleanup: async () => {
      await service.stop();
      if (shared) return;
      await deletePrefix(prefix);
      tmp.remove();
    },
  };
}

/** Polls `probe` until it returns a value (not undefined) or the deadline passes. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 30_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms${lastError ? `: ${lastError instanceof Error ? lastError.message : JSON.stringify(lastError)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

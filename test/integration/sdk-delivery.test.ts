import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { VigilClient } from '../../sdk/src/client';
import { fileStorage } from '../../sdk/src/node';
import { hostRuntime } from '../../sdk/src/platform';
import type { VigilError } from '../../sdk/src/types';
import { startFaultProxy, type Fault } from '../support/fault-proxy';
import { countedWhenDrained } from '../support/sdk-counting';
import { failuresAmong, sdkTestOptions, trackLogins } from '../support/sdk-fixtures';
import { startTestService, type TestService } from '../support/service';
import { makeTempDir } from '../support/tmp';

const SUPPORT = path.join(__dirname, '..', 'support');
/** About 10 s on an idle machine; ten times that when every core is busy with other test runs. */
const TEST_TIMEOUT_MS = 240_000;
const BEFORE_CRASH = 200;
const AFTER_RESTART = 120;
/** sdkTestOptions' timeoutMs: the proxy's slow answer outlasts it. */
const SDK_TIMEOUT_MS = sdkTestOptions('http://x', 'k').timeoutMs!;

describe('the SDK against the real service through a faulty network, with an app restart midway', () => {
  let service: TestService;
  let proxy: Awaited<ReturnType<typeof startFaultProxy>>;
  let app: { id: string; ingestKey: string };
  const storageDir = makeTempDir('sdk-delivery-queue');

  beforeAll(async () => {
    service = await startTestService('sdk-delivery');
    app = (await (await service.api('/v1/apps', { method: 'POST', json: { name: 'shop-android' } })).json()) as typeof app;
  });
  afterAll(async () => {
    await proxy?.close();
    await service.cleanup();
    storageDir.remove();
  });

  it('when batches are reset, refused with Retry-After, slowed and their 202s lost, and the app is killed, then every login counts exactly once', async () => {
    const since = Date.now();
    // Before the crash: the first batch is reset, told to wait (503, 429), and processed once with its answer lost;
    // the second is processed with its answer lost, and the app is killed when it retries it. By batch and attempt,
    // so that a retry more (an answer slower than the SDK's timeout on a busy machine) changes nothing.
    const firstBatch: Fault[] = [
      { kind: 'reset' },
      { kind: 'status', status: 503, retryAfterSeconds: 1 },
      { kind: 'lose-answer' },
      { kind: 'status', status: 429, retryAfterSeconds: 1 },
    ];
    proxy = await startFaultProxy(service.url, ({ batch, attempt }) =>
      batch === 0 ? (firstBatch[attempt - 1] ?? { kind: 'pass' }) : attempt === 1 ? { kind: 'lose-answer' } : { kind: 'hold' },
    );

    const child = spawn(process.execPath, ['-r', path.join(SUPPORT, 'swc-register.cjs'), path.join(SUPPORT, 'sdk-app-process.ts')], {
      env: { ...process.env, VIGIL_ENDPOINT: proxy.url, VIGIL_KEY: app.ingestKey, VIGIL_DIR: storageDir.dir, VIGIL_EVENTS: String(BEFORE_CRASH) },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const exited = once(child, 'exit');
    proxy.onRequest((entry) => {
      if (entry.batch === 1 && entry.attempt === 2) child.kill('SIGKILL');
    });
    const [, signal] = (await exited) as [number | null, string | null];
    expect(signal).toBe('SIGKILL');
    const attemptsOf = (batch: number) => proxy.log.filter((r) => r.batch === batch);
    expect(attemptsOf(0).map((r) => r.fault).slice(0, 5)).toEqual(['reset', 'status', 'lose-answer', 'status', 'pass']);
    expect(attemptsOf(0).find((r) => r.fault === 'lose-answer')?.upstreamStatus).toBe(202);
    expect(attemptsOf(1)[0]?.upstreamStatus).toBe(202);
    const second = attemptsOf(1)[0]!.idempotencyKey;

    // After the restart: the stored batch is told to wait, then answered too slowly (past the SDK's timeout), then
    // reset; everything passes after that.
    const afterRestart: Fault[] = [
      { kind: 'status', status: 503, retryAfterSeconds: 1 },
      { kind: 'slow', delayMs: SDK_TIMEOUT_MS + 1_000 },
      { kind: 'reset' },
    ];
    proxy.setPlan(({ batch, attempt }) => (batch === 1 ? (afterRestart[attempt - 3] ?? { kind: 'pass' }) : { kind: 'pass' }));
    const base = proxy.log.length;
    const errors: VigilError[] = [];
    const restarted = new VigilClient(
      { ...sdkTestOptions(proxy.url, app.ingestKey), storage: fileStorage(storageDir.dir), onError: (e) => errors.push(e) },
      { ...hostRuntime, random: () => 0.1 },
    );
    trackLogins(restarted, AFTER_RESTART, BEFORE_CRASH);
    await expect(restarted.flush()).resolves.toBe(true);
    await restarted.shutdown();

    // The restarted app sends the killed one's batch first, under the key it was given before the crash.
    expect(proxy.log[base]?.idempotencyKey).toBe(second);
    expect(attemptsOf(1).slice(2, 6).map((r) => r.fault)).toEqual(['status', 'slow', 'reset', 'pass']);
    expect(errors).toEqual([]);
    expect(restarted.stats()).toMatchObject({ queued: 0, dropped: 0, refused: 0 });

    const total = BEFORE_CRASH + AFTER_RESTART;
    expect(await countedWhenDrained(service, app.id, since)).toEqual({ attempts: total, failures: failuresAmong(total) });
  }, TEST_TIMEOUT_MS);
});

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
const BEFORE_CRASH = 200;
const AFTER_RESTART = 120;

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
    // the second is processed with its answer lost, and the app is killed while retrying it.
    const beforeCrash: Fault[] = [
      { kind: 'reset' },
      { kind: 'status', status: 503, retryAfterSeconds: 1 },
      { kind: 'lose-answer' },
      { kind: 'status', status: 429, retryAfterSeconds: 1 },
      { kind: 'pass' },
      { kind: 'lose-answer' },
    ];
    proxy = await startFaultProxy(service.url, (n) => beforeCrash[n - 1] ?? { kind: 'hold' });

    const child = spawn(process.execPath, ['-r', path.join(SUPPORT, 'swc-register.cjs'), path.join(SUPPORT, 'sdk-app-process.ts')], {
      env: { ...process.env, VIGIL_ENDPOINT: proxy.url, VIGIL_KEY: app.ingestKey, VIGIL_DIR: storageDir.dir, VIGIL_EVENTS: String(BEFORE_CRASH) },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const exited = once(child, 'exit');
    proxy.onRequest((entry) => {
      if (entry.n === beforeCrash.length + 1) child.kill('SIGKILL');
    });
    const [, signal] = (await exited) as [number | null, string | null];
    expect(signal).toBe('SIGKILL');
    const [first, , , , , second, retried] = proxy.log;
    expect(proxy.log.slice(0, 5).map((r) => r.idempotencyKey)).toEqual(Array(5).fill(first!.idempotencyKey));
    expect(second!.idempotencyKey).not.toBe(first!.idempotencyKey);
    expect(retried!.idempotencyKey).toBe(second!.idempotencyKey);
    expect([first, second].map((r) => r?.upstreamStatus)).toEqual([undefined, 202]);

    // After the restart: the stored batch is told to wait, then answered too slowly (the SDK times out at 1 s),
    // then reset; everything passes after that.
    const base = proxy.log.length;
    const afterRestart: Fault[] = [
      { kind: 'status', status: 503, retryAfterSeconds: 1 },
      { kind: 'slow', delayMs: 1_500 },
      { kind: 'reset' },
    ];
    proxy.setPlan((n) => afterRestart[n - base - 1] ?? { kind: 'pass' });
    const errors: VigilError[] = [];
    const restarted = new VigilClient(
      { ...sdkTestOptions(proxy.url, app.ingestKey), storage: fileStorage(storageDir.dir), onError: (e) => errors.push(e) },
      { ...hostRuntime, random: () => 0.1 },
    );
    trackLogins(restarted, AFTER_RESTART, BEFORE_CRASH);
    await expect(restarted.flush()).resolves.toBe(true);
    await restarted.shutdown();

    expect(proxy.log[base]?.idempotencyKey).toBe(second!.idempotencyKey);
    expect(proxy.log.slice(base, base + 4).map((r) => [r.fault, r.idempotencyKey])).toEqual(
      ['status', 'slow', 'reset', 'pass'].map((fault) => [fault, second!.idempotencyKey]),
    );
    expect(errors).toEqual([]);
    expect(restarted.stats()).toMatchObject({ queued: 0, dropped: 0, refused: 0 });

    const total = BEFORE_CRASH + AFTER_RESTART;
    expect(await countedWhenDrained(service, app.id, since)).toEqual({ attempts: total, failures: failuresAmong(total) });
  }, 60_000);
});

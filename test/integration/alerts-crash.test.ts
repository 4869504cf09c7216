import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { ADMIN_TOKEN, alertsHarness, sleep, startReceiver, waitFor, type AlertsHarness, type Receiver } from '../support/alerts-harness';
import { TEST_REDIS_URL } from '../support/redis';

const SUPPORT = path.join(__dirname, '..', 'support');

/** A notify worker in a separate process (TypeScript through swc, no build step), resolved once it takes jobs. */
async function startWorkerProcess(h: AlertsHarness): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-r', path.join(SUPPORT, 'swc-register.cjs'), path.join(SUPPORT, 'notify-worker-process.ts')], {
    env: { ...process.env, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: h.prefix, DATA_DIR: h.dataDir, ADMIN_TOKEN, PUBLIC_URL: 'http://vigil.test', ALERT_ALLOW_PRIVATE_TARGETS: 'true' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`worker process exited early (${code})`)));
  });
  return child;
}

describe('a notify worker killed while delivering (separate process, SIGKILL)', () => {
  let h: AlertsHarness;
  let r: Receiver;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    h = await alertsHarness('alerts-crash');
    // The first request is held open, as a slow receiver would; the worker dies waiting for the answer.
    r = await startReceiver((_req, i) => (i === 0 ? 'hold' : { status: 200 }));
  });
  afterAll(async () => {
    const running = children.filter((c) => c.exitCode === null && c.signalCode === null);
    await Promise.all(running.map((c) => (c.kill('SIGTERM'), once(c, 'exit'))));
    await r.close();
    await h.close();
  });

  it('when another worker takes over, then the receiver gets the notification again with the same dedupKey, and the timeline says sent once', async () => {
    const app = await h.createApp();
    await h.createChannel({ url: r.url, apps: [app] });
    const first = await startWorkerProcess(h);
    children.push(first);
    const incident = await h.open(app);

    await waitFor(() => r.received.length === 1, 'the first delivery attempt');
    first.kill('SIGKILL');
    await once(first, 'exit');

    children.push(await startWorkerProcess(h));
    await waitFor(() => r.received.length >= 2, 'the redelivery by the second worker', 60_000);
    await waitFor(async () => (await h.incident(incident.id)).timeline.some((e) => e.type === 'alerted'), 'the alerted entry');
    await sleep(1000);

    expect(r.received).toHaveLength(2);
    expect(r.received.map((x) => x.json.dedupKey)).toEqual([`${incident.id}-opened-1`, `${incident.id}-opened-1`]);
    expect((await h.incident(incident.id)).timeline.filter((e) => e.type === 'alerted')).toHaveLength(1);
  }, 120_000);
});

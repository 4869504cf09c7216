import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { makeTempDir } from '../support/tmp';

const ROOT = path.resolve(__dirname, '../..');

/** The real `vigil` command, run from source the way jest runs it (swc), in its own DATA_DIR. */
function vigil(args: string[], dataDir: string) {
  const result = spawnSync(process.execPath, ['-r', './test/support/swc-register.cjs', 'src/cli/main.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn', MONGODB_URL: '' },
    encoding: 'utf8',
    // Generating and replaying three days of traffic is bounded work, slow on a busy shared machine.
    timeout: 280_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Each test starts one or two processes, compiling the sources as they load. */
const PROCESS_TIMEOUT_MS = 300_000;

describe('vigil command line', () => {
  const tmp = makeTempDir('cli');
  afterAll(() => tmp.remove());

  it('when `apps create NAME` runs, then it prints the id and the ingest key once, and `apps list` shows the app', () => {
    const created = vigil(['apps', 'create', 'shop-ios'], tmp.dir);
    expect(created.code).toBe(0);
    const app = JSON.parse(created.stdout) as { id: string; name: string; ingestKey: string };
    expect(app).toMatchObject({ id: expect.stringMatching(/^app_/), name: 'shop-ios', ingestKey: expect.stringMatching(/^vk_/) });
    expect(created.stderr).toContain('shown only once');

    const listed = vigil(['apps', 'list'], tmp.dir);
    expect(listed.code).toBe(0);
    expect(listed.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string })).toEqual([
      { id: app.id, name: 'shop-ios', createdAt: expect.any(String) },
    ]);
    expect(listed.stdout).not.toContain('vk_');
  }, PROCESS_TIMEOUT_MS);

  it('when the name is taken, then it fails with exit 1 and says so', () => {
    vigil(['apps', 'create', 'taken'], tmp.dir);
    const again = vigil(['apps', 'create', 'taken'], tmp.dir);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');
  }, PROCESS_TIMEOUT_MS);

  it('when the process is asked for help or misused, then its exit code is 0 or 2', () => {
    expect(vigil(['simulate', '--help'], tmp.dir)).toMatchObject({ code: 0, stdout: expect.stringContaining('Usage: vigil simulate') });
    const misused = vigil(['nonsense'], tmp.dir);
    expect(misused).toMatchObject({ code: 2, stdout: '' });
    expect(misused.stderr).toContain("unknown command 'nonsense'");
  }, PROCESS_TIMEOUT_MS);

  it('when the reader stops early (`| head`), then the command stops quietly with exit 0', async () => {
    const child = spawn(process.execPath, ['-r', './test/support/swc-register.cjs', 'src/cli/main.ts', 'simulate', '--scenario', 'quiet-days'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    await new Promise((resolve) => child.stdout.once('data', resolve));
    child.stdout.destroy();
    expect(await closed).toBe(0);
    expect(stderr).not.toContain('EPIPE');
  }, PROCESS_TIMEOUT_MS);

  it('when the input file is missing, then backtest fails with exit 1 and names the file', () => {
    const run = vigil(['backtest', '--input', path.join(tmp.dir, 'missing.ndjson.gz')], tmp.dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('missing.ndjson.gz');
  }, PROCESS_TIMEOUT_MS);

  it(
    'when `simulate --scenario seed-incident` feeds `backtest`, then one incident line names app version 5.2.0',
    () => {
      const file = path.join(tmp.dir, 'seed-incident.ndjson.gz');
      const simulated = vigil(['simulate', '--scenario', 'seed-incident', '--out', file], tmp.dir);
      expect(simulated.code).toBe(0);
      expect(simulated.stderr).toMatch(/^seed-incident: [\d,]+ lines, 3 days, seed 20230412, in [\d.]+ s → .*seed-incident\.ndjson\.gz\n$/);

      const run = vigil(['backtest', '--input', file], tmp.dir);
      expect(run.code).toBe(0);
      const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { suspectedCause: { value: string } | null; kind: string });
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ kind: 'error_rate', suspectedCause: { dimension: 'appVersion', value: '5.2.0' } });
      expect(run.stderr).toMatch(/100% .* 1 incident/);
    },
    2 * PROCESS_TIMEOUT_MS,
  );
});

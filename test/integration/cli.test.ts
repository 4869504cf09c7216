import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { makeTempDir } from '../support/tmp';

const ROOT = path.resolve(__dirname, '../..');

/** The real `vigil` command, run from source the way jest runs it (swc), in its own DATA_DIR. */
function vigil(args: string[], dataDir: string) {
  const result = spawnSync(process.execPath, ['-r', './test/support/swc-register.cjs', 'src/cli/main.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn', MONGODB_URL: '' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

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
  });

  it('when the name is taken, then it fails with exit 1 and says so', () => {
    vigil(['apps', 'create', 'taken'], tmp.dir);
    const again = vigil(['apps', 'create', 'taken'], tmp.dir);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');
  });

  it('when the usage is wrong, then exit 2 with the usage', () => {
    for (const args of [[], ['apps'], ['apps', 'create'], ['backtest'], ['nonsense'], ['apps', 'create', 'bad|name']]) {
      const run = vigil(args, tmp.dir);
      expect({ args, code: run.code }).toEqual({ args, code: 2 });
      expect(run.stderr).toContain('usage: vigil <command>');
    }
  });

  it('when backtest reads the seed incident, then one incident line names app version 5.2.0', () => {
    const run = vigil(['backtest', '--input', path.resolve(ROOT, '../shared/scenarios/seed-incident.ndjson.gz')], tmp.dir);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { suspectedCause: { value: string } | null; kind: string });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ kind: 'error_rate', suspectedCause: { dimension: 'appVersion', value: '5.2.0' } });
    expect(run.stderr).toMatch(/100% .* 1 incident/);
  });
});

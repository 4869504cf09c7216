import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ManualClock } from '../../src/clock';
import { createEventSchema } from '../../src/ingest/event-schema';
import type { TrafficLine } from '../../src/simulate/traffic';
import { runVigil } from '../support/cli';
import { makeTempDir } from '../support/tmp';

/** `vigil simulate` writing real files and streams, in-process. */

const tmp = makeTempDir('simulate');
afterAll(() => tmp.remove());

const timeOf = (line: TrafficLine) => Date.parse(line.type === 'release' ? line.releasedAt : line.type === 'login' ? line.ts : line.minute);
const parseLines = (text: string) => text.trim().split('\n').map((l) => JSON.parse(l) as TrafficLine);

/** Three days of traffic per run: bounded work, slow when the machine is shared; the timeout only catches a hang. */
const RUN_TIMEOUT_MS = 300_000;

describe('vigil simulate', () => {
  it(
    'when --out ends in .gz on a terminal, then a gzipped NDJSON file in time order is written, every event valid, with a progress bar on stderr',
    async () => {
      const file = path.join(tmp.dir, 'quiet-days.ndjson.gz');
      const run = await runVigil(['simulate', '--scenario', 'quiet-days', '--out', file], { tty: true });
      expect(run.code).toBe(0);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/quiet-days [█░]{30} \d+% \| 2024-03-0\d \d\d:\d\d \| [\d,]+ lines/);
      expect(run.stderr).toMatch(/quiet-days: [\d,]+ lines, 3 days, seed 20240304, in [\d.]+ s → .*quiet-days\.ndjson\.gz\n$/);

      const lines = parseLines(gunzipSync(readFileSync(file)).toString('utf8'));
      const times = lines.map(timeOf);
      expect(times.every((t, i) => i === 0 || t >= (times[i - 1] as number))).toBe(true);
      expect(lines.filter((l) => l.type === 'release').map((l) => l.type === 'release' && l.appVersion)).toEqual(['5.3.0', '5.3.0']);
      // The same validation as POST /v1/events, with the clock at each event's own time.
      const clock = new ManualClock(0);
      const schema = createEventSchema(clock);
      for (const line of lines) {
        if (line.type === 'release') continue;
        clock.set(timeOf(line));
        expect(schema.safeParse(line).error).toBeUndefined();
      }
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'when there is no --out and stderr is not a terminal, then stdout carries the traffic and stderr only a summary',
    async () => {
      const run = await runVigil(['simulate', '--scenario', 'seed-incident']);
      expect(run.code).toBe(0);
      expect(run.stderr).toMatch(/^seed-incident: [\d,]+ lines, 3 days, seed 20230412, in [\d.]+ s → stdout\n$/);
      const lines = parseLines(run.stdout);
      expect(lines.filter((l) => l.type === 'release')).toEqual([
        { type: 'release', appVersion: '5.2.0', platform: 'ios', releasedAt: '2023-04-12T14:00:00.000Z' },
        { type: 'release', appVersion: '5.2.0', platform: 'android', releasedAt: '2023-04-12T14:00:00.000Z' },
      ]);
      const aggregates = lines.filter((l) => l.type === 'login_aggregate');
      expect(aggregates).toHaveLength(lines.length - 2);
      expect(aggregates[0]?.minute).toBe('2023-04-10T00:00:00.000Z');
      expect(aggregates.at(-1)?.minute).toBe('2023-04-12T23:59:00.000Z');
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'when --quiet is given, then nothing at all goes to stderr, even on a terminal, and without .gz the file is plain text',
    async () => {
      const file = path.join(tmp.dir, 'quiet-seed-7.ndjson');
      const run = await runVigil(['simulate', '--scenario', 'quiet-days', '--seed', '7', '--quiet', '--out', file], { tty: true });
      expect(run).toEqual({ code: 0, stdout: '', stderr: '' });
      expect(readFileSync(file, 'utf8')).toMatch(/^\{"type":"login_aggregate","minute":"2024-03-04T00:00:00.000Z"/);
    },
    RUN_TIMEOUT_MS,
  );

  it('when --out names a folder that does not exist, then it fails with exit 1 and names the path', async () => {
    const run = await runVigil(['simulate', '--scenario', 'quiet-days', '--quiet', '--out', path.join(tmp.dir, 'no', 'such', 'x.ndjson')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(path.join(tmp.dir, 'no', 'such', 'x.ndjson'));
  });
});

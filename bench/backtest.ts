import { createReadStream, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { runBacktest } from '../src/detection/backtest';
import { loadDetectorSettings } from '../src/detection/settings-file';
import { findScenario, scenarioSpec, type Scenario } from '../src/simulate/scenarios';
import { DAY } from '../src/simulate/traffic';
import { streamTraffic } from '../src/simulate/write';

/**
 * Backtest throughput on a week of traffic written the way `vigil simulate` writes it: the seed-incident app over 7
 * days (the bad 5.2.0 release on day 3) with the backend-outage scenario's outage moved to day 6 and a long tail of
 * users still on an old version (more slices per minute), about 390 000 lines, gzipped. Prints lines/s and total seconds, wall and CPU (the CPU time is the steadier number on a shared machine),
 * next to a baseline measured on the same file in the same run: reading it (gunzip, split into lines, JSON.parse)
 * without detecting anything. Usage: npm run bench:backtest
 */

function scenario(name: string): Scenario {
  const found = findScenario(name);
  if (!found) throw new Error(`no scenario ${name}`);
  return found;
}

async function buildWeek(): Promise<string> {
  const seed = scenario('seed-incident');
  const outage = scenario('backend-outage');
  // The outage happens on its scenario's third day; here on the week's sixth.
  const shift = seed.spec.start + 5 * DAY - (outage.spec.start + 2 * DAY);
  const base = scenarioSpec(seed);
  const spec = {
    ...base,
    days: 7,
    // The old version's few users add a login_aggregate per platform, OS and region most minutes: ~390k lines.
    versions: [...base.versions, { version: '4.9.2', releasedAt: null, weight: 0.1 }],
    failures: [...(seed.spec.failures ?? []), ...(outage.spec.failures ?? []).map((f) => ({ ...f, from: f.from + shift, to: f.to + shift }))],
  };
  const file = path.join(tmpdir(), 'vigil-bench-backtest-7d.ndjson.gz');
  let lines = 0;
  await streamTraffic(spec, createWriteStream(file), { gzip: true, onMinute: (_minutes, total) => (lines = total) });
  console.log(`built ${file}: ${lines} lines over 7 days`);
  return file;
}

/** What reading the file costs before any detection: the floor under the backtest's time. */
async function readOnly(file: string): Promise<{ lines: number } & Timing> {
  const timing = timer();
  let lines = 0;
  for await (const line of createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity })) {
    JSON.parse(line);
    lines++;
  }
  return { lines, ...timing() };
}

interface Timing {
  seconds: number;
  /** CPU seconds of this process (user + system): steadier than wall time on a shared machine. */
  cpu: number;
}

function timer(): () => Timing {
  const wall = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(cpu);
    return { seconds: Number(process.hrtime.bigint() - wall) / 1e9, cpu: (used.user + used.system) / 1e6 };
  };
}

const rate = (lines: number, seconds: number) => `${Math.round(lines / seconds)} lines/s`;

async function main(): Promise<void> {
  const file = await buildWeek();
  const baseline = await readOnly(file);
  let lines = 0;
  const timing = timer();
  const incidents = await runBacktest({
    input: file,
    app: 'bench',
    settings: loadDetectorSettings(),
    everySeconds: 10,
    progress: (msg) => {
      const m = /^100% (\d+) lines in/.exec(msg);
      if (m) lines = Number(m[1]);
    },
  });
  const run = timing();
  console.log(
    `backtest: ${lines} lines in ${run.seconds.toFixed(2)} s = ${rate(lines, run.seconds)} ` +
      `(CPU ${run.cpu.toFixed(2)} s = ${rate(lines, run.cpu)}), ${incidents.length} incident(s)`,
  );
  console.log(
    `baseline (gunzip + JSON.parse, no detection): ${baseline.lines} lines in ${baseline.seconds.toFixed(2)} s = ` +
      `${rate(baseline.lines, baseline.seconds)} (CPU ${baseline.cpu.toFixed(2)} s = ${rate(baseline.lines, baseline.cpu)}); ` +
      `the backtest takes ${(run.seconds / baseline.seconds).toFixed(1)}× as long (${(run.cpu / baseline.cpu).toFixed(1)}× the CPU)`,
  );
  for (const i of incidents) {
    console.log(`  ${i.kind} ${i.startedAt} → ${i.resolvedAt ?? 'open'} cause=${i.suspectedCause ? i.suspectedCause.value : 'null'}`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});

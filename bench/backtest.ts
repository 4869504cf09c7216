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
 * days (the bad 5.2.0 release on day 3) with the backend-outage scenario's outage moved to day 6, about 310 000 lines,
 * gzipped. Prints lines/s and total seconds, next to a baseline measured on the same file in the same run: reading it
 * (gunzip, split into lines, JSON.parse) without detecting anything. Usage: npm run bench:backtest
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
  const spec = {
    ...scenarioSpec(seed),
    days: 7,
    failures: [...(seed.spec.failures ?? []), ...(outage.spec.failures ?? []).map((f) => ({ ...f, from: f.from + shift, to: f.to + shift }))],
  };
  const file = path.join(tmpdir(), 'vigil-bench-backtest-7d.ndjson.gz');
  let lines = 0;
  await streamTraffic(spec, createWriteStream(file), { gzip: true, onMinute: (_minutes, total) => (lines = total) });
  console.log(`built ${file}: ${lines} lines over 7 days`);
  return file;
}

/** What reading the file costs before any detection: the floor under the backtest's time. */
async function readOnly(file: string): Promise<{ lines: number; seconds: number }> {
  const started = process.hrtime.bigint();
  let lines = 0;
  for await (const line of createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity })) {
    JSON.parse(line);
    lines++;
  }
  return { lines, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

async function main(): Promise<void> {
  const file = await buildWeek();
  const baseline = await readOnly(file);
  let lines = 0;
  const started = process.hrtime.bigint();
  const incidents = await runBacktest({
    input: file,
    app: 'bench',
    settings: loadDetectorSettings(),
    everySeconds: 10,
    progress: (msg) => {
      const m = /^100% (\d+) lines/.exec(msg);
      if (m) lines = Number(m[1]);
    },
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(`backtest: ${lines} lines in ${seconds.toFixed(2)} s = ${Math.round(lines / seconds)} lines/s, ${incidents.length} incident(s)`);
  console.log(
    `baseline (gunzip + JSON.parse, no detection): ${baseline.lines} lines in ${baseline.seconds.toFixed(2)} s = ` +
      `${Math.round(baseline.lines / baseline.seconds)} lines/s; the backtest takes ${(seconds / baseline.seconds).toFixed(1)}× as long`,
  );
  for (const i of incidents) {
    console.log(`  ${i.kind} ${i.startedAt} → ${i.resolvedAt ?? 'open'} cause=${i.suspectedCause ? i.suspectedCause.value : 'null'}`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});

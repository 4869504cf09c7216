import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { runBacktest } from '../src/cli/backtest';
import { loadDetectorSettings } from '../src/detection/settings-file';

/**
 * Backtest throughput on a week of traffic: the example scenarios shifted onto one 7-day timeline (seed incident on
 * days 1-3, backend outage on days 4-6, quiet days overlaid on days 5-7), about 375 000 lines, gzipped. Prints
 * lines/s and total seconds. Usage: npm run bench:backtest [-- SCENARIOS_DIR]
 */

const DAY = 86_400_000;

function packageRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
}

interface Line {
  at: number;
  text: string;
}

/** A scenario's lines moved so that it starts at `start` (midnight UTC). */
function shifted(file: string, start: number): Line[] {
  const lines = gunzipSync(readFileSync(file)).toString('utf8').split('\n').filter((l) => l.trim() !== '');
  const first = JSON.parse(lines[0] as string) as { minute?: string; ts?: string };
  const origin = Date.parse(first.minute ?? first.ts ?? '');
  const offset = start - (origin - (origin % DAY));
  const move = (iso: string) => new Date(Date.parse(iso) + offset).toISOString();
  return lines.map((text) => {
    const e = JSON.parse(text) as { minute?: string; ts?: string; releasedAt?: string };
    for (const key of ['minute', 'ts', 'releasedAt'] as const) {
      const v = e[key];
      if (v !== undefined) e[key] = move(v);
    }
    return { at: Date.parse(e.minute ?? e.ts ?? e.releasedAt ?? ''), text: JSON.stringify(e) };
  });
}

function buildWeek(scenarios: string): string {
  const start = Date.UTC(2024, 0, 1);
  const lines = [
    ...shifted(path.join(scenarios, 'seed-incident.ndjson.gz'), start),
    ...shifted(path.join(scenarios, 'backend-outage.ndjson.gz'), start + 3 * DAY),
    ...shifted(path.join(scenarios, 'quiet-days.ndjson.gz'), start + 4 * DAY),
  ];
  // Stable sort keeps each minute's lines together and in file order.
  lines.sort((a, b) => a.at - b.at);
  const file = path.join(tmpdir(), 'vigil-bench-backtest-7d.ndjson.gz');
  writeFileSync(file, gzipSync(lines.map((l) => l.text).join('\n') + '\n'));
  console.log(`built ${file}: ${lines.length} lines over 7 days`);
  return file;
}

async function main(): Promise<void> {
  const scenarios = process.argv[2] ?? path.resolve(packageRoot(), '..', 'shared', 'scenarios');
  const file = buildWeek(scenarios);
  let lines = 0;
  const started = process.hrtime.bigint();
  const incidents = await runBacktest({
    input: file,
    app: 'bench',
    settings: loadDetectorSettings(),
    everySeconds: 10,
    out: () => {},
    progress: (msg) => {
      const m = /^100% (\d+) lines/.exec(msg);
      if (m) lines = Number(m[1]);
    },
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(`backtest: ${lines} lines in ${seconds.toFixed(2)} s = ${Math.round(lines / seconds)} lines/s, ${incidents.length} incident(s)`);
  for (const i of incidents) {
    console.log(`  ${i.kind} ${i.startedAt} → ${i.resolvedAt ?? 'open'} cause=${i.suspectedCause ? i.suspectedCause.value : 'null'}`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});

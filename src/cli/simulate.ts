import { createWriteStream } from 'node:fs';
import { Command, InvalidArgumentError, Option } from '@commander-js/extra-typings';
import { Presets, SingleBar } from 'cli-progress';
import { findScenario, SCENARIOS, scenarioLabels, scenarioSpec, type ExpectedIncident, type Scenario } from '../simulate/scenarios';
import { MINUTE, trafficMinuteCount } from '../simulate/traffic';
import { streamTraffic } from '../simulate/write';
import { examples, type CliIo } from './common';

/** `vigil simulate`: scenario traffic as NDJSON, for `vigil backtest`, tests and trying Vigil out. */

function seed(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n > 0xffffffff) {
    throw new InvalidArgumentError('expected an integer from 0 to 4294967295');
  }
  return n;
}

const hhmm = (iso: string) => iso.slice(11, 16);

function expectation(i: ExpectedIncident): string {
  const cause = i.cause ? `${i.cause.dimension} ${i.cause.value}` : 'no single slice';
  return `${i.kind} ${i.onset.slice(0, 10)} ${hhmm(i.onset)}–${hhmm(i.end)} UTC, ${cause}`;
}

function describeScenario(s: Scenario): string {
  const from = new Date(s.spec.start).toISOString().slice(0, 10);
  const shape = s.spec.format === 'login' ? 'one login line per login' : 'per-minute aggregates';
  const expects = s.incidents.length === 0 ? 'nothing' : s.incidents.map(expectation).join('; ');
  return [`${s.name}  (${s.spec.days} days from ${from}, ${s.spec.peakPerMinute} logins/min at peak, ${shape})`, `  ${s.about}`, `  expects: ${expects}`].join('\n');
}

/** Draws a bar on a terminal; elsewhere (a CI log, a pipe) says nothing until the summary. */
function progressBar(io: CliIo, scenario: Scenario, total: number): { update(minutes: number, lines: number): void; stop(): void } {
  if (!io.stderr.isTTY) return { update: () => {}, stop: () => {} };
  const bar = new SingleBar(
    {
      stream: io.stderr,
      format: `${scenario.name} {bar} {percentage}% | {day} | {lines} lines`,
      barsize: 30,
      hideCursor: true,
      clearOnComplete: true,
    },
    Presets.shades_classic,
  );
  bar.start(total, 0, { day: '', lines: '0' });
  return {
    update(minutes, lines) {
      const day = new Date(scenario.spec.start + minutes * MINUTE).toISOString().slice(0, 16).replace('T', ' ');
      bar.update(minutes, { day, lines: lines.toLocaleString('en-US') });
    },
    stop: () => bar.stop(),
  };
}

export function addSimulateCommand(program: Command, io: CliIo): void {
  program
    .command('simulate')
    .description(
      'Write scenario traffic as NDJSON (login_aggregate, login and release lines in time order) that `vigil backtest` ' +
        'reads: a few days of one app, with or without a known incident. Each scenario lists the incidents it holds.',
    )
    .addOption(new Option('--scenario <name>', 'the scenario to write').choices(SCENARIOS.map((s) => s.name)))
    .option('--out <file>', 'write to this file, gzipped when it ends in .gz (default: stdout)')
    .option('--seed <n>', "another seed for the same story with different noise (default: the scenario's own)", seed)
    .option('--list', 'list the scenarios and the incidents each holds')
    .option('--labels', "print the scenario's expected incidents as JSON instead of its traffic")
    .option('--quiet', 'no progress bar or summary on stderr')
    .addHelpText(
      'after',
      '\nThe progress bar goes to stderr when it is a terminal; stdout carries only traffic (or labels, or the list).\n' +
        examples(
          'vigil simulate --list',
          'vigil simulate --scenario seed-incident --out seed.ndjson.gz',
          'vigil simulate --scenario seed-incident --labels',
          'vigil simulate --scenario quiet-days --seed 7 --quiet | head',
        ),
    )
    .action(async (opts, command) => {
      if (opts.list) {
        io.stdout.write(`${SCENARIOS.map(describeScenario).join('\n\n')}\n`);
        return;
      }
      const scenario = opts.scenario === undefined ? undefined : findScenario(opts.scenario);
      if (!scenario) return command.error('error: --scenario NAME (or --list) is required', { code: 'vigil.usage' });
      if (opts.labels) {
        io.stdout.write(`${JSON.stringify(scenarioLabels(scenario), null, 2)}\n`);
        return;
      }
      const spec = scenarioSpec(scenario, opts.seed);
      const started = Date.now();
      const bar = opts.quiet ? { update: () => {}, stop: () => {} } : progressBar(io, scenario, trafficMinuteCount(spec));
      const out = opts.out === undefined ? io.stdout : createWriteStream(opts.out);
      let lines = 0;
      const onMinute = (minutes: number, linesSoFar: number) => {
        lines = linesSoFar;
        bar.update(minutes, linesSoFar);
      };
      try {
        await streamTraffic(spec, out, { gzip: opts.out?.endsWith('.gz') ?? false, onMinute });
      } catch (err) {
        // A reader that stops early (`| head`) closes the pipe: that is its choice, not a failure.
        if (out !== io.stdout || (err as { code?: unknown }).code !== 'EPIPE') throw err;
      } finally {
        bar.stop();
      }
      if (!opts.quiet) {
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        io.stderr.write(`${scenario.name}: ${lines.toLocaleString('en-US')} lines, ${spec.days} days, seed ${spec.seed}, in ${seconds} s → ${opts.out ?? 'stdout'}\n`);
      }
    });
}

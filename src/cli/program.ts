import { Command, CommanderError } from '@commander-js/extra-typings';
import { ConfigError, loadConfig } from '../config';
import { runBacktest } from '../detection/backtest';
import { DetectorSettingsError, loadDetectorSettings } from '../detection/settings-file';
import { VigilError } from '../errors';
import { addAppsCommand } from './apps';
import { CliExit, CliFailure, EXIT, examples, type CliIo } from './common';
import { addGateCommand } from './gate';
import { addSimulateCommand } from './simulate';

/**
 * `vigil <command> [flags]`: the operator's command-line tool. Results go to stdout (JSON lines, or NDJSON traffic),
 * everything meant for a human to stderr, so that stdout can be piped.
 */

function addBacktestCommand(program: Command, io: CliIo): void {
  program
    .command('backtest')
    .description(
      'Replay NDJSON traffic (login, login_aggregate and release lines in time order; .gz read as gzip) through the ' +
        "live detector's code and settings on simulated time, and print one JSON line per incident it would have opened.",
    )
    .requiredOption('--input <file>', 'the NDJSON file (.ndjson or .ndjson.gz)')
    .option('--app <name>', 'the app name in the output; with lines that carry an "app" field, only that app is read')
    .addHelpText(
      'after',
      '\nSettings come from the environment like the service: DETECTOR_CONFIG, DETECT_EVERY_SECONDS. Progress goes to stderr.\n' +
        examples(
          'vigil simulate --scenario seed-incident --out seed.ndjson.gz',
          'vigil backtest --input seed.ndjson.gz',
          'vigil backtest --input traffic.ndjson.gz --app shop-ios | jq .suspectedCause',
        ),
    )
    .action(async (opts) => {
      const config = loadConfig(io.env);
      const incidents = await runBacktest({
        input: opts.input,
        ...(opts.app !== undefined ? { app: opts.app } : {}),
        settings: loadDetectorSettings(config.detectorConfig),
        everySeconds: config.detectEverySeconds,
        progress: (msg) => io.stderr.write(`${msg}\n`),
      });
      for (const incident of incidents) io.stdout.write(`${JSON.stringify(incident)}\n`);
    });
}

export function buildProgram(io: CliIo): Command {
  const program = new Command('vigil')
    .description("Vigil's command-line tool: make scenario traffic, replay it through the detector, manage apps, gate a release.")
    .usage('<command> [flags]')
    .exitOverride()
    .configureOutput({ writeOut: (s) => void io.stdout.write(s), writeErr: (s) => void io.stderr.write(s) })
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      '\nCommands that touch the store (apps) use the service\'s environment: DATA_DIR, or MONGODB_URL.\n' +
        examples(
          'vigil simulate --list',
          'vigil simulate --scenario backend-outage --out outage.ndjson.gz',
          'vigil backtest --input outage.ndjson.gz',
          'vigil apps create shop-ios',
          'vigil gate --app app_0123 --version 5.2.0 --url https://vigil.example.com --token "$VIGIL_TOKEN"',
          'vigil <command> --help',
        ),
    );
  // `.command()` copies the output, exit and help-after-error settings into each subcommand: they are set first.
  addBacktestCommand(program, io);
  addSimulateCommand(program, io);
  addAppsCommand(program, io);
  addGateCommand(program, io);
  return program;
}

/** Runs one command line; resolves to the exit code instead of exiting, so tests can call it in-process. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    await buildProgram(io).parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CliExit) return err.code;
    // Commander has already printed its message (and the help): `--help` exits 0, every other complaint is usage.
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (err instanceof CliFailure || err instanceof ConfigError || err instanceof DetectorSettingsError || err instanceof VigilError) {
      io.stderr.write(`vigil: ${err.message}\n`);
      return EXIT.failed;
    }
    // System errors (a missing input file…) say enough in their message; anything else is a bug: show the stack.
    const system = typeof (err as { code?: unknown }).code === 'string';
    io.stderr.write(`vigil: ${system ? (err as Error).message : ((err as Error).stack ?? String(err))}\n`);
    return EXIT.failed;
  }
}

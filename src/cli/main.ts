import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config';
import { DetectorSettingsError, loadDetectorSettings } from '../detection/settings-file';
import { runBacktest } from './backtest';

/**
 * `vigil <command> [flags]`: the operator's command-line tool. Exit codes: 0 done, 1 failed, 2 bad usage.
 * Results go to stdout (one JSON line each), everything meant for a human to stderr.
 */

class UsageError extends Error {}

interface Command {
  usage: string;
  run(args: string[]): Promise<void>;
}

const COMMANDS: Record<string, Command> = {
  backtest: {
    usage: 'vigil backtest --input FILE [--app NAME]   replay an NDJSON(.gz) file through the detector, print incidents',
    async run(args) {
      const { values } = parseArgs({
        args,
        options: { input: { type: 'string' }, app: { type: 'string' } },
        strict: true,
        allowPositionals: false,
      });
      if (!values.input) throw new UsageError('backtest: --input FILE is required');
      const config = loadConfig();
      await runBacktest({
        input: values.input,
        ...(values.app !== undefined ? { app: values.app } : {}),
        settings: loadDetectorSettings(config.detectorConfig),
        everySeconds: config.detectEverySeconds,
        out: (line) => process.stdout.write(`${line}\n`),
        progress: (msg) => process.stderr.write(`${msg}\n`),
      });
    },
  },
  // Further subcommands (e.g. `apps create NAME`) are added here as entries of this table.
};

function usage(): string {
  return ['usage: vigil <command> [flags]', '', 'commands:', ...Object.values(COMMANDS).map((c) => `  ${c.usage}`)].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = name === undefined ? undefined : COMMANDS[name];
  if (!command) {
    process.stderr.write(`${name === undefined ? '' : `vigil: unknown command "${name}"\n`}${usage()}\n`);
    return 2;
  }
  try {
    await command.run(rest);
    return 0;
  } catch (err) {
    const bad = err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    if (bad) {
      process.stderr.write(`vigil: ${(err as Error).message}\n${usage()}\n`);
      return 2;
    }
    if (err instanceof ConfigError || err instanceof DetectorSettingsError) {
      process.stderr.write(`vigil: ${err.message}\n`);
      return 1;
    }
    // System errors (a missing input file…) say enough in their message; anything else is a bug: show the stack.
    const system = typeof (err as { code?: unknown }).code === 'string';
    process.stderr.write(`vigil: ${system ? (err as Error).message : ((err as Error).stack ?? String(err))}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`vigil: ${String(err)}\n`);
    process.exitCode = 1;
  },
);

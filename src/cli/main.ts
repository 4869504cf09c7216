import { parseArgs } from 'node:util';
import pino from 'pino';
import { AppService } from '../apps/service';
import { systemClock } from '../clock';
import { ConfigError, loadConfig } from '../config';
import { VigilError } from '../errors';
import { Name } from '../http/schemas';
import { fieldErrors } from '../http/validate';
import { createLogger } from '../logger';
import { openStores } from '../store';
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
  apps: {
    usage: 'vigil apps create NAME | vigil apps list   create an app (prints its id and ingest key, shown once) or list apps',
    async run(args) {
      const { positionals } = parseArgs({ args, strict: true, allowPositionals: true });
      const [action, ...names] = positionals;
      if (action === 'create' && names.length === 1) {
        const name = Name.safeParse(names[0]);
        if (!name.success) throw new UsageError(`apps create: NAME ${fieldErrors(name.error)[0]?.message ?? 'is invalid'}`);
        const app = await withApps((apps) => apps.create(name.data));
        process.stdout.write(`${JSON.stringify({ id: app.id, name: app.name, ingestKey: app.ingestKey, keyPrefix: app.keyPrefix, createdAt: new Date(app.createdAt).toISOString() })}\n`);
        process.stderr.write(`Created app ${app.name} (${app.id}). Keep the ingest key: it is shown only once.\n`);
        return;
      }
      if (action === 'list' && names.length === 0) {
        for (const app of await withApps((apps) => apps.list())) {
          process.stdout.write(`${JSON.stringify({ id: app.id, name: app.name, createdAt: new Date(app.createdAt).toISOString() })}\n`);
        }
        return;
      }
      throw new UsageError('apps: expected "apps create NAME" or "apps list"');
    },
  },
};

/** Runs against the same store the service uses (MONGODB_URL or the embedded store in DATA_DIR); logs to stderr. */
async function withApps<T>(fn: (apps: AppService) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, pino.destination(2));
  const stores = await openStores(config, logger);
  try {
    return await fn(new AppService(stores.apps, systemClock));
  } finally {
    await stores.close();
  }
}

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
    if (err instanceof ConfigError || err instanceof DetectorSettingsError || err instanceof VigilError) {
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

import { Command, InvalidArgumentError } from '@commander-js/extra-typings';
import pino from 'pino';
import { AppService } from '../apps/service';
import { systemClock } from '../clock';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { openStores } from '../store';
import { fieldErrors, Name } from '../validation';
import { examples, type CliIo } from './common';

/** `vigil apps create NAME` and `vigil apps list`, on the store the service uses (MONGODB_URL or DATA_DIR). */

function appName(value: string): string {
  const name = Name.safeParse(value);
  if (!name.success) throw new InvalidArgumentError(fieldErrors(name.error)[0]?.message ?? 'not a valid name');
  return name.data;
}

/** Opens the store, hands it to `fn`, closes it; logs go to stderr so stdout stays machine-readable. */
async function withApps<T>(io: CliIo, fn: (apps: AppService) => Promise<T>): Promise<T> {
  const config = loadConfig(io.env);
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, pino.destination(2));
  const stores = await openStores(config, logger);
  try {
    return await fn(new AppService(stores.apps, systemClock));
  } finally {
    await stores.close();
  }
}

export function addAppsCommand(program: Command, io: CliIo): void {
  const apps = program
    .command('apps')
    .description('Create and list apps on the store the service uses (DATA_DIR, or MONGODB_URL when set).')
    .usage('<create NAME | list>')
    .addHelpText('after', examples('vigil apps create shop-ios', 'vigil apps list'));
  apps
    .command('create')
    .description('Create an app; prints one JSON line with its id and ingest key (the key is shown only this once).')
    .argument('<NAME>', 'the app name: letters, digits, space, . _ - (starting with a letter or digit), at most 100', appName)
    .addHelpText(
      'after',
      examples('vigil apps create shop-ios', "DATA_DIR=/var/lib/vigil vigil apps create 'Shop Android' | jq -r .ingestKey"),
    )
    .action(async (name) => {
      const app = await withApps(io, (service) => service.create(name));
      const createdAt = new Date(app.createdAt).toISOString();
      io.stdout.write(`${JSON.stringify({ id: app.id, name: app.name, ingestKey: app.ingestKey, keyPrefix: app.keyPrefix, createdAt })}\n`);
      io.stderr.write(`Created app ${app.name} (${app.id}). Keep the ingest key: it is shown only once.\n`);
    });
  apps
    .command('list')
    .description('List apps, one JSON line each (id, name, createdAt; never keys).')
    .addHelpText('after', examples('vigil apps list', 'vigil apps list | jq -r .id'))
    .action(async () => {
      for (const app of await withApps(io, (service) => service.list())) {
        io.stdout.write(`${JSON.stringify({ id: app.id, name: app.name, createdAt: new Date(app.createdAt).toISOString() })}\n`);
      }
    });
}

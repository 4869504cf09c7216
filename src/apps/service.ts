import type { Clock } from '../clock';
import type { App } from '../domain/types';
import { notFound } from '../errors';
import type { AppStore } from '../store/ports';
import { generateIngestKey } from './keys';
import type { KeyResolver } from './key-resolver';

/** Apps and their ingest keys: shared by the HTTP API and `vigil apps create`. */
export class AppService {
  constructor(
    private readonly apps: AppStore,
    private readonly clock: Clock,
    private readonly keys?: KeyResolver,
    /** Called after an app is created, e.g. to schedule its detector at once rather than at the next sync. */
    private readonly onCreated?: (app: App) => Promise<unknown>,
  ) {}

  async create(name: string): Promise<App & { ingestKey: string; keyPrefix: string }> {
    const now = this.clock.now();
    const key = generateIngestKey(now);
    const app = await this.apps.create({ name, key, createdAt: now });
    await this.onCreated?.(app);
    return { ...app, ingestKey: key.ingestKey, keyPrefix: key.keyPrefix };
  }

  list(): Promise<App[]> {
    return this.apps.list();
  }

  async get(id: string): Promise<App> {
    const app = await this.apps.get(id);
    if (!app) throw notFound(`App ${id}`);
    return app;
  }

  async rotateKey(appId: string): Promise<{ ingestKey: string; keyPrefix: string }> {
    await this.get(appId);
    const key = generateIngestKey(this.clock.now());
    await this.apps.addKey(appId, key);
    return { ingestKey: key.ingestKey, keyPrefix: key.keyPrefix };
  }

  async revokeKey(appId: string, keyPrefix: string): Promise<void> {
    await this.get(appId);
    const revoked = await this.apps.revokeKey(appId, keyPrefix, this.clock.now());
    if (!revoked) throw notFound(`Live key ${keyPrefix} of app ${appId}`);
    this.keys?.forgetApp(appId);
  }
}

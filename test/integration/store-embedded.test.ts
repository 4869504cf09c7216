import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { openStores } from '../../src/store';
import { MIGRATIONS } from '../../src/store/embedded/migrations';
import type { Stores } from '../../src/store/ports';
import { makeTempDir } from '../support/tmp';
import { describeStoreContract } from './store-contract';
import Database from 'better-sqlite3';
import path from 'node:path';

const logger = createLogger('silent');
const openOn = (dir: string): Promise<Stores> => openStores(loadConfig({ DATA_DIR: dir }), logger);

const contractDir = makeTempDir('store-embedded');
describeStoreContract(
  'embedded',
  () => openOn(contractDir.dir),
  async () => contractDir.remove(),
);

describe('the embedded store on disk', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  const opened: Stores[] = [];
  const open = async (dir: string) => {
    const stores = await openOn(dir);
    opened.push(stores);
    return stores;
  };

  beforeEach(() => {
    tmp = makeTempDir('store-embedded-disk');
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
    tmp.remove();
  });

  it('when MONGODB_URL is unset, then openStores picks the embedded store under DATA_DIR', async () => {
    const stores = await open(path.join(tmp.dir, 'nested', 'data'));
    expect(stores.kind).toBe('embedded');
    await expect(stores.ping()).resolves.toBeUndefined();
  });

  it('when the same directory is opened twice, then migrations run once and the data survives', async () => {
    const first = await open(tmp.dir);
    const app = await first.apps.create({
      name: 'shop-ios',
      key: { keyPrefix: 'vk_1', keyHash: 'h1', createdAt: 1 },
      createdAt: 1,
    });
    await first.close();

    const second = await open(tmp.dir);
    expect(await second.apps.list()).toEqual([app]);
    await second.close();

    const raw = new Database(path.join(tmp.dir, 'vigil.sqlite'), { readonly: true });
    try {
      expect(raw.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      raw.close();
    }
  });

  it('when two stores share one directory (API and worker), then each sees the other’s writes and invariants', async () => {
    const api = await open(tmp.dir);
    const worker = await open(tmp.dir);

    const app = await api.apps.create({
      name: 'shop-android',
      key: { keyPrefix: 'vk_2', keyHash: 'h2', createdAt: 1 },
      createdAt: 1,
    });
    expect(await worker.apps.get(app.id)).toEqual(app);
    await expect(
      worker.apps.create({ name: 'shop-android', key: { keyPrefix: 'vk_3', keyHash: 'h3', createdAt: 2 }, createdAt: 2 }),
    ).rejects.toMatchObject({ code: 'conflict' });

    const input = {
      app: app.id,
      fingerprint: 'error_rate:app',
      kind: 'error_rate' as const,
      severity: 'major' as const,
      title: 'Login failures',
      startedAt: 1000,
      detectedAt: 2000,
      impact: { errorRate: 0.4, baselineErrorRate: 0.01, failedLogins: 10, affectedUsers: 9, affectedUserPct: 0.3 },
      suspectedCause: null,
      timeline: [],
    };
    const opened = await worker.incidents.open(input);
    const again = await api.incidents.open(input);
    expect(opened.created).toBe(true);
    expect(again).toEqual({ incident: opened.incident, created: false });

    const acked = await api.incidents.transition(opened.incident.id, { from: ['open'], to: 'acknowledged', at: 3000 });
    expect(acked?.status).toBe('acknowledged');
    expect(await worker.incidents.transition(opened.incident.id, { from: ['open'], to: 'acknowledged', at: 3001 })).toBeNull();
  });
});

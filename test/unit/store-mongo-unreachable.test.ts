import mongoose from 'mongoose';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { openStores } from '../../src/store';
import { createMongoStores } from '../../src/store/mongo';
import type { Stores } from '../../src/store/ports';

/**
 * Real Mongoose against an address where no MongoDB listens (nothing is mocked). It proves what an outage looks like
 * to callers: a fast, retryable `unavailable`, never a hang or a 400. It also makes Mongoose cast every filter and
 * update the adapter builds, since casting happens before the driver is called.
 */
const DEAD_URL = 'mongodb://127.0.0.1:1/vigil_unreachable';

const impact = { errorRate: 0.3, baselineErrorRate: 0.01, failedLogins: 3, affectedUsers: 2, affectedUserPct: 0.1 };
const entry = { at: 5, type: 'note' as const, message: 'm', by: 'ana' };
const cursor = Buffer.from(JSON.stringify([5, 'inc_x'])).toString('base64url');

describe('the mongo store when MongoDB is unreachable', () => {
  it('when the server never answers, then openStores fails with unavailable after the selection timeout', async () => {
    const started = Date.now();
    await expect(openStores(loadConfig({ MONGODB_URL: DEAD_URL }), createLogger('silent'))).rejects.toMatchObject({
      code: 'unavailable',
      retryable: true,
      message: expect.stringContaining('Cannot connect to MongoDB'),
    });
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  describe('with buffering off and no connection', () => {
    const conn = mongoose.createConnection(DEAD_URL, { bufferCommands: false, serverSelectionTimeoutMS: 200 });
    conn.asPromise().catch(() => undefined);
    const stores: Stores = createMongoStores(conn);

    afterAll(() => conn.close());

    const calls: [string, () => Promise<unknown>][] = [
      ['apps.create', () => stores.apps.create({ name: 'n', key: { keyPrefix: 'p', keyHash: 'h', createdAt: 1 }, createdAt: 1 })],
      ['apps.list', () => stores.apps.list()],
      ['apps.addKey', () => stores.apps.addKey('app_x', { keyPrefix: 'p', keyHash: 'h', createdAt: 1 })],
      ['apps.revokeKey', () => stores.apps.revokeKey('app_x', 'p', 3)],
      ['apps.findByKeyHash', () => stores.apps.findByKeyHash('h')],
      ['releases.list', () => stores.releases.list('app_x')],
      [
        'incidents.open',
        () =>
          stores.incidents.open({
            app: 'a',
            fingerprint: 'f',
            kind: 'error_rate',
            severity: 'major',
            title: 't',
            startedAt: 1,
            detectedAt: 2,
            impact,
            suspectedCause: null,
            timeline: [entry],
          }),
      ],
      ['incidents.list', () => stores.incidents.list({ app: 'a', status: 'open', since: 1, limit: 2, cursor })],
      ['incidents.update', () => stores.incidents.update('inc_x', { at: 5, patch: { impact, publicMessage: null }, timeline: [entry] })],
      ['incidents.listUnresolved', () => stores.incidents.listUnresolved('a')],
      ['incidents.findRecentlyResolved', () => stores.incidents.findRecentlyResolved('a', 'f', 1)],
      [
        'postmortems.update',
        () => stores.postmortems.update('inc_x', 1, { status: 'published', publishedAt: 5, edit: { at: 5, by: 'x', fields: [] }, at: 5 }),
      ],
      ['postmortems.list', () => stores.postmortems.list({ app: 'a', status: 'draft' })],
      ['channels.list', () => stores.channels.list()],
      ['silences.findActive', () => stores.silences.findActive('a', 'error_rate', 5)],
      ['ping', () => stores.ping()],
    ];

    it.each(calls)('when %s is called, then it fails at once with unavailable', async (_name, call) => {
      const started = Date.now();
      await expect(call()).rejects.toMatchObject({ code: 'unavailable', status: 503, retryable: true });
      expect(Date.now() - started).toBeLessThan(1000);
    });
  });
});

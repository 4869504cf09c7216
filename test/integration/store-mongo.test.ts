import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { openStores } from '../../src/store';
import { describeStoreContract } from './store-contract';

const MONGODB_URL = process.env.MONGODB_URL;

/**
 * The same URL pointing at another database. Credentials given without authSource authenticate against the URL's
 * database, so that database (or admin) is pinned as authSource before the path changes.
 */
function withDatabase(url: string, database: string): string {
  const match = /^(mongodb(?:\+srv)?:\/\/)([^/?]*)(\/[^?]*)?(\?.*)?$/.exec(url);
  if (!match) throw new Error(`MONGODB_URL is not a mongodb:// URL: ${url}`);
  const [, scheme, hosts = '', pathPart, query] = match;
  const params = new URLSearchParams(query ? query.slice(1) : '');
  if (hosts.includes('@') && !params.has('authSource')) {
    params.set('authSource', pathPart && pathPart.length > 1 ? pathPart.slice(1) : 'admin');
  }
  const rest = params.toString();
  return `${scheme}${hosts}/${database}${rest ? `?${rest}` : ''}`;
}

async function dropDatabase(url: string): Promise<void> {
  const conn = await mongoose.createConnection(url, { serverSelectionTimeoutMS: 5000 }).asPromise();
  try {
    await conn.dropDatabase();
  } finally {
    await conn.close();
  }
}

const uniqueDatabase = (): string => `vigil_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;

if (MONGODB_URL) {
  const url = withDatabase(MONGODB_URL, uniqueDatabase());
  const logger = createLogger('silent');

  describeStoreContract(
    'mongo',
    () => openStores(loadConfig({ MONGODB_URL: url }), logger, { autoIndex: true }),
    () => dropDatabase(url),
  );

  describe('the mongo store without autoIndex (production start-up)', () => {
    const ownUrl = withDatabase(MONGODB_URL, uniqueDatabase());
    afterAll(() => dropDatabase(ownUrl));

    it('when opened with autoIndex off, then it builds the unique indexes itself', async () => {
      const stores = await openStores(loadConfig({ MONGODB_URL: ownUrl }), logger);
      try {
        expect(stores.kind).toBe('mongo');
        const conn = await mongoose.createConnection(ownUrl, { serverSelectionTimeoutMS: 5000 }).asPromise();
        try {
          const indexes = await conn.collection('incidents').indexes();
          expect(indexes).toContainEqual(
            expect.objectContaining({ key: { openKey: 1 }, unique: true, partialFilterExpression: { openKey: { $exists: true } } }),
          );
        } finally {
          await conn.close();
        }
      } finally {
        await stores.close();
      }
    });
  });
} else {
  console.warn('[vigil] store-mongo: MONGODB_URL not set — the MongoDB contract suite is SKIPPED');
  describe.skip('the mongo store (needs MONGODB_URL)', () => {
    it('passes the store contract suite', () => undefined);
  });
}

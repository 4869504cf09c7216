import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';

/**
 * Where the MongoDB tests run: MONGODB_URL as given, or the FerretDB the Jest global set-up started
 * (VIGIL_TEST_MONGODB_URL). Without either they are skipped, with the reason the set-up found.
 */
export function mongoTestTarget(): { url: string; server: string } | { skipReason: string } {
  if (process.env.MONGODB_URL) return { url: process.env.MONGODB_URL, server: 'MONGODB_URL' };
  const ferret = process.env.VIGIL_TEST_MONGODB_URL;
  if (ferret) return { url: ferret, server: process.env.VIGIL_TEST_MONGODB_SERVER ?? 'FerretDB' };
  return { skipReason: process.env.VIGIL_TEST_MONGODB_SKIPPED ?? 'MONGODB_URL is not set' };
}

/**
 * The same URL pointing at another database. Credentials given without authSource authenticate against the URL's
 * database, so that database (or admin) is pinned as authSource before the path changes.
 */
export function withDatabase(url: string, database: string): string {
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

/** A database of its own for each test file (and each run), dropped by the file when it ends. */
export function uniqueDatabaseUrl(url: string): string {
  return withDatabase(url, `vigil_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`);
}

export async function dropDatabase(url: string): Promise<void> {
  const conn = await mongoose.createConnection(url, { serverSelectionTimeoutMS: 5000 }).asPromise();
  try {
    await conn.dropDatabase();
  } finally {
    await conn.close();
  }
}

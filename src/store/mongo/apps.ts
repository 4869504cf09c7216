import { Schema, type Connection, type Model } from 'mongoose';
import type { App, IngestKey } from '../../domain/types';
import { conflict, notFound } from '../../errors';
import { newId } from '../../ids';
import type { AppStore, NewKey } from '../ports';
import { guard, isDuplicateKey, toDate, toMs, toMsOrNull } from './mongo-errors';

export interface AppDoc {
  _id: string;
  name: string;
  createdAt: Date;
}

/**
 * An ingest key, in a collection of its own as in the embedded store. Keys used to be an array inside the app; revoking
 * one then needed arrayFilters or the positional `$`, which FerretDB 1.x lacks (migrations.ts moved them out).
 */
export interface IngestKeyDoc {
  /** sha256 of the key: unique, and the lookup of every authenticated ingest request. */
  _id: string;
  appId: string;
  keyPrefix: string;
  createdAt: Date;
  revokedAt: Date | null;
}

const appSchema = new Schema<AppDoc>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);
appSchema.index({ name: 1 }, { unique: true });

const ingestKeySchema = new Schema<IngestKeyDoc>(
  {
    _id: { type: String, required: true },
    appId: { type: String, required: true },
    keyPrefix: { type: String, required: true },
    createdAt: { type: Date, required: true },
    revokedAt: { type: Date, default: null },
  },
  { versionKey: false },
);
ingestKeySchema.index({ appId: 1, keyPrefix: 1 });

export const appModel = (conn: Connection): Model<AppDoc> => conn.model<AppDoc>('App', appSchema, 'apps');
export const ingestKeyModel = (conn: Connection): Model<IngestKeyDoc> =>
  conn.model<IngestKeyDoc>('IngestKey', ingestKeySchema, 'ingest_keys');

const toApp = (d: AppDoc): App => ({ id: d._id, name: d.name, createdAt: toMs(d.createdAt) });

const toKeyDoc = (appId: string, k: NewKey): IngestKeyDoc => ({
  _id: k.keyHash,
  appId,
  keyPrefix: k.keyPrefix,
  createdAt: toDate(k.createdAt),
  revokedAt: null,
});

export class MongoAppStore implements AppStore {
  constructor(
    private readonly apps: Model<AppDoc>,
    private readonly keys: Model<IngestKeyDoc>,
  ) {}

  create(input: { name: string; key: NewKey; createdAt: number }): Promise<App> {
    return guard(async () => {
      const app: App = { id: newId('app', input.createdAt), name: input.name, createdAt: input.createdAt };
      try {
        await this.apps.create({ _id: app.id, name: app.name, createdAt: toDate(app.createdAt) });
      } catch (err) {
        // The id is new, so a duplicate is the name. Asked rather than read from the error: FerretDB names no index.
        if (isDuplicateKey(err) && (await this.apps.exists({ name: input.name }).exec())) {
          throw conflict(`an app named "${input.name}" already exists`, { field: 'name' });
        }
        throw err;
      }
      try {
        await this.keys.create(toKeyDoc(app.id, input.key));
      } catch (err) {
        // No app without its first key: take the app back (two writes, no transaction: FerretDB 1.x has none).
        await this.apps.deleteOne({ _id: app.id }).exec();
        throw err;
      }
      return app;
    });
  }

  get(id: string): Promise<App | null> {
    return guard(async () => {
      const doc = await this.apps.findById(id).lean<AppDoc>().exec();
      return doc ? toApp(doc) : null;
    });
  }

  list(): Promise<App[]> {
    return guard(async () => {
      const docs = await this.apps.find({}).sort({ createdAt: 1, _id: 1 }).lean<AppDoc[]>().exec();
      return docs.map(toApp);
    });
  }

  addKey(appId: string, key: NewKey): Promise<void> {
    return guard(async () => {
      // Apps are never deleted, so the app cannot vanish between this question and the insert.
      if (!(await this.apps.exists({ _id: appId }).exec())) throw notFound('app');
      await this.keys.create(toKeyDoc(appId, key));
    });
  }

  revokeKey(appId: string, keyPrefix: string, at: number): Promise<boolean> {
    return guard(async () => {
      // Every live key of the app with that prefix, as in the embedded store.
      const res = await this.keys.updateMany({ appId, keyPrefix, revokedAt: null }, { $set: { revokedAt: toDate(at) } }).exec();
      return res.modifiedCount > 0;
    });
  }

  findByKeyHash(keyHash: string): Promise<{ app: App; key: IngestKey } | null> {
    return guard(async () => {
      const key = await this.keys.findOne({ _id: keyHash, revokedAt: null }).lean<IngestKeyDoc>().exec();
      if (!key) return null;
      const app = await this.apps.findById(key.appId).lean<AppDoc>().exec();
      if (!app) return null;
      return {
        app: toApp(app),
        key: {
          appId: key.appId,
          keyPrefix: key.keyPrefix,
          keyHash: key._id,
          createdAt: toMs(key.createdAt),
          revokedAt: toMsOrNull(key.revokedAt),
        },
      };
    });
  }
}

import { Schema, type Connection, type Model } from 'mongoose';
import type { App, IngestKey } from '../../domain/types';
import { conflict, notFound } from '../../errors';
import { newId } from '../../ids';
import type { AppStore, NewKey } from '../ports';
import { duplicateKeyField, guard, isDuplicateKey, toDate, toMs, toMsOrNull } from './mongo-errors';

interface KeyDoc {
  keyPrefix: string;
  keyHash: string;
  createdAt: Date;
  revokedAt: Date | null;
}

export interface AppDoc {
  _id: string;
  name: string;
  createdAt: Date;
  keys: KeyDoc[];
}

const keySchema = new Schema<KeyDoc>(
  {
    keyPrefix: { type: String, required: true },
    keyHash: { type: String, required: true },
    createdAt: { type: Date, required: true },
    revokedAt: { type: Date, default: null },
  },
  { _id: false },
);

const appSchema = new Schema<AppDoc>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    createdAt: { type: Date, required: true },
    keys: { type: [keySchema], default: [] },
  },
  { versionKey: false },
);
appSchema.index({ name: 1 }, { unique: true });
// Not unique: a unique multikey index would also collide on apps whose key list is empty, and sha256 of random
// keys does not collide.
appSchema.index({ 'keys.keyHash': 1 });

export const appModel = (conn: Connection): Model<AppDoc> => conn.model<AppDoc>('App', appSchema, 'apps');

const toApp = (d: Pick<AppDoc, '_id' | 'name' | 'createdAt'>): App => ({ id: d._id, name: d.name, createdAt: toMs(d.createdAt) });

const toKeyDoc = (k: NewKey): KeyDoc => ({
  keyPrefix: k.keyPrefix,
  keyHash: k.keyHash,
  createdAt: toDate(k.createdAt),
  revokedAt: null,
});

export class MongoAppStore implements AppStore {
  constructor(private readonly model: Model<AppDoc>) {}

  create(input: { name: string; key: NewKey; createdAt: number }): Promise<App> {
    return guard(async () => {
      const app: App = { id: newId('app', input.createdAt), name: input.name, createdAt: input.createdAt };
      try {
        await this.model.create({ _id: app.id, name: app.name, createdAt: toDate(app.createdAt), keys: [toKeyDoc(input.key)] });
      } catch (err) {
        if (isDuplicateKey(err) && duplicateKeyField(err) === 'name') {
          throw conflict(`an app named "${input.name}" already exists`, { field: 'name' });
        }
        throw err;
      }
      return app;
    });
  }

  get(id: string): Promise<App | null> {
    return guard(async () => {
      const doc = await this.model.findById(id, { keys: 0 }).lean<AppDoc>().exec();
      return doc ? toApp(doc) : null;
    });
  }

  list(): Promise<App[]> {
    return guard(async () => {
      const docs = await this.model.find({}, { keys: 0 }).sort({ createdAt: 1, _id: 1 }).lean<AppDoc[]>().exec();
      return docs.map(toApp);
    });
  }

  addKey(appId: string, key: NewKey): Promise<void> {
    return guard(async () => {
      const res = await this.model.updateOne({ _id: appId }, { $push: { keys: toKeyDoc(key) } }).exec();
      if (res.matchedCount === 0) throw notFound('app');
    });
  }

  revokeKey(appId: string, keyPrefix: string, at: number): Promise<boolean> {
    return guard(async () => {
      // arrayFilters, not the positional `$`, so every live key with that prefix is revoked, as in SQLite.
      const res = await this.model
        .updateOne(
          { _id: appId },
          { $set: { 'keys.$[k].revokedAt': toDate(at) } },
          { arrayFilters: [{ 'k.keyPrefix': keyPrefix, 'k.revokedAt': null }] },
        )
        .exec();
      return res.modifiedCount > 0;
    });
  }

  findByKeyHash(keyHash: string): Promise<{ app: App; key: IngestKey } | null> {
    return guard(async () => {
      const doc = await this.model
        .findOne({ keys: { $elemMatch: { keyHash, revokedAt: null } } })
        .lean<AppDoc>()
        .exec();
      const key = doc?.keys.find((k) => k.keyHash === keyHash && k.revokedAt == null);
      if (!doc || !key) return null;
      return {
        app: toApp(doc),
        key: {
          appId: doc._id,
          keyPrefix: key.keyPrefix,
          keyHash: key.keyHash,
          createdAt: toMs(key.createdAt),
          revokedAt: toMsOrNull(key.revokedAt),
        },
      };
    });
  }
}

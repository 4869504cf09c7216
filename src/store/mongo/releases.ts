import { Schema, type Connection, type Model } from 'mongoose';
import { PLATFORMS, type Platform, type Release } from '../../domain/types';
import { newId } from '../../ids';
import type { ReleaseStore } from '../ports';
import { guard, toDate, toMs } from './mongo-errors';

export interface ReleaseDoc {
  _id: string;
  app: string;
  appVersion: string;
  platform: Platform | null;
  releasedAt: Date;
  rolloutPercent: number | null;
  notes: string | null;
  createdAt: Date;
}

const releaseSchema = new Schema<ReleaseDoc>(
  {
    _id: { type: String, required: true },
    app: { type: String, required: true },
    appVersion: { type: String, required: true },
    platform: { type: String, enum: PLATFORMS, default: null },
    releasedAt: { type: Date, required: true },
    rolloutPercent: { type: Number, default: null },
    notes: { type: String, default: null },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);
releaseSchema.index({ app: 1, releasedAt: 1, _id: 1 });
releaseSchema.index({ releasedAt: 1, _id: 1 });

export const releaseModel = (conn: Connection): Model<ReleaseDoc> =>
  conn.model<ReleaseDoc>('Release', releaseSchema, 'releases');

const toRelease = (d: ReleaseDoc): Release => ({
  id: d._id,
  app: d.app,
  appVersion: d.appVersion,
  platform: d.platform ?? null,
  releasedAt: toMs(d.releasedAt),
  rolloutPercent: d.rolloutPercent ?? null,
  notes: d.notes ?? null,
  createdAt: toMs(d.createdAt),
});

export class MongoReleaseStore implements ReleaseStore {
  constructor(private readonly model: Model<ReleaseDoc>) {}

  create(input: Omit<Release, 'id'>): Promise<Release> {
    return guard(async () => {
      const release: Release = { ...input, id: newId('rel', input.createdAt) };
      await this.model.create({
        _id: release.id,
        app: release.app,
        appVersion: release.appVersion,
        platform: release.platform,
        releasedAt: toDate(release.releasedAt),
        rolloutPercent: release.rolloutPercent,
        notes: release.notes,
        createdAt: toDate(release.createdAt),
      });
      return release;
    });
  }

  list(app?: string): Promise<Release[]> {
    return guard(async () => {
      const docs = await this.model
        .find(app === undefined ? {} : { app })
        .sort({ releasedAt: 1, _id: 1 })
        .lean<ReleaseDoc[]>()
        .exec();
      return docs.map(toRelease);
    });
  }
}

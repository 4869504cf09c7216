import { Schema, type Connection, type Model } from 'mongoose';
import { INCIDENT_KINDS, type IncidentKind, type Silence } from '../../domain/types';
import { newId } from '../../ids';
import type { SilenceStore } from '../ports';
import { guard, toDate, toMs } from './mongo-errors';

export interface SilenceDoc {
  _id: string;
  app: string;
  kind: IncidentKind | null;
  until: Date;
  reason: string;
  createdAt: Date;
}

const silenceSchema = new Schema<SilenceDoc>(
  {
    _id: { type: String, required: true },
    app: { type: String, required: true },
    kind: { type: String, enum: INCIDENT_KINDS, default: null },
    until: { type: Date, required: true },
    reason: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);
silenceSchema.index({ app: 1, until: 1 });
silenceSchema.index({ createdAt: 1, _id: 1 });

export const silenceModel = (conn: Connection): Model<SilenceDoc> =>
  conn.model<SilenceDoc>('Silence', silenceSchema, 'silences');

const toSilence = (d: SilenceDoc): Silence => ({
  id: d._id,
  app: d.app,
  kind: d.kind ?? null,
  until: toMs(d.until),
  reason: d.reason,
  createdAt: toMs(d.createdAt),
});

export class MongoSilenceStore implements SilenceStore {
  constructor(private readonly model: Model<SilenceDoc>) {}

  create(input: Omit<Silence, 'id'>): Promise<Silence> {
    return guard(async () => {
      const silence: Silence = { ...input, id: newId('sil', input.createdAt) };
      await this.model.create({
        _id: silence.id,
        app: silence.app,
        kind: silence.kind,
        until: toDate(silence.until),
        reason: silence.reason,
        createdAt: toDate(silence.createdAt),
      });
      return silence;
    });
  }

  list(): Promise<Silence[]> {
    return guard(async () => {
      const docs = await this.model.find().sort({ createdAt: 1, _id: 1 }).lean<SilenceDoc[]>().exec();
      return docs.map(toSilence);
    });
  }

  delete(id: string): Promise<boolean> {
    return guard(async () => (await this.model.deleteOne({ _id: id }).exec()).deletedCount > 0);
  }

  findActive(app: string, kind: IncidentKind, at: number): Promise<Silence[]> {
    return guard(async () => {
      // `kind: null` matches a stored null and a missing field alike: a silence without kind covers every kind.
      const docs = await this.model
        .find({ app, until: { $gt: toDate(at) }, $or: [{ kind: null }, { kind }] })
        .sort({ until: -1, _id: 1 })
        .lean<SilenceDoc[]>()
        .exec();
      return docs.map(toSilence);
    });
  }
}

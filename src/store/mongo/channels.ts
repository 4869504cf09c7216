import { Schema, type Connection, type Model } from 'mongoose';
import { CHANNEL_TYPES, SEVERITIES, type Channel, type ChannelType, type Severity } from '../../domain/types';
import { newId } from '../../ids';
import type { ChannelStore } from '../ports';
import { guard, toDate, toMs } from './mongo-errors';

export interface ChannelDoc {
  _id: string;
  type: ChannelType;
  url: string;
  secret: string | null;
  routingKey: string | null;
  /** Absent means every app; Mongoose would otherwise turn a missing array into []. */
  apps?: string[];
  minSeverity: Severity;
  escalateAfterMinutes: number | null;
  createdAt: Date;
}

const channelSchema = new Schema<ChannelDoc>(
  {
    _id: { type: String, required: true },
    type: { type: String, enum: CHANNEL_TYPES, required: true },
    url: { type: String, required: true },
    secret: { type: String, default: null },
    routingKey: { type: String, default: null },
    apps: { type: [String], default: undefined },
    minSeverity: { type: String, enum: SEVERITIES, required: true },
    escalateAfterMinutes: { type: Number, default: null },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);
channelSchema.index({ createdAt: 1, _id: 1 });

export const channelModel = (conn: Connection): Model<ChannelDoc> =>
  conn.model<ChannelDoc>('Channel', channelSchema, 'channels');

const toChannel = (d: ChannelDoc): Channel => ({
  id: d._id,
  type: d.type,
  url: d.url,
  secret: d.secret ?? null,
  routingKey: d.routingKey ?? null,
  apps: d.apps ?? null,
  minSeverity: d.minSeverity,
  escalateAfterMinutes: d.escalateAfterMinutes ?? null,
  createdAt: toMs(d.createdAt),
});

export class MongoChannelStore implements ChannelStore {
  constructor(private readonly model: Model<ChannelDoc>) {}

  create(input: Omit<Channel, 'id'>): Promise<Channel> {
    return guard(async () => {
      const channel: Channel = { ...input, id: newId('ch', input.createdAt) };
      await this.model.create({
        _id: channel.id,
        type: channel.type,
        url: channel.url,
        secret: channel.secret,
        routingKey: channel.routingKey,
        ...(channel.apps === null ? {} : { apps: channel.apps }),
        minSeverity: channel.minSeverity,
        escalateAfterMinutes: channel.escalateAfterMinutes,
        createdAt: toDate(channel.createdAt),
      });
      return channel;
    });
  }

  get(id: string): Promise<Channel | null> {
    return guard(async () => {
      const doc = await this.model.findById(id).lean<ChannelDoc>().exec();
      return doc ? toChannel(doc) : null;
    });
  }

  list(): Promise<Channel[]> {
    return guard(async () => {
      const docs = await this.model.find().sort({ createdAt: 1, _id: 1 }).lean<ChannelDoc[]>().exec();
      return docs.map(toChannel);
    });
  }

  delete(id: string): Promise<boolean> {
    return guard(async () => (await this.model.deleteOne({ _id: id }).exec()).deletedCount > 0);
  }
}

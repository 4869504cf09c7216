import { Schema, type Connection, type Model, type UpdateQuery } from 'mongoose';
import {
  POSTMORTEM_STATUSES,
  type Postmortem,
  type PostmortemContent,
  type PostmortemStatus,
} from '../../domain/types';
import { newPostmortemRecord } from '../records';
import type { PostmortemFilter, PostmortemStore } from '../ports';
import { SerialByKey } from './serial';
import { guard, isDuplicateKey, toDate, toDateOrNull, toMs, toMsOrNull } from './mongo-errors';

interface EditDoc {
  at: Date;
  by: string;
  fields: string[];
}

export interface PostmortemDoc {
  _id: string;
  incidentId: string;
  app: string;
  status: PostmortemStatus;
  content: PostmortemContent;
  edits: EditDoc[];
  createdAt: Date;
  updatedAt: Date;
  publishedAt: Date | null;
  version: number;
}

const editSchema = new Schema<EditDoc>(
  {
    at: { type: Date, required: true },
    by: { type: String, required: true },
    fields: { type: [String], default: [] },
  },
  { _id: false },
);

const postmortemSchema = new Schema<PostmortemDoc>(
  {
    _id: { type: String, required: true },
    incidentId: { type: String, required: true },
    app: { type: String, required: true },
    status: { type: String, enum: POSTMORTEM_STATUSES, required: true },
    content: { type: Schema.Types.Mixed, required: true },
    edits: { type: [editSchema], default: [] },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    publishedAt: { type: Date, default: null },
    version: { type: Number, required: true },
  },
  // minimize off: content (empty task lists, empty objects) must come back exactly as written.
  { versionKey: false, minimize: false },
);
postmortemSchema.index({ incidentId: 1 }, { unique: true });
postmortemSchema.index({ app: 1, createdAt: -1, _id: -1 });
postmortemSchema.index({ createdAt: -1, _id: -1 });

export const postmortemModel = (conn: Connection): Model<PostmortemDoc> =>
  conn.model<PostmortemDoc>('Postmortem', postmortemSchema, 'postmortems');

const toPostmortem = (d: PostmortemDoc): Postmortem => ({
  id: d._id,
  incidentId: d.incidentId,
  app: d.app,
  status: d.status,
  content: d.content,
  edits: (d.edits ?? []).map((e) => ({ at: toMs(e.at), by: e.by, fields: e.fields })),
  createdAt: toMs(d.createdAt),
  updatedAt: toMs(d.updatedAt),
  publishedAt: toMsOrNull(d.publishedAt),
  version: d.version,
});

type Change = Parameters<PostmortemStore['update']>[2];

export class MongoPostmortemStore implements PostmortemStore {
  /** One edit at a time per postmortem in this process, so the version check cannot pass twice (see SerialByKey). */
  private readonly writes = new SerialByKey();

  constructor(private readonly model: Model<PostmortemDoc>) {}

  createDraft(input: {
    incidentId: string;
    app: string;
    content: PostmortemContent;
    createdAt: number;
  }): Promise<{ postmortem: Postmortem; created: boolean }> {
    return guard(async () => {
      const existing = await this.find(input.incidentId);
      if (existing) return { postmortem: existing, created: false };
      const postmortem = newPostmortemRecord(input);
      try {
        await this.model.create({
          _id: postmortem.id,
          incidentId: postmortem.incidentId,
          app: postmortem.app,
          status: postmortem.status,
          content: postmortem.content,
          edits: [],
          createdAt: toDate(postmortem.createdAt),
          updatedAt: toDate(postmortem.updatedAt),
          publishedAt: null,
          version: postmortem.version,
        });
      } catch (err) {
        // A concurrent createDraft won the unique incidentId index: theirs is the draft.
        const winner = isDuplicateKey(err) ? await this.find(input.incidentId) : null;
        if (winner) return { postmortem: winner, created: false };
        throw err;
      }
      return { postmortem, created: true };
    });
  }

  private async find(incidentId: string): Promise<Postmortem | null> {
    const doc = await this.model.findOne({ incidentId }).lean<PostmortemDoc>().exec();
    return doc ? toPostmortem(doc) : null;
  }

  get(incidentId: string): Promise<Postmortem | null> {
    return guard(() => this.find(incidentId));
  }

  list(filter: PostmortemFilter): Promise<Postmortem[]> {
    return guard(async () => {
      const docs = await this.model
        .find({
          ...(filter.app === undefined ? {} : { app: filter.app }),
          ...(filter.status === undefined ? {} : { status: filter.status }),
        })
        .sort({ createdAt: -1, _id: -1 })
        .lean<PostmortemDoc[]>()
        .exec();
      return docs.map(toPostmortem);
    });
  }

  update(incidentId: string, expectedVersion: number, change: Change): Promise<Postmortem | null> {
    return guard(() =>
      this.writes.run(incidentId, async () => {
        const set: Record<string, unknown> = { updatedAt: toDate(change.at) };
        if (change.content !== undefined) set.content = change.content;
        if (change.status !== undefined) set.status = change.status;
        if (change.publishedAt !== undefined) set.publishedAt = toDateOrNull(change.publishedAt);
        const update: UpdateQuery<PostmortemDoc> = {
          $set: set,
          $inc: { version: 1 },
          $push: { edits: { at: toDate(change.edit.at), by: change.edit.by, fields: change.edit.fields } },
        };
        // Compare-and-set on version: a stale editor matches nothing and gets null.
        const doc = await this.model
          .findOneAndUpdate({ incidentId, version: expectedVersion }, update, { returnDocument: 'after' })
          .lean<PostmortemDoc>()
          .exec();
        return doc ? toPostmortem(doc) : null;
      }),
    );
  }
}

import type Database from 'better-sqlite3';
import type { Channel, ChannelType, Severity } from '../../domain/types';
import { newId } from '../../ids';
import type { ChannelStore } from '../ports';
import { parseJsonOrNull } from './database';
import { guard } from './sqlite-errors';

interface ChannelRow {
  id: string;
  type: ChannelType;
  url: string;
  secret: string | null;
  routing_key: string | null;
  apps: string | null;
  min_severity: Severity;
  escalate_after_minutes: number | null;
  created_at: number;
}

const toChannel = (r: ChannelRow): Channel => ({
  id: r.id,
  type: r.type,
  url: r.url,
  secret: r.secret,
  routingKey: r.routing_key,
  apps: parseJsonOrNull<string[]>(r.apps),
  minSeverity: r.min_severity,
  escalateAfterMinutes: r.escalate_after_minutes,
  createdAt: r.created_at,
});

export class EmbeddedChannelStore implements ChannelStore {
  private readonly insert;
  private readonly selectOne;
  private readonly selectAll;
  private readonly remove;

  constructor(db: Database.Database) {
    this.insert = db.prepare<ChannelRow>(
      `INSERT INTO channels (id, type, url, secret, routing_key, apps, min_severity, escalate_after_minutes, created_at)
       VALUES (@id, @type, @url, @secret, @routing_key, @apps, @min_severity, @escalate_after_minutes, @created_at)`,
    );
    this.selectOne = db.prepare<[string], ChannelRow>('SELECT * FROM channels WHERE id = ?');
    this.selectAll = db.prepare<[], ChannelRow>('SELECT * FROM channels ORDER BY created_at, id');
    this.remove = db.prepare<[string]>('DELETE FROM channels WHERE id = ?');
  }

  create(input: Omit<Channel, 'id'>): Promise<Channel> {
    return guard(() => {
      const channel: Channel = { ...input, id: newId('ch', input.createdAt) };
      this.insert.run({
        id: channel.id,
        type: channel.type,
        url: channel.url,
        secret: channel.secret,
        routing_key: channel.routingKey,
        apps: channel.apps === null ? null : JSON.stringify(channel.apps),
        min_severity: channel.minSeverity,
        escalate_after_minutes: channel.escalateAfterMinutes,
        created_at: channel.createdAt,
      });
      return channel;
    });
  }

  get(id: string): Promise<Channel | null> {
    return guard(() => {
      const row = this.selectOne.get(id);
      return row ? toChannel(row) : null;
    });
  }

  list(): Promise<Channel[]> {
    return guard(() => this.selectAll.all().map(toChannel));
  }

  delete(id: string): Promise<boolean> {
    return guard(() => this.remove.run(id).changes > 0);
  }
}

import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { trafficMinutes, type TrafficSpec } from './traffic';

export interface StreamTrafficOptions {
  gzip: boolean;
  /** After each simulated minute is generated: minutes and lines so far. */
  onMinute?: (minutes: number, lines: number) => void;
}

/**
 * Writes a spec's traffic as NDJSON (gzipped on request) to `out`, one minute per chunk, with backpressure: the file
 * can be weeks long, memory holds a minute. Resolves once `out` has everything.
 */
export async function streamTraffic(spec: TrafficSpec, out: Writable, opts: StreamTrafficOptions): Promise<void> {
  let minutes = 0;
  let lines = 0;
  function* chunks(): Generator<string> {
    for (const minute of trafficMinutes(spec)) {
      minutes++;
      lines += minute.lines.length;
      opts.onMinute?.(minutes, lines);
      if (minute.lines.length > 0) yield `${minute.lines.map((line) => JSON.stringify(line)).join('\n')}\n`;
    }
  }
  const source = Readable.from(chunks());
  await (opts.gzip ? pipeline(source, createGzip(), out) : pipeline(source, out));
}

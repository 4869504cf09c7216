import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { LoginAggregate } from '../../src/domain/types';
import { trafficMinutes, type Match, type TrafficSpec } from '../../src/simulate/traffic';

/** Test helpers around the traffic generator of `vigil simulate` (src/simulate), which the scenario tests share. */

export { DAY, HOUR, MINUTE, dailyShape, type Match, type TrafficSpec, type VersionSpec } from '../../src/simulate/traffic';

/** Writes a spec's traffic gzipped, at once (a few days of traffic fit in memory), and returns the path. */
export function writeTraffic(file: string, spec: TrafficSpec): string {
  const lines: string[] = [];
  for (const { lines: minute } of trafficMinutes(spec)) for (const line of minute) lines.push(JSON.stringify(line));
  writeFileSync(file, gzipSync(lines.join('\n') + '\n'));
  return file;
}

/** One literal minute of one slice, for unit tests that spell their traffic out. */
export function aggregate(
  minute: number,
  attempts: number,
  failures: number,
  cell: Match = {},
): LoginAggregate {
  return {
    type: 'login_aggregate',
    minute,
    attempts,
    failures,
    users: attempts,
    failedUsers: failures,
    appVersion: cell.appVersion ?? '5.1.0',
    platform: cell.platform === 'android' ? 'android' : 'ios',
    ...(cell.osVersion ? { osVersion: cell.osVersion } : {}),
    region: cell.region ?? 'eu',
  };
}

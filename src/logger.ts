import pino, { type Logger } from 'pino';

export type { Logger };

/** Paths whose values never reach the log: bearer tokens, ingest keys, channel secrets. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.query.token',
  'headers.authorization',
  'authorization',
  'ingestKey',
  'adminToken',
  'secret',
  'routingKey',
  '*.secret',
  '*.routingKey',
  '*.ingestKey',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'vigil' },
      redact: { paths: REDACT_PATHS, censor: '<secret>' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

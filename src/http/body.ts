import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { VigilError, inputError } from '../errors';

/**
 * The one way request bodies are read: JSON only (415 otherwise), identity or gzip encoding (the SDK compresses its
 * batches), a limit on the DECODED bytes (body-parser counts inflated bytes and stops inflating there, so a gzip bomb costs at
 * most the limit), and every reader failure turned into a client error of the catalogue.
 */

/** Operator bodies are small documents; the telemetry route sets its own, larger limit. */
export const DEFAULT_BODY_LIMIT = 256 * 1024;

export interface BodyOptions {
  /** Largest decoded body, in bytes. */
  limit?: number;
  /** Whether an empty body is refused (400) rather than read as no input. */
  required?: boolean;
}

const hasBody = (req: Request) => req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;

/** 415 for a body that is not JSON, or in an encoding other than gzip or none. */
function checkHeaders(req: Request): void {
  if (!req.is('application/json')) throw inputError('unsupported_media_type', 'Content-Type', 'Content-Type must be application/json');
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip') {
    throw inputError('unsupported_media_type', 'Content-Encoding', `Content-Encoding ${encoding} is not supported (use gzip or none)`);
  }
}

/** body-parser and raw-body failures carry a `type` (or, for broken gzip, only a 400 status). */
export function fromBodyReader(err: unknown): VigilError | null {
  const e = err as { type?: string; status?: number; message?: string; limit?: number } | undefined;
  switch (e?.type) {
    case 'entity.parse.failed':
      return inputError('invalid_json', 'body', `Body is not valid JSON: ${e.message ?? ''}`.trim());
    case 'entity.too.large':
      return inputError('payload_too_large', 'body', `Body is larger than ${e.limit ?? 'the limit of'} bytes`);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return inputError('unsupported_media_type', 'Content-Type', e.message ?? 'Unsupported body encoding');
    case 'request.aborted':
      return inputError('bad_request', 'body', 'Request aborted by the client');
    case undefined:
      return e?.status === 400 ? inputError('invalid_json', 'body', 'Body is not valid gzip') : null;
    default:
      return null;
  }
}

const readers = new Map<number, RequestHandler>();
function rawReader(limit: number): RequestHandler {
  let reader = readers.get(limit);
  if (!reader) readers.set(limit, (reader = express.raw({ type: () => true, limit, inflate: true })));
  return reader;
}

/**
 * Reads and parses a JSON body; resolves `{body}` or `{error}` (a VigilError), never rejects, so a caller may have other
 * work in flight meanwhile (the telemetry route asks Redis while the body arrives).
 */
export function readJsonBody(req: Request, res: Response, opts: BodyOptions = {}): Promise<{ body: unknown } | { error: VigilError }> {
  const limit = opts.limit ?? DEFAULT_BODY_LIMIT;
  return new Promise((resolve) => {
    try {
      if (!hasBody(req)) {
        if (opts.required) throw inputError('invalid_json', 'body', 'Body is not valid JSON: empty body');
        return resolve({ body: undefined });
      }
      checkHeaders(req);
    } catch (err) {
      return resolve({ error: err as VigilError });
    }
    rawReader(limit)(req, res, (err?: unknown) => {
      if (err) return resolve({ error: fromBodyReader(err) ?? inputError('bad_request', 'body', 'The body could not be read') });
      const raw = req.body as unknown;
      if (!Buffer.isBuffer(raw) || raw.length === 0) {
        return resolve(opts.required ? { error: inputError('invalid_json', 'body', 'Body is not valid JSON: empty body') } : { body: undefined });
      }
      try {
        resolve({ body: JSON.parse(raw.toString('utf8')) });
      } catch (parseError) {
        resolve({ error: inputError('invalid_json', 'body', `Body is not valid JSON: ${(parseError as Error).message}`) });
      }
    });
  });
}

/** Middleware form for routes that take a JSON document: `req.body` is the parsed value (undefined when empty). */
export function jsonBody(limit = DEFAULT_BODY_LIMIT): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const read = await readJsonBody(req, res, { limit });
    if ('error' in read) throw read.error;
    req.body = read.body;
    next();
  };
}

import type { NextFunction, Request, Response } from 'express';
import { VigilError } from '../errors';
import type { Logger } from '../logger';
import { fromBodyReader } from './body';

/** express's router raises a URIError with status 400 for a path whose percent-encoding does not decode. */
function fromRouter(err: unknown): VigilError | null {
  if (!(err instanceof URIError) || (err as { status?: unknown }).status !== 400) return null;
  return new VigilError('bad_request', 'The path is not valid percent-encoding', [{ field: '(path)', message: 'malformed percent-encoding' }]);
}

export function toVigilError(err: unknown): VigilError {
  if (err instanceof VigilError) return err;
  return fromRouter(err) ?? fromBodyReader(err) ?? new VigilError('internal', 'Internal error');
}

export function sendError(res: Response, error: VigilError): void {
  if (error.retryAfter !== undefined) res.setHeader('Retry-After', String(Math.ceil(error.retryAfter)));
  res.status(error.status).json({
    error: { code: error.code, message: error.message, ...(error.details !== undefined ? { details: error.details } : {}) },
  });
}

/** The one place HTTP errors become responses. 5xx are logged with their stack; 4xx are the client's business. */
export function errorHandler(logger: Logger) {
  return (err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const error = toVigilError(err);
    if (error.status >= 500) {
      (req.log ?? logger).error({ err, code: error.code }, 'request failed');
    }
    sendError(res, error);
  };
}

export function notFoundHandler(req: Request, _res: Response, next: NextFunction) {
  next(new VigilError('not_found', `No route ${req.method} ${req.path}`));
}


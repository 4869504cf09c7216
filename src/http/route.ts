import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import type { z } from 'zod';
import type { Auth } from './auth';
import { jsonBody } from './body';
import { parse } from './validate';

/** Who may call a route: the operator's admin token (or a dashboard session), an app's ingest key, either, or anyone. */
export type Access = keyof Auth | 'public';

export interface ResponseSpec {
  description: string;
  /** The JSON body's schema; absent for an empty answer or one that is not JSON. */
  schema?: z.ZodType;
  /** Defaults to application/json when `schema` is given. */
  contentType?: string;
  /** Other content types of the same answer, chosen by the request's Accept header (text, no schema). */
  alsoAs?: string[];
}

/**
 * One route: what express mounts and what GET /openapi.json describes, from the same schemas. The schemas given here
 * are the ones that validate the request (a 400 naming the field), so the document cannot drift from the code.
 */
export interface RouteSpec<P extends z.ZodType | undefined = z.ZodType | undefined, Q extends z.ZodType | undefined = z.ZodType | undefined, B extends z.ZodType | undefined = z.ZodType | undefined> {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** An express path (`/v1/apps/:id`). */
  path: string;
  summary: string;
  /** Groups routes in the document (Apps, Telemetry, Incidents…). */
  tag: string;
  access: Access;
  params?: P;
  query?: Q;
  /** A JSON body (Content-Type application/json, at most `bodyLimit` bytes). */
  body?: B;
  bodyLimit?: number;
  /** Answers besides the errors every route may give (documented from `access` and the inputs). */
  responses: Record<number, ResponseSpec>;
  /** Request headers the route reads, for the document (Idempotency-Key…). */
  headers?: Record<string, { description: string; required?: boolean }>;
}

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteInput<P, Q, B> {
  params: Parsed<P>;
  query: Parsed<Q>;
  body: Parsed<B>;
}

export type RouteHandler<P, Q, B> = (input: RouteInput<P, Q, B>, req: Request, res: Response) => unknown;

/** The specs mounted on each router, read by the OpenAPI document builder. */
const mounted = new WeakMap<Router, RouteSpec[]>();

export function routesOf(router: Router): readonly RouteSpec[] {
  return mounted.get(router) ?? [];
}

function record(router: Router, spec: RouteSpec): void {
  const specs = mounted.get(router) ?? [];
  specs.push(spec);
  mounted.set(router, specs);
}

/**
 * Documents a route whose handler reads its own input (the telemetry route validates events one by one, the
 * acknowledge link answers HTML): its schemas still come from the code that validates, only the mounting is manual.
 */
export function documentRoute(router: Router, spec: RouteSpec): void {
  record(router, spec);
}

/** Validated input of a request, parsed once by `validate` for the handler. */
const INPUT = Symbol('route input');

function validate(spec: RouteSpec): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const input = {
      params: spec.params ? parse(spec.params, req.params, 'params') : undefined,
      query: spec.query ? parse(spec.query, req.query, 'query') : undefined,
      body: spec.body ? parse(spec.body, req.body, 'body') : undefined,
    };
    (res.locals as Record<symbol, unknown>)[INPUT] = input;
    next();
  };
}

/**
 * A function that mounts routes on `router`: for each, authentication (from `access`), any route-specific middleware
 * (rate limits), the JSON body reader when the route takes a body, validation of params, query and body, then the
 * handler with the parsed input. `auth` may be null for a router of public routes only.
 */
export function routesOn(router: Router, auth: Auth | null) {
  return <P extends z.ZodType | undefined, Q extends z.ZodType | undefined, B extends z.ZodType | undefined>(
    spec: RouteSpec<P, Q, B>,
    ...rest: [...middleware: RequestHandler[], handler: RouteHandler<P, Q, B>]
  ): void => {
    const handler = rest.at(-1) as RouteHandler<P, Q, B>;
    const middleware = rest.slice(0, -1) as RequestHandler[];
    if (spec.access !== 'public' && auth === null) throw new Error(`${spec.method} ${spec.path}: access ${spec.access} needs the auth middleware`);
    router[spec.method](
      spec.path,
      ...(spec.access === 'public' ? [] : [auth![spec.access]]),
      ...middleware,
      ...(spec.body ? [jsonBody(spec.bodyLimit)] : []),
      validate(spec as RouteSpec),
      async (req: Request, res: Response) => {
        await handler((res.locals as Record<symbol, unknown>)[INPUT] as RouteInput<P, Q, B>, req, res);
      },
    );
    record(router, spec);
  };
}

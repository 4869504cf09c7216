import { Router } from 'express';
import { z } from 'zod';
import { ERROR_CATALOGUE } from '../errors';
import { routesOf, type RouteSpec } from './route';

/**
 * The OpenAPI 3.1 document of every route mounted through `route()`, built from the zod schemas that validate the
 * requests and shape the answers. OpenAPI 3.1 speaks JSON Schema 2020-12, which is what zod emits, so schemas go in
 * as they are; schemas given an `id` (`.meta({ id })`) become shared components.
 */

type JsonSchema = Record<string, unknown>;

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(ERROR_CATALOGUE) as [keyof typeof ERROR_CATALOGUE, ...Array<keyof typeof ERROR_CATALOGUE>]),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .meta({ id: 'Error', description: 'Every error answer. `details` lists `{field, message}` for invalid input.' });

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input; `details` names the fields',
  401: 'No credentials, or credentials that match nothing',
  403: 'Valid credentials that may not do this',
  404: 'No such resource',
  409: 'The resource is not in a state that allows this',
  413: 'Body too large',
  415: 'Not JSON, or an unsupported Content-Encoding',
  429: 'Too many requests; retry after `Retry-After` seconds',
  503: 'A dependency (Redis, the store) is unreachable or overloaded; retry after `Retry-After` seconds',
};

const SECURITY: Record<Exclude<RouteSpec['access'], 'public'>, Array<Record<string, string[]>>> = {
  admin: [{ adminToken: [] }, { session: [] }],
  ingest: [{ ingestKey: [] }],
  adminOrIngest: [{ adminToken: [] }, { session: [] }, { ingestKey: [] }],
};

/** `/v1/apps/:id` → `/v1/apps/{id}` */
const openApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

class SchemaCollector {
  readonly components: Record<string, JsonSchema> = {};

  /** A zod schema as JSON Schema, its identified parts hoisted into components. */
  convert(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
    const { $schema: _, $defs, ...json } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema & {
      $defs?: Record<string, JsonSchema>;
    };
    for (const [id, def] of Object.entries($defs ?? {})) this.components[id] = this.relink(def);
    const id = z.globalRegistry.get(schema)?.id;
    if (id) {
      // zod puts an identified root in $defs and answers a bare $ref to it: the component is already there.
      if (json.$ref === undefined) this.components[id] = this.relink(json);
      return { $ref: `#/components/schemas/${id}` };
    }
    return this.relink(json);
  }

  private relink(json: JsonSchema): JsonSchema {
    return JSON.parse(JSON.stringify(json).replace(/"#\/\$defs\//g, '"#/components/schemas/')) as JsonSchema;
  }
}

/** Path or query parameters from an object schema: one parameter per property. */
function parameters(collector: SchemaCollector, schema: z.ZodType | undefined, where: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const json = collector.convert(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema: property,
    ...(typeof property.description === 'string' ? { description: property.description } : {}),
  }));
}

function operation(collector: SchemaCollector, spec: RouteSpec): JsonSchema {
  const responses: Record<string, JsonSchema> = {};
  for (const [status, r] of Object.entries(spec.responses)) {
    // A route's own error answers (409…) have the common error body unless they say otherwise.
    const schema = r.schema ?? (Number(status) >= 400 ? ErrorBody : undefined);
    const content: Record<string, JsonSchema> = {};
    if (schema) content[r.contentType ?? 'application/json'] = { schema: collector.convert(schema, 'output') };
    for (const type of r.alsoAs ?? []) content[type] = { schema: { type: 'string' } };
    responses[status] = { description: r.description, ...(Object.keys(content).length > 0 ? { content } : {}) };
  }
  const errors = new Set<number>([503]);
  if (spec.params || spec.query || spec.body || spec.headers) errors.add(400);
  if (spec.params) errors.add(404);
  if (spec.body) [413, 415].forEach((s) => errors.add(s));
  if (spec.access !== 'public') [401, 403, 429].forEach((s) => errors.add(s));
  const errorSchema = collector.convert(ErrorBody, 'output');
  for (const status of errors) {
    responses[String(status)] ??= { description: ERROR_DESCRIPTIONS[status], content: { 'application/json': { schema: errorSchema } } };
  }
  const headerParams = Object.entries(spec.headers ?? {}).map(([name, h]) => ({
    name,
    in: 'header',
    required: h.required ?? false,
    description: h.description,
    schema: { type: 'string' },
  }));
  return {
    summary: spec.summary,
    tags: [spec.tag],
    operationId: `${spec.method}${openApiPath(spec.path).replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
    ...(spec.access === 'public' ? { security: [] } : { security: SECURITY[spec.access] }),
    parameters: [...parameters(collector, spec.params, 'path'), ...parameters(collector, spec.query, 'query'), ...headerParams],
    ...(spec.body ? { requestBody: { required: true, content: { 'application/json': { schema: collector.convert(spec.body, 'input') } } } } : {}),
    responses,
  };
}

export function openApiDocument(routers: readonly Router[], info: { version: string }): JsonSchema {
  const collector = new SchemaCollector();
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const spec of routers.flatMap(routesOf)) {
    (paths[openApiPath(spec.path)] ??= {})[spec.method] = operation(collector, spec);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Vigil',
      version: info.version,
      description:
        'Login health of mobile apps: telemetry in, incidents, alerts and postmortems out. Operator routes take the admin ' +
        'token (or a dashboard session); SDK routes take an app ingest key. Times are ISO-8601 UTC in answers; requests ' +
        'accept ISO-8601 or epoch milliseconds.',
    },
    servers: [{ url: '/' }],
    paths,
    components: {
      schemas: collector.components,
      securitySchemes: {
        adminToken: { type: 'http', scheme: 'bearer', description: 'The operator token (ADMIN_TOKEN, or DATA_DIR/admin-token)' },
        ingestKey: { type: 'http', scheme: 'bearer', description: "An app's ingest key (vk_…), shipped inside the app" },
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: 'vigil_session',
          description: 'A dashboard session (POST /v1/session); writes also need its x-csrf-token header',
        },
      },
    },
  };
}

/** GET /openapi.json: the document of the routers mounted before it, built once. */
export function openApiRouter(routers: readonly Router[], version: string): Router {
  const router = Router();
  let document: JsonSchema | undefined;
  router.get('/openapi.json', (_req, res) => {
    document ??= openApiDocument(routers, { version });
    res.json(document);
  });
  return router;
}

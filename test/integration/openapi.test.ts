import { validate } from '@readme/openapi-parser';
import type { Express } from 'express';
import { OpenApiChecker } from '../support/openapi';
import { startTestService, type TestService } from '../support/service';

/** Express 5 keeps each router's routes on `router.stack`, each with its path and methods. */
interface Layer {
  route?: { path: string | RegExp; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

function mountedRoutes(app: Express): string[] {
  const routes: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      // A RegExp path is the dashboard's pages (every path the client-side router owns), not an API route.
      const path = layer.route?.path;
      if (layer.route && typeof path !== 'string') continue;
      if (layer.route && typeof path === 'string') {
        for (const [method, on] of Object.entries(layer.route.methods)) {
          if (on && method !== '_all') routes.push(`${method} ${path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`);
        }
      } else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return routes;
}

describe('GET /openapi.json', () => {
  let svc: TestService;
  let doc: { openapi: string; paths: Record<string, Record<string, unknown>> };

  beforeAll(async () => {
    svc = await startTestService('openapi');
    const res = await svc.api('/openapi.json', { token: null });
    expect(res.status).toBe(200);
    doc = (await res.json()) as typeof doc;
  });
  afterAll(() => svc.cleanup());

  it('when a real OpenAPI validator reads the document, then it is valid OpenAPI 3.1', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(doc) as Parameters<typeof validate>[0]);
    expect(result.valid ? [] : result.errors).toEqual([]);
    // A component that is only a reference to itself validates, and describes nothing.
    const components = (doc as unknown as { components: { schemas: Record<string, { $ref?: string }> } }).components.schemas;
    expect(Object.entries(components).filter(([id, schema]) => schema.$ref === `#/components/schemas/${id}`)).toEqual([]);
  });

  it('when every route express has mounted is listed, then each is in the document', () => {
    const app = svc.server.listeners('request')[0] as Express;
    const documented = new Set(Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`)));
    const mounted = mountedRoutes(app);
    expect(mounted.length).toBeGreaterThan(30);
    // The document does not describe itself.
    const undocumented = mounted.filter((r) => !documented.has(r) && r !== 'get /openapi.json');
    expect(undocumented).toEqual([]);
    // …and nothing is documented that is not mounted.
    expect([...documented].filter((r) => !mounted.includes(r))).toEqual([]);
  });

  it('when an answer breaks the document, then the checker every test answer goes through says so', async () => {
    const checker = new OpenApiChecker(doc as ConstructorParameters<typeof OpenApiChecker>[0]);
    const url = `${svc.url}/v1/apps`;
    const real = await svc.api('/v1/apps');
    const body: unknown = await real.json();
    expect(() => checker.check('GET', url, 200, 'application/json', body)).not.toThrow();
    expect(() => checker.check('GET', url, 200, 'application/json', { apps: [{ id: 7 }] })).toThrow(/does not match the OpenAPI document/);
    expect(() => checker.check('GET', url, 418, 'application/json', {})).toThrow(/status not documented/);
    expect(() => checker.check('GET', url, 200, 'text/plain', undefined)).not.toThrow();
  });
});

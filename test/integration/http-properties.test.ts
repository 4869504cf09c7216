import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { aggregate, minuteOf } from '../support/login-traffic';
import { countedWhenDrained } from '../support/sdk-counting';
import { startTestService, type TestService } from '../support/service';

/**
 * Generated requests against every route of the OpenAPI document, as an attacker holding a public ingest key (or an
 * operator with a typo) would send them: whatever arrives, the answer is never a 5xx, every input refusal names the
 * field or header at fault, and every answer is as documented (the test helper checks each one against the
 * document). Seeds are fixed so a failure replays; fast-check prints the smallest failing request.
 */

type Operation = { parameters?: Array<{ name: string; in: string }>; security?: Array<Record<string, unknown>>; requestBody?: unknown };
type Document = { paths: Record<string, Record<string, Operation>> };

interface GeneratedRequest {
  params: string[];
  query: Array<[string, string]>;
  rawQuery: string;
  body: { kind: 'none' } | { kind: 'json'; value: unknown } | { kind: 'raw'; text: string };
  contentType: string | null;
  contentEncoding: string | null;
  idempotencyKey: string | null;
  credential: 'right' | 'none' | 'wrong';
}

/** Header values must be printable ASCII for fetch to send them at all. */
const headerText = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 300 });
const anyText = fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 80 }), fc.constantFrom('', ' ', '0', '-1', '1e309', 'null', 'true', '__proto__', 'constructor', '9999999999999999', '2026-02-30', 'x'.repeat(5000)));
const pathSegment = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/).map(encodeURIComponent),
  anyText.filter((s) => s.length > 0).map(encodeURIComponent),
  fc.constantFrom('%E0%A4%A', '%', '..', '%2F', 'a%00b'),
);

function requestArbitrary(op: Operation, pathParams: number, propertyNames: string[]): fc.Arbitrary<GeneratedRequest> {
  const queryNames = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
  const key = queryNames.length > 0 ? fc.oneof(fc.constantFrom(...queryNames), anyText) : anyText;
  const documentedShape = fc.dictionary(propertyNames.length > 0 ? fc.constantFrom(...propertyNames) : anyText, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 8 });
  return fc.record({
    params: fc.array(pathSegment, { minLength: pathParams, maxLength: pathParams }),
    query: fc.array(fc.tuple(key, anyText), { maxLength: 5 }),
    rawQuery: fc.constantFrom('', '&%', '&a[b]=1', '&a=%E0%A4%A', '&from=1&from=2'),
    body: fc.oneof(
      fc.constant({ kind: 'none' as const }),
      documentedShape.map((value) => ({ kind: 'json' as const, value })),
      fc.jsonValue({ maxDepth: 3 }).map((value) => ({ kind: 'json' as const, value })),
      fc.oneof(anyText, fc.constantFrom('{', '{"events":', '[]', '{"events":[null]}')).map((text) => ({ kind: 'raw' as const, text })),
    ),
    contentType: fc.oneof(fc.constant('application/json'), fc.constant('application/json'), fc.constantFrom(null, 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1')),
    contentEncoding: fc.oneof(fc.constant(null), fc.constant(null), fc.constantFrom('gzip', 'br', 'identity', 'deflate')),
    idempotencyKey: fc.oneof(fc.constant(null), headerText),
    credential: fc.constantFrom('right', 'right', 'right', 'none', 'wrong'),
  });
}

/** Every property name the document gives a request body (components it references included), so generated bodies often look almost right. */
function bodyPropertyNames(doc: Document & { components: unknown }, op: Operation): string[] {
  const components = (doc.components as { schemas: Record<string, unknown> }).schemas;
  const names = new Set<string>();
  const followed = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node === null || typeof node !== 'object') return;
    const { $ref, properties } = node as { $ref?: unknown; properties?: unknown };
    if (typeof $ref === 'string') {
      const id = $ref.split('/').pop()!;
      if (!followed.has(id)) {
        followed.add(id);
        walk(components[id]);
      }
    }
    if (properties !== null && typeof properties === 'object') Object.keys(properties).forEach((name) => names.add(name));
    Object.values(node).forEach(walk);
  };
  walk(op.requestBody);
  return [...names];
}

describe('every route, with generated requests', () => {
  let svc: TestService;
  let doc: Document & { components: unknown };
  let ingestKey: string;
  let appId: string;

  beforeAll(async () => {
    // Limits that would otherwise turn the run into 429s after the first few hundred unauthenticated requests.
    svc = await startTestService('http-properties', { env: { AUTH_FAILURES_PER_MINUTE: '1000000', ALERT_ALLOW_PRIVATE_TARGETS: 'false' } });
    doc = (await (await svc.api('/openapi.json', { token: null })).json()) as typeof doc;
    const app = (await (await svc.api('/v1/apps', { method: 'POST', json: { name: 'Properties' } })).json()) as { id: string; ingestKey: string };
    appId = app.id;
    ingestKey = app.ingestKey;
  });
  afterAll(() => svc.cleanup());

  const send = async (method: string, template: string, op: Operation, r: GeneratedRequest) => {
    let i = 0;
    const path = template.replace(/\{[^}]+\}/g, () => r.params[i++]!);
    const query = new URLSearchParams(r.query).toString();
    const ingest = (op.security ?? []).some((s) => 'ingestKey' in s) && !(op.security ?? []).some((s) => 'adminToken' in s);
    const token = r.credential === 'none' ? null : r.credential === 'wrong' ? 'vk_not-a-key' : ingest ? ingestKey : svc.adminToken;
    let body: Buffer | undefined;
    if (r.body.kind !== 'none' && method !== 'GET') {
      const text = r.body.kind === 'json' ? JSON.stringify(r.body.value) ?? 'null' : r.body.text;
      body = r.contentEncoding === 'gzip' ? gzipSync(text) : Buffer.from(text);
    }
    const headers: Record<string, string> = {};
    if (r.contentType) headers['content-type'] = r.contentType;
    if (r.contentEncoding) headers['content-encoding'] = r.contentEncoding;
    if (r.idempotencyKey !== null) headers['idempotency-key'] = r.idempotencyKey;
    // The helper validates the answer against the document, and throws when it is not as documented.
    return svc.api(`${path}?${query}${r.rawQuery}`, { method, token, headers, ...(body ? { body } : {}) });
  };

  it('when requests are generated for each documented operation, then no answer is a 5xx and every refused input is named', async () => {
    const operations = Object.entries(doc.paths).flatMap(([template, ops]) => Object.entries(ops).map(([method, op]) => ({ template, method: method.toUpperCase(), op })));
    expect(operations.length).toBeGreaterThan(30);
    for (const { template, method, op } of operations) {
      const pathParams = (template.match(/\{/g) ?? []).length;
      await fc.assert(
        fc.asyncProperty(requestArbitrary(op, pathParams, bodyPropertyNames(doc, op)), async (r) => {
          const res = await send(method, template, op, r);
          const where = `${method} ${template} → ${res.status}`;
          expect({ where, server: res.status >= 500 }).toEqual({ where, server: false });
          if ([400, 401, 413, 415].includes(res.status)) {
            const { error } = (await res.json()) as { error: { details?: Array<{ field?: unknown }> } };
            const fields = (error.details ?? []).map((d) => d.field);
            expect({ where, names: fields.length > 0 && fields.every((f) => typeof f === 'string' && f.length > 0) }).toEqual({ where, names: true });
          }
        }),
        { numRuns: 25, seed: 20261128 },
      );
    }
  }, 240_000);

  it('when good and bad events are mixed in generated batches, then exactly the good ones are counted, once', async () => {
    const since = Date.now();
    const now = minuteOf(since);
    // `aggregate` reports attempts - 5 users, all failures among them: so at least 5 attempts, failures <= attempts - 5.
    const good = fc
      .record({ attempts: fc.integer({ min: 5, max: 500 }), failureShare: fc.double({ min: 0, max: 1, noNaN: true }), minutesAgo: fc.integer({ min: 0, max: 30 }), ios: fc.boolean() })
      .map((g) => aggregate(now - g.minutesAgo * 60_000, '5.1.0', g.ios ? 'ios' : 'android', g.attempts, Math.floor((g.attempts - 5) * g.failureShare)));
    const bad = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      good.map((e) => ({ ...e, failures: e.attempts + 1 })),
      good.map((e) => ({ ...e, minute: new Date(now - 3 * 86_400_000).toISOString() })),
      good.map((e) => ({ ...e, appVersion: '5.1.0|x' })),
      good.map((e) => ({ ...e, platform: 'toaster' })),
    );
    let expected = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(good.map((e) => ({ good: true, e })), bad.map((e) => ({ good: false, e }))), { minLength: 1, maxLength: 40 }), async (mixed) => {
        const res = await svc.api('/v1/events', { method: 'POST', token: ingestKey, json: { events: mixed.map((m) => m.e) } });
        expect(res.status).toBe(202);
        const answer = (await res.json()) as { accepted: number; rejected: Array<{ index: number }> };
        const goodOnes = mixed.filter((m) => m.good);
        expect(answer.accepted).toBe(goodOnes.length);
        expect(answer.rejected.map((r) => r.index)).toEqual(mixed.flatMap((m, i) => (m.good ? [] : [i])));
        expected += goodOnes.reduce((sum, m) => sum + (m.e as { attempts: number }).attempts, 0);
      }),
      { numRuns: 30, seed: 1128 },
    );
    const counted = await countedWhenDrained(svc, appId, since - 31 * 60_000);
    expect(counted.attempts).toBe(expected);
  }, 120_000);
});

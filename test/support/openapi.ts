import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

/**
 * Checks real answers against the service's own OpenAPI document: every JSON answer of a documented route must be
 * one of the statuses documented for it, with a body that validates against the documented schema. The test helper
 * (`startTestService().api`) runs every answer through this, so the whole suite keeps the document honest.
 */

interface Operation {
  responses: Record<string, { content?: Record<string, unknown> }>;
}
type Document = { paths: Record<string, Record<string, Operation>> };

const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

export class OpenApiChecker {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly routes: Array<{ method: string; pattern: RegExp; template: string }>;
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(private readonly doc: Document) {
    addFormats(this.ajv);
    this.ajv.addSchema(doc, 'openapi');
    this.routes = Object.entries(doc.paths).flatMap(([template, ops]) =>
      Object.keys(ops).map((method) => ({
        method,
        template,
        pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
      })),
    );
  }

  /** The documented operation a request hits, if any. */
  operation(method: string, path: string): { template: string; method: string } | undefined {
    const m = method.toLowerCase();
    return this.routes.find((r) => r.method === m && r.pattern.test(path));
  }

  /** Throws with the reason when a JSON answer is not as documented; answers of undocumented paths pass. */
  check(method: string, url: string, status: number, contentType: string | null, body: unknown): void {
    const path = new URL(url).pathname;
    const op = this.operation(method, path);
    if (!op) return;
    const responses = this.doc.paths[op.template]![op.method]!.responses;
    const where = `${method.toUpperCase()} ${path} → ${status}`;
    const response = responses[String(status)];
    if (!response) throw new Error(`${where}: status not documented for ${op.method.toUpperCase()} ${op.template}`);
    if (!contentType?.includes('application/json')) return;
    if (!response.content?.['application/json']) throw new Error(`${where}: a JSON answer the document does not describe`);
    const ref = `openapi#/${pointer('paths', op.template, op.method, 'responses', String(status), 'content', 'application/json', 'schema')}`;
    let validate = this.validators.get(ref);
    if (!validate) {
      validate = this.ajv.compile({ $ref: ref });
      this.validators.set(ref, validate);
    }
    if (!validate(body)) {
      throw new Error(`${where}: answer does not match the OpenAPI document: ${this.ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 500)}`);
    }
  }
}

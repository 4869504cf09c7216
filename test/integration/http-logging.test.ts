import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { Router } from 'express';
import { Registry } from 'prom-client';
import { createHttpApp, redactQuery } from '../../src/http/app';
import { createLogger } from '../../src/logger';
import { createMetrics } from '../../src/metrics';

describe('request logs', () => {
  it('when a signed acknowledge link is requested, then the logged URL carries no token', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    const router = Router().get('/v1/incidents/:id/ack', (_req, res) => void res.status(403).json({}));
    const app = createHttpApp({ logger: createLogger('debug', sink), metrics: createMetrics(new Registry(), { defaultMetrics: false }), routers: [router] });
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/incidents/inc_1/ack?token=s3cr3t.sig&lang=en`);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    const logged = lines.map((l) => JSON.parse(l) as { req?: { url?: string } }).find((l) => l.req?.url !== undefined);
    expect(logged?.req?.url).toBe('/v1/incidents/inc_1/ack?token=<secret>&lang=en');
    expect(lines.join('\n')).not.toContain('s3cr3t');
  });

  it.each([
    ['/plain/path', '/plain/path'],
    ['/a?apiKey=1&b=2', '/a?apiKey=<secret>&b=2'],
    ['/a?b=2&signature=zz#frag', '/a?b=2&signature=<secret>#frag'],
    ['/a?tokens', '/a?tokens'],
  ])('redactQuery(%s) is %s', (url, expected) => {
    expect(redactQuery(url)).toBe(expected);
  });
});

import { connect } from 'node:net';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createHttpServer } from '../../src/http/server';
import { startTestService, type TestService } from '../support/service';

/**
 * What an attacker holding a public ingest key, or an unlucky operator, can send: every bad input is a 4xx naming what
 * is wrong, never a 500 that stays; the cheap SDK routes and failed authentications are rate limited.
 */
describe('HTTP inputs and limits', () => {
  let svc: TestService;
  let app: { id: string; ingestKey: string };

  beforeAll(async () => {
    svc = await startTestService('http-hardening', { env: { STATUS_RATE_PER_SECOND: '3', AUTH_FAILURES_PER_MINUTE: '5' } });
    app = (await (await svc.api('/v1/apps', { method: 'POST', json: { name: 'shop' } })).json()) as typeof app;
  });
  afterAll(() => svc?.cleanup());

  const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; details?: Array<{ field: string }> } }).error;

  it.each([
    ['an epoch string past the year 2100', '99999999999999999'],
    ['an epoch number past the year 2100', 99999999999999],
    ['an ISO time before 2000', '1970-01-01T00:00:00Z'],
  ])('when a release is registered with %s, then 400 names releasedAt and the release list still answers', async (_, releasedAt) => {
    const res = await svc.api('/v1/releases', { method: 'POST', token: app.ingestKey, json: { appVersion: '5.2.0', releasedAt } });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).details?.map((d) => d.field)).toEqual(['releasedAt']);
    expect((await svc.api(`/v1/releases?app=${app.id}`)).status).toBe(200);
  });

  it('when a silence ends past the year 2100, then 400 names until', async () => {
    const res = await svc.api('/v1/silences', { method: 'POST', json: { app: app.id, until: '99999999999999999', reason: 'x' } });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).details?.map((d) => d.field)).toEqual(['until']);
  });

  it.each([
    ['from=99999999999999999', 'from'],
    ['to=99999999999999999', 'to'],
  ])('when series is asked for %s, then 400 names %s', async (query, field) => {
    const res = await svc.api(`/v1/apps/${app.id}/series?${query}`);
    expect(res.status).toBe(400);
    expect((await errorOf(res)).details?.map((d) => d.field)).toEqual([field]);
  });

  it('when a path has broken percent-encoding, then 400, not 500', async () => {
    const res = await svc.api('/v1/incidents/%E0%A4%A');
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe('bad_request');
  });

  it('when a key polls the status faster than its limit, then the excess gets 429 with Retry-After', async () => {
    const answers = await Promise.all(Array.from({ length: 12 }, () => svc.api('/v1/status', { token: app.ingestKey })));
    const limited = answers.filter((r) => r.status === 429);
    // Fixed one-second windows: a burst straddling a boundary may get two windows' worth.
    expect(answers.filter((r) => r.status === 200).length).toBeLessThanOrEqual(6);
    expect(limited.length).toBeGreaterThanOrEqual(6);
    expect(Number(limited[0]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('when a key registers more than 60 releases in a minute, then the excess gets 429', async () => {
    const register = (i: number) => svc.api('/v1/releases', { method: 'POST', token: app.ingestKey, json: { appVersion: `9.0.${i}` } });
    const statuses: number[] = [];
    for (let i = 0; i < 61; i++) statuses.push((await register(i)).status);
    // The earlier cases spent a few of this minute's points already.
    expect(statuses.filter((s) => s === 201).length).toBeLessThanOrEqual(60);
    expect(statuses.at(-1)).toBe(429);
  });

  // Last: once this address is blocked, every request from it is refused for the rest of the minute.
  it('when an address keeps failing authentication, then it gets 429 instead of 401, even for a valid token', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await svc.api('/v1/apps', { token: `vk_wrong_${i}` })).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    const res = await svc.api('/v1/apps');
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('HTTP server timeouts', () => {
  it('when a client sends its headers too slowly, then the server cuts the connection off', async () => {
    const server = createHttpServer(express(), { headersTimeoutMs: 300, requestTimeoutMs: 1_000, keepAliveTimeoutMs: 300 });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
      await once(socket, 'connect');
      // A slowloris client: a request line, then nothing.
      socket.write('GET / HTTP/1.1\r\nHost: x\r\n');
      let answer = '';
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
      await once(socket, 'close');
      expect(answer).toMatch(/^HTTP\/1\.1 408/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

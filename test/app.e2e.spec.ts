import request from 'supertest';
import { startTestApp, type RunningApp } from './support/test-app.js';

describe('IdP server over real HTTP', () => {
  let server: RunningApp;
  beforeAll(async () => {
    server = await startTestApp();
  });
  afterAll(async () => server?.close());

  it('is live', async () => {
    const response = await request(server.baseUrl).get('/health/live').expect(200);
    expect(response.body).toEqual({ status: 'ok' });
  });

  it('is ready once its database and store answer', async () => {
    const response = await request(server.baseUrl).get('/health/ready').expect(200);
    expect(response.body.status).toBe('ok');
    expect(response.body.details.database.status).toBe('up');
    expect(response.body.details.ephemeralStore).toEqual({
      status: 'up',
      kind: server.env.config.redisUrl ? 'redis' : 'in-process',
    });
  });

  it('answers an unknown route with problem+json 404 and a stable code', async () => {
    const response = await request(server.baseUrl).get('/no/such/thing?x=1').expect(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({
      type: 'https://idtoken.dev/problems/not-found',
      title: 'Not found',
      status: 404,
      code: 'not_found',
      instance: '/no/such/thing',
    });
    expect(response.body.requestId).toBe(response.headers['x-request-id']);
  });

  it('answers malformed JSON with problem+json 400 invalid_request', async () => {
    const response = await request(server.baseUrl)
      .post('/health/live')
      .set('content-type', 'application/json')
      .send('{"tokenId": ')
      .expect(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ status: 400, code: 'invalid_request' });
  });

  it('answers a body over 1 MiB with problem+json 413', async () => {
    const response = await request(server.baseUrl)
      .post('/health/live')
      .set('content-type', 'application/json')
      .send(`{"x":"${'a'.repeat(1024 * 1024)}"}`)
      .expect(413);
    expect(response.body).toMatchObject({ status: 413, code: 'payload_too_large' });
  });

  it('keeps a plain X-Request-Id and replaces one that could inject into logs or headers', async () => {
    const kept = await request(server.baseUrl).get('/health/live').set('x-request-id', 'rp-trace.42').expect(200);
    expect(kept.headers['x-request-id']).toBe('rp-trace.42');
    const replaced = await request(server.baseUrl)
      .get('/health/live')
      .set('x-request-id', 'a b"}{"level":"fatal')
      .expect(200);
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const tooLong = await request(server.baseUrl).get('/health/live').set('x-request-id', 'x'.repeat(65)).expect(200);
    expect(tooLong.headers['x-request-id']).not.toBe('x'.repeat(65));
  });

  it('exposes Prometheus metrics: process defaults and the HTTP histogram by route template', async () => {
    await request(server.baseUrl).get('/health/live').expect(200);
    const response = await request(server.baseUrl).get('/metrics').expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(response.text).toContain('process_cpu_user_seconds_total');
    expect(response.text).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/health\/live",status_code="200"\} [1-9]/,
    );
    // Unknown URLs are counted under one label, never one series per URL.
    expect(response.text).not.toContain('/no/such/thing');
  });

  it('serves the OpenAPI document and its UI at /docs', async () => {
    const document = await request(server.baseUrl).get('/docs/openapi.json').expect(200);
    expect(document.body.openapi).toMatch(/^3\./);
    expect(Object.keys(document.body.paths)).toEqual(expect.arrayContaining(['/health/live', '/health/ready']));
    const ui = await request(server.baseUrl).get('/docs').expect(200);
    expect(ui.text).toContain('swagger');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, startTestServer, type TestServer } from './helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

describe('every surface', () => {
  it('answers /healthz with 200 when the database answers', async () => {
    for (const url of Object.values(server.urls)) {
      const res = await new ApiClient(url).get('/healthz');
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('ok');
    }
  });

  it('serves an OpenAPI document listing its own routes only', async () => {
    const consoleDoc = (await new ApiClient(server.urls.console).get('/openapi.json')).body;
    const portalDoc = (await new ApiClient(server.urls.portal).get('/openapi.json')).body;
    expect(Object.keys(consoleDoc.paths)).toContain('/api/customers');
    expect(Object.keys(portalDoc.paths)).toContain('/api/me');
    expect(Object.keys(portalDoc.paths)).not.toContain('/api/customers');
  });

  it('returns a request id and a JSON 404 for unknown API routes', async () => {
    const res = await new ApiClient(server.urls.ingest).get('/api/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });
});

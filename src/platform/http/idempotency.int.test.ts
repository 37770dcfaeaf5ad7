import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, startTestServer, type TestServer } from '../../../test/helpers/server.js';

let server: TestServer;
let admin: ApiClient;

beforeAll(async () => {
  server = await startTestServer();
  await server.createStaff({ username: 'admin', password: 'admin-password', role: 'admin' });
  admin = new ApiClient(server.urls.console);
  await admin.login('admin', 'admin-password');
});
afterAll(() => server.close());

const countCustomers = async () => (await server.services.customers.importer.count());

describe('Idempotency-Key', () => {
  it('makes a retried create return the first answer instead of a second customer', async () => {
    const before = await countCustomers();
    const first = await admin.request('POST', '/api/customers', { name: '再送 太郎' }, { 'idempotency-key': 'create-1' });
    const retry = await admin.request('POST', '/api/customers', { name: '再送 太郎' }, { 'idempotency-key': 'create-1' });
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body.customerNumber).toBe(first.body.customerNumber);
    expect(retry.headers.get('idempotent-replay')).toBe('true');
    expect(await countCustomers()).toBe(before + 1);
  });

  it('refuses the same key for a different request', async () => {
    await admin.request('POST', '/api/customers', { name: 'A' }, { 'idempotency-key': 'create-2' });
    const other = await admin.request('POST', '/api/customers', { name: 'B' }, { 'idempotency-key': 'create-2' });
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('idempotency_key_reused');
  });

  it('gives concurrent duplicates one winner and never two customers', async () => {
    const before = await countCustomers();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => admin.request('POST', '/api/customers', { name: '同時' }, { 'idempotency-key': 'create-3' })),
    );
    const created = new Set(results.filter((r) => r.status === 201).map((r) => r.body.customerNumber));
    expect(created.size).toBe(1);
    expect(results.every((r) => r.status === 201 || (r.status === 409 && r.body.error.code === 'request_in_progress'))).toBe(true);
    expect(await countCustomers()).toBe(before + 1);
  });

  it('keeps keys apart per caller', async () => {
    await server.createStaff({ username: 'admin2', password: 'admin-password', role: 'admin' });
    const other = new ApiClient(server.urls.console);
    await other.login('admin2', 'admin-password');
    const a = await admin.request('POST', '/api/customers', { name: '別' }, { 'idempotency-key': 'shared' });
    const b = await other.request('POST', '/api/customers', { name: '別' }, { 'idempotency-key': 'shared' });
    expect(a.body.customerNumber).not.toBe(b.body.customerNumber);
  });

  it('rejects a malformed key', async () => {
    const res = await admin.request('POST', '/api/customers', { name: 'x' }, { 'idempotency-key': 'x'.repeat(201) });
    expect(res.status).toBe(400);
  });
});

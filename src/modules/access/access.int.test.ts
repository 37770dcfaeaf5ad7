import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, startTestServer, type TestServer } from '../../../test/helpers/server.js';

let server: TestServer;
let storeA: number;
let storeB: number;
let partnerId: number;

beforeAll(async () => {
  server = await startTestServer({ CLIENTELE_LOGIN_MAX_FAILURES_PER_ACCOUNT: '3', CLIENTELE_LOGIN_MAX_FAILURES_PER_IP: '8' });
  const orgs = server.services.organisations;
  storeA = (await orgs.create('stores', { code: 'a', name: 'Store A' })).id;
  storeB = (await orgs.create('stores', { code: 'b', name: 'Store B' })).id;
  partnerId = (await orgs.create('partners', { code: 'p', name: 'Partner', grantedFields: ['name'] })).id;
  await server.createStaff({ username: 'admin', password: 'admin-password', role: 'admin' });
  await server.createStaff({ username: 'sales', password: 'sales-password', role: 'sales' });
  await server.createStaff({ username: 'store-a', password: 'store-password', role: 'store', storeId: storeA });
  await server.createStaff({ username: 'partner', password: 'partner-password', role: 'partner', partnerId });
});
afterAll(() => server.close());

const consoleClient = () => new ApiClient(server.urls.console);

describe('staff login', () => {
  it('opens an httpOnly SameSite session and answers /me', async () => {
    const c = consoleClient();
    const res = await c.login('sales', 'sales-password');
    expect(res.status).toBe(200);
    expect(res.body.staff).toMatchObject({ username: 'sales', role: 'sales' });
    const cookie = res.headers.getSetCookie().join(';');
    expect(cookie).toMatch(/clientele_console=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect((await c.get('/api/auth/me')).body.staff.username).toBe('sales');
    expect((await c.post('/api/auth/logout')).status).toBe(204);
    expect((await c.get('/api/auth/me')).status).toBe(401);
  });

  it('refuses a wrong password with the same answer as an unknown user', async () => {
    const wrong = await consoleClient().login('admin', 'not-the-password');
    const unknown = await consoleClient().login('nobody-here', 'not-the-password');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.error.code).toBe('invalid_credentials');
    expect(unknown.body.error).toEqual(wrong.body.error);
  });

  it('blocks an account after repeated failures, even with the right password, and says when to retry', async () => {
    await server.createStaff({ username: 'victim', password: 'victim-password', role: 'sales' });
    for (let i = 0; i < 3; i++) expect((await consoleClient().login('victim', `guess-${i}`)).status).toBe(401);
    const blocked = await consoleClient().login('victim', 'victim-password');
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe('rate_limited');
    expect(blocked.body.error.details.retryAfterSeconds).toBeGreaterThan(0);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('blocks an IP that guesses across many accounts', async () => {
    // The per-IP limit is 8 failures; the earlier tests used some of this IP's budget.
    let status = 0;
    for (let i = 0; i < 10 && status !== 429; i++) status = (await consoleClient().login(`spray-${i}`, 'password-guess')).status;
    expect(status).toBe(429);
    // A correct login from the same IP is refused too until the window passes.
    expect((await consoleClient().login('admin', 'admin-password')).status).toBe(429);
    await server.db.handle.db.deleteFrom('auth_failures').execute();
  });

  it('lets partner accounts in only on the partner surface', async () => {
    expect((await consoleClient().login('partner', 'partner-password')).status).toBe(401);
    const p = new ApiClient(server.urls.partner);
    expect((await p.login('partner', 'partner-password')).status).toBe(200);
    expect((await new ApiClient(server.urls.partner).login('admin', 'admin-password')).status).toBe(401);
  });
});

describe('surfaces and sessions', () => {
  it('never accepts a session of one surface on another', async () => {
    const c = consoleClient();
    await c.login('admin', 'admin-password');
    for (const other of [server.urls.portal, server.urls.partner]) {
      const o = new ApiClient(other);
      c.shareCookiesWith(o);
      expect((await o.get(other === server.urls.portal ? '/api/me' : '/api/auth/me')).status).toBe(401);
    }
    // the console's session token presented under the partner surface's cookie name is refused too
    const renamed = new ApiClient(server.urls.partner);
    renamed.setCookie('clientele_partner', c.cookie('clientele_console')!);
    expect((await renamed.get('/api/auth/me')).status).toBe(401);
    // and the customer routes of the console simply do not exist on the portal
    const portal = new ApiClient(server.urls.portal);
    c.shareCookiesWith(portal);
    expect((await portal.get('/api/customers')).status).toBe(404);
  });

  it('does not let a portal session call the console', async () => {
    const customer = await server.createCustomer({ name: 'ポータル 利用者' });
    await server.services.customers.service.setPortalPassword(
      { type: 'system', id: null, label: 't', surface: 'system' },
      Number(customer.customerNumber),
      'customer-password',
    );
    const portal = new ApiClient(server.urls.portal);
    const login = await portal.post('/api/auth/login', { login: customer.registrationNo, password: 'customer-password' });
    expect(login.status).toBe(200);
    portal.csrfToken = login.body.csrfToken;
    expect((await portal.get('/api/me')).body.customer.customerNumber).toBe(customer.customerNumber);
    const asConsole = new ApiClient(server.urls.console);
    portal.shareCookiesWith(asConsole);
    expect((await asConsole.get('/api/customers')).status).toBe(401);
    expect((await asConsole.get(`/api/customers/${customer.customerNumber}`)).status).toBe(401);
  });

  it('requires the CSRF token for cookie-authenticated writes', async () => {
    const c = consoleClient();
    await c.login('admin', 'admin-password');
    const token = c.csrfToken!;
    c.csrfToken = undefined;
    const refused = await c.post('/api/customers', { name: '偽 リクエスト' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('csrf_failed');
    const wrong = await c.request('POST', '/api/customers', { name: '偽' }, { 'x-csrf-token': 'forged' });
    expect(wrong.status).toBe(403);
    c.csrfToken = token;
    expect((await c.post('/api/customers', { name: '本物 リクエスト' })).status).toBe(201);
    const found = await server.services.customers.service.search('偽');
    expect(found).toHaveLength(0);
  });
});

describe('roles', () => {
  it('keeps sales staff read-only', async () => {
    const c = consoleClient();
    await c.login('sales', 'sales-password');
    const customer = await server.createCustomer({ name: '読取 専用' });
    expect((await c.get(`/api/customers/${customer.customerNumber}`)).status).toBe(200);
    expect((await c.patch(`/api/customers/${customer.customerNumber}`, { occupation: 'x' })).status).toBe(403);
    expect((await c.post('/api/customers', { name: 'x' })).status).toBe(403);
    expect((await c.post('/api/staff', { username: 'evil', password: 'evil-password', role: 'admin' })).status).toBe(403);
  });

  it('keeps store staff to their own store', async () => {
    const c = consoleClient();
    await c.login('store-a', 'store-password');
    expect((await c.get(`/api/stores/${storeA}`)).status).toBe(200);
    expect((await c.get(`/api/stores/${storeB}`)).status).toBe(403);
    expect((await c.get('/api/stores')).status).toBe(403);
    // no browsing of the whole customer base
    expect((await c.get('/api/customers?q=a')).status).toBe(403);

    const own = await c.post('/api/keys', { kind: 'store_terminal', label: 'Till 1' });
    expect(own.status).toBe(201);
    expect(own.body.storeId).toBe(storeA);
    expect((await c.post('/api/keys', { kind: 'store_terminal', label: 'Till X', storeId: storeB })).status).toBe(403);
    expect((await c.post('/api/keys', { kind: 'reader', label: 'Reader' })).status).toBe(403);

    const otherKey = await server.services.access.createApiKey({ kind: 'store_terminal', label: 'B till', storeId: storeB });
    const list = await c.get('/api/keys');
    expect(list.body.items.map((k: { storeId: number }) => k.storeId)).toEqual([storeA]);
    expect((await c.get(`/api/keys?storeId=${storeB}`)).status).toBe(403);
    expect((await c.post(`/api/keys/${otherKey!.id}/revoke`)).status).toBe(403);
    expect((await server.services.access.getApiKey(otherKey!.id)).revokedAt).toBeNull();
  });

  it('gives store staff only the counter view of a customer looked up exactly', async () => {
    const customer = await server.createCustomer({ name: '窓口 客', email: 'counter@example.jp', birthDate: '1980-01-02' });
    const c = consoleClient();
    await c.login('store-a', 'store-password');
    const res = await c.get(`/api/customers/lookup?identifier=${customer.registrationNo}`);
    expect(res.status).toBe(200);
    expect(res.body.name).toBe('窓口 客');
    expect(res.body).not.toHaveProperty('personal');
    expect(JSON.stringify(res.body)).not.toContain('counter@example.jp');
    expect((await c.get(`/api/customers/${customer.customerNumber}`)).status).toBe(403);
  });
});

describe('API keys', () => {
  it('are shown once, stored hashed, work only on their surface, and stop working when revoked', async () => {
    const created = await server.services.access.createApiKey({ kind: 'reader', label: 'Door' });
    expect(created!.key).toMatch(/^clk_[a-z0-9]{12}\./);
    const stored = await server.db.handle.db.selectFrom('api_keys').selectAll().where('id', '=', created!.id).executeTakeFirstOrThrow();
    expect(JSON.stringify(stored)).not.toContain(created!.key.split('.')[1]);

    const ingest = new ApiClient(server.urls.ingest);
    ingest.bearer = created!.key;
    const who = await ingest.get('/api/whoami');
    expect(who.status).toBe(200);
    expect(who.body).toMatchObject({ kind: 'reader', keyId: created!.keyId });

    const onConsole = consoleClient();
    onConsole.bearer = created!.key;
    expect((await onConsole.get('/api/customers')).status).toBe(401);

    const tampered = new ApiClient(server.urls.ingest);
    tampered.bearer = created!.key.slice(0, -2) + 'xx';
    expect((await tampered.get('/api/whoami')).status).toBe(401);

    await server.services.access.revokeApiKey(created!.id);
    expect((await ingest.get('/api/whoami')).status).toBe(401);
  });

  it('lets a partner key read only the granted fields', async () => {
    const customer = await server.createCustomer({ name: '提携 花子', email: 'secret@example.jp' });
    const key = await server.services.access.createApiKey({ kind: 'partner', label: 'x', partnerId });
    const p = new ApiClient(server.urls.partner);
    p.bearer = key!.key;
    const res = await p.get(`/api/customers/lookup?identifier=${customer.customerNumber}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ customerNumber: customer.customerNumber, name: '提携 花子' });
    const device = await server.services.access.createApiKey({ kind: 'device', label: 'washer' });
    p.bearer = device!.key;
    expect((await p.get(`/api/customers/lookup?identifier=${customer.customerNumber}`)).status).toBe(401);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, startTestServer, type TestServer } from '../../../test/helpers/server.js';
import { addTestAppliances, basicAuth, CONSISTENT, type TestAppliance } from './appliances-test-kit.js';

let server: TestServer;
let admin: ApiClient;

beforeAll(async () => {
  server = await startTestServer();
  await server.createStaff({ username: 'admin', password: 'admin-password', role: 'admin' });
  admin = new ApiClient(server.urls.console);
  await admin.login('admin', 'admin-password');
});
afterAll(() => server.close());

const iso = (msAgo = 0) => new Date(Date.now() - msAgo).toISOString();

async function send(a: TestAppliance, body: unknown, auth = basicAuth(a)) {
  const res = await fetch(`${server.urls.ingest}/api/appliances/${a.manufacturingNumber}/records`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: auth },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any, headers: res.headers };
}

const firstUse = (seq: number, number = '123456', extra: Record<string, string> = {}) => ({
  type: 'first-use',
  seq,
  at: iso(),
  card: { number, name: '家電 太郎', address: '大阪府大阪市北区梅田1-1', account: '22222', ...extra },
});
const usage = (seq: number, fn = 'A-01-W-05', durationSec = 600, more: Record<string, unknown> = {}) => ({ type: 'usage', seq, at: iso(), function: fn, durationSec, ...more });

describe('records over HTTP', () => {
  afterAll(async () => {
    // Whatever the tests above sent, the rollups equal a recomputation from the raw records.
    expect(await server.services.appliances.recalculation.differences(null)).toEqual(CONSISTENT);
  });

  it('refuses wrong credentials before looking at the body', async () => {
    const [a] = await addTestAppliances(server.services, 1);
    const wrong = await send(a!, { nonsense: true }, `Basic ${Buffer.from(`${a!.manufacturingNumber}:not-the-secret-at-all`).toString('base64')}`);
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Basic/);
    const other = (await addTestAppliances(server.services, 1))[0]!;
    expect((await send(a!, usage(1), basicAuth(other))).status).toBe(401);
  });

  it('keeps an appliance locked until its first-use record, then registers a new customer from the card', async () => {
    const [a] = await addTestAppliances(server.services, 1);
    const locked = await send(a!, usage(1));
    expect(locked.body.results[0]).toMatchObject({ status: 'rejected', error: { code: 'locked' } });
    expect(locked.body.state).toEqual({ state: 'locked' });
    // A basic function works while locked (A-2).
    expect((await send(a!, usage(2, 'A-00', 5))).body.results[0].status).toBe('stored');

    const registered = await send(a!, firstUse(3, 'CARD-A1'));
    expect(registered.status).toBe(200);
    expect(registered.body.results[0].status).toBe('stored');
    expect(registered.body.state).toMatchObject({ state: 'registered', seq: 3 });
    const customer = await server.services.customers.service.get(Number(registered.body.state.customerNumber));
    expect(customer.personal).toMatchObject({ name: '家電 太郎', prefecture: '大阪府', addressLine1: '大阪市北区梅田1-1' });
    expect(customer.identifiers.map((i) => [i.kind, i.value])).toEqual(
      expect.arrayContaining([
        ['member_card', 'CARD-A1'],
        ['appliance_mfg_no', a!.manufacturingNumber],
      ]),
    );
    const after = await send(a!, [usage(4), usage(5, 'A-11', 120)]);
    expect(after.body.results.map((r: { status: string }) => r.status)).toEqual(['stored', 'stored']);
  });

  it('links a card it knows to the same customer (duplicate check on the card number)', async () => {
    const [a, b] = await addTestAppliances(server.services, 2);
    const first = await send(a!, firstUse(1, 'CARD-SHARED'));
    const second = await send(b!, firstUse(1, 'card-shared', { sharedFrom: a!.manufacturingNumber }));
    expect(second.body.state.customerNumber).toBe(first.body.state.customerNumber);
    const detail = await admin.get(`/api/appliances/${b!.manufacturingNumber}`);
    expect(detail.body.registrations[0]).toMatchObject({ source: 'home_network', cardNumber: 'CARD-SHARED', area: '大阪府' });
  });

  it('stores a repeated seq once and says so', async () => {
    const [a] = await addTestAppliances(server.services, 1);
    await send(a!, firstUse(1, 'CARD-DUP'));
    const r = await send(a!, [usage(2), usage(2), usage(3)]);
    expect(r.body.results.map((x: { status: string }) => x.status)).toEqual(['stored', 'duplicate', 'stored']);
    expect((await send(a!, usage(3))).body.results[0].status).toBe('duplicate');
    const appliances = (await admin.get(`/api/customers/${r.body.state.customerNumber}/appliances`)).body.appliances;
    expect(appliances[0].functions.find((f: { functionCode: string }) => f.functionCode === 'A-01')).toMatchObject({ totalUses: 2, totalSec: 1200 });
  });

  it('rejects what does not fit the model or the record format, storing nothing of it', async () => {
    const [a] = await addTestAppliances(server.services, 1);
    await send(a!, firstUse(1, 'CARD-BAD'));
    const r = await send(a!, [usage(2, 'B-01'), usage(3, 'A-01-Z-05'), { type: 'usage', seq: 4, at: 'yesterday', function: 'A-01' }, usage(5, 'A-01', -1), { type: 'weird', seq: 6, at: iso() }]);
    expect(r.body.results.map((x: { error: { code: string; field?: string } }) => [x.error.code, x.error.field])).toEqual([
      ['unknown_function', 'function'],
      ['unknown_function', 'function'],
      ['invalid_record', 'at'],
      ['invalid_record', 'durationSec'],
      ['invalid_record', 'type'],
    ]);
    const records = (await admin.get(`/api/appliances/${a!.manufacturingNumber}`)).body.latestRecords;
    expect(records.map((x: { seq: number }) => x.seq)).toEqual([1]);
    // A usage record with a card other than the registered one needs a first-use record first.
    const otherCard = await send(a!, usage(7, 'A-01', 60, { card: { number: 'SOMEONE-ELSE' } }));
    expect(otherCard.body.results[0].error.code).toBe('card_not_registered');
  });

  it('registers a new customer when a different card is used (A-4) and moves the manufacturing number to them', async () => {
    const [a] = await addTestAppliances(server.services, 1);
    const first = await send(a!, firstUse(1, 'CARD-OLD'));
    await send(a!, usage(2));
    const stale = await send(a!, firstUse(2, 'CARD-NEW'));
    expect(stale.body.results[0]).toMatchObject({ status: 'duplicate' });
    const tooOld = await send(a!, { ...firstUse(1, 'CARD-NEW'), seq: 1 });
    expect(tooOld.body.results[0].status).toBe('duplicate');
    const changed = await send(a!, firstUse(3, 'CARD-NEW', { name: '新しい 花子', address: 'Kita-ku, Osaka' }));
    expect(changed.body.state.customerNumber).not.toBe(first.body.state.customerNumber);
    await send(a!, usage(4, 'A-02', 1800));
    await send(a!, usage(6, 'A-02', 60));
    const late = await send(a!, firstUse(5, 'CARD-THIRD'));
    expect(late.body.results[0]).toMatchObject({ status: 'rejected', error: { code: 'stale_first_use' } });
    const newOwner = await server.services.customers.service.get(Number(changed.body.state.customerNumber));
    expect(newOwner.personal.prefecture).toBe('大阪府');
    // The identifier moves in a job after commit.
    await expect.poll(async () => server.services.customers.service.resolveIdentifier('appliance_mfg_no', a!.manufacturingNumber), { timeout: 10_000 }).toBe(
      Number(changed.body.state.customerNumber),
    );
    const oldView = (await admin.get(`/api/customers/${first.body.state.customerNumber}/appliances`)).body.appliances[0];
    expect(oldView).toMatchObject({ current: false });
    expect(oldView.functions.map((f: { functionCode: string }) => f.functionCode)).toEqual(['A-01']);
    const newView = (await admin.get(`/api/customers/${changed.body.state.customerNumber}/appliances`)).body.appliances[0];
    expect(newView.functions.map((f: { functionCode: string }) => f.functionCode)).toEqual(['A-02']);
    expect(newView.functions[0]).toMatchObject({ totalUses: 2, totalSec: 1860 });
  });

  it('answers the state on GET for devices that poll', async () => {
    const [a] = await addTestAppliances(server.services, 1);
    const res = await fetch(`${server.urls.ingest}/api/appliances/${a!.manufacturingNumber}/state`, { headers: { authorization: basicAuth(a!) } });
    expect(await res.json()).toEqual({ state: 'locked' });
  });

  it('imports the production list from CSV in the console and refuses unknown models and short secrets', async () => {
    const csv = 'manufacturing_number,model,secret\nCSV-0001,NW-700,aaaaaaaaaaaaaaaaaaaa\ncsv-0002,NOPE,aaaaaaaaaaaaaaaaaaaa\nCSV-0003,NW-700,short\n';
    const res = await fetch(`${server.urls.console}/api/appliances/import`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', cookie: `clientele_console=${admin.cookie('clientele_console')}`, 'x-csrf-token': admin.csrfToken! },
      body: csv,
    });
    const body = (await res.json()) as any;
    expect(body.inserted).toBe(1);
    expect(body.rejected.map((r: { line: number; problems: { field: string }[] }) => [r.line, r.problems[0]!.field])).toEqual([
      [3, 'model'],
      [4, 'secret'],
    ]);
    expect((await admin.get('/api/appliances?q=csv-')).body.items.map((i: { manufacturingNumber: string }) => i.manufacturingNumber)).toEqual(['CSV-0001']);
  });
});

describe('segments for messaging', () => {
  it('finds the customers who used a function, through the appliance_used criterion', async () => {
    const count = async (params: Record<string, unknown>) => {
      const res = await admin.post('/api/segments/count', { definition: { match: 'all', criteria: [{ criterion: 'appliance_used', params }] } });
      expect(res.status).toBe(200);
      return res.body.count as number;
    };
    const queries = [{ functionCode: 'A-02', withinDays: 7 }, { functionCode: 'A-02', minUses: 2 }, { functionCode: 'A-02', minUses: 3 }, { functionCode: 'A-01' }, { productType: 'microwave' }];
    const before = await Promise.all(queries.map(count));
    const [a, b] = await addTestAppliances(server.services, 2);
    expect((await send(a!, [firstUse(1, 'SEG-CARD-A'), usage(2, 'A-02', 900), usage(3, 'A-02', 60)])).status).toBe(200);
    expect((await send(b!, [firstUse(1, 'SEG-CARD-B'), usage(2, 'A-01', 900)])).status).toBe(200);
    const after = await Promise.all(queries.map(count));
    // a's customer used A-02 twice, b's customer A-01 once; no microwave anywhere.
    expect(after.map((n, i) => n - before[i]!)).toEqual([1, 1, 0, 1, 0]);
    const bad = await admin.post('/api/segments/count', { definition: { match: 'all', criteria: [{ criterion: 'appliance_used', params: { functionCode: 'drying' } }] } });
    expect(bad.status).toBe(400);
  });
});

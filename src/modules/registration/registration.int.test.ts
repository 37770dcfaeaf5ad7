import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, startTestServer, type TestServer } from '../../../test/helpers/server.js';

let server: TestServer;
let admin: ApiClient;
let serialCounter = 0;

beforeAll(async () => {
  server = await startTestServer({ CLIENTELE_LOGIN_MAX_FAILURES_PER_ACCOUNT: '3', CLIENTELE_LOGIN_MAX_FAILURES_PER_IP: '1000' });
  await server.createStaff({ username: 'admin', password: 'admin-password', role: 'admin' });
  admin = new ApiClient(server.urls.console);
  await admin.login('admin', 'admin-password');
});
afterAll(() => server.close());

const portal = () => new ApiClient(server.urls.portal);
const serial = (prefix = 'PC') => `${prefix}${Date.now().toString(36).toUpperCase()}${++serialCounter}`;
const person = (over: Record<string, string> = {}) => ({
  name: '登録 太郎',
  nameReading: 'トウロク タロウ',
  postalCode: '100-0001',
  prefecture: '東京都',
  city: '千代田区',
  addressLine1: '1-1-1',
  phone: '03-1234-5678',
  email: `taro${++serialCounter}@example.jp`,
  ...over,
});
const pc = (s = serial()) => ({ serial: s, maker: 'Lenovo', model: 'ThinkPad X1', category: 'pc' as const });

async function registerNew(products: object[], over: Record<string, string> = {}, password = 'secret-pass') {
  return portal().post('/api/registrations', { customer: person(over), password, emailConsent: true, products });
}

describe('registering products', () => {
  it('serves the form the agent asks by', async () => {
    const form = (await portal().get('/api/registration/form')).body;
    expect(form.fields.find((f: { name: string }) => f.name === 'name')).toMatchObject({ required: true, label: { ja: '氏名' } });
    expect(form.categories).toContain('terminal_adapter');
  });

  it('registers a PC and its peripherals and returns the user registration number', async () => {
    const pcSerial = serial();
    const printer = { serial: serial('PR'), maker: 'Canon', model: 'PIXMA', category: 'printer', parentSerial: pcSerial };
    const res = await registerNew([pc(pcSerial), printer]);
    expect(res.status).toBe(201);
    expect(res.body.registrationNoFormatted).toMatch(/^\d{4}-\d{4}-\d{2}$/);
    expect(res.body.products.map((p: { category: string }) => p.category)).toEqual(['pc', 'printer']);
    expect(res.body.products[1].parentSerial).toBe(pcSerial);
    const customer = await server.services.customers.service.get(Number(res.body.customerNumber));
    expect(customer.identifiers.filter((i) => i.kind === 'product_serial').map((i) => i.value).sort()).toEqual([pcSerial, printer.serial].sort());
    expect(customer.consent.email?.granted).toBe(true);
    expect(customer.hasPortalPassword).toBe(true);

    const page = await admin.get(`/api/registrations/${res.body.products[0].id}`);
    expect(page.body.peripherals.map((p: { serial: string }) => p.serial)).toEqual([printer.serial]);
  });

  it('refuses a serial that is already registered and leaves nothing behind', async () => {
    const s = serial();
    expect((await registerNew([pc(s)])).status).toBe(201);
    const before = await server.services.customers.importer.count();
    const again = await registerNew([pc(serial()), pc(s.toLowerCase())]);
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'serial_already_registered', details: { serials: [s] } });
    expect(await server.services.customers.importer.count()).toBe(before);
    const collated = await portal().post('/api/registration/collate', { products: [{ serial: s }, { serial: 'bad serial!' }] });
    expect(collated.body.results.map((r: { status: string }) => r.status)).toEqual(['already_registered', 'invalid']);
  });

  it('refuses a serial another customer holds as an identifier, leaving nothing behind', async () => {
    const holder = await registerNew([pc()]);
    const held = serial('HELD');
    const attached = await admin.post(`/api/customers/${holder.body.customerNumber}/identifiers`, { kind: 'product_serial', value: held });
    expect(attached.status).toBe(201);
    const before = await server.services.customers.importer.count();
    const fresh = serial();
    const refused = await registerNew([pc(fresh), { serial: held, maker: 'Canon', model: 'G3310', category: 'printer', parentSerial: fresh }]);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'serial_already_registered', details: { serials: [held] } });
    expect(await server.services.customers.importer.count()).toBe(before);
    expect((await portal().post('/api/registration/collate', { products: [{ serial: fresh }] })).body.results[0].status).toBe('available');
  });

  it('lets exactly one of many agents racing on one serial win', async () => {
    const s = serial();
    const results = await Promise.all(Array.from({ length: 8 }, () => registerNew([pc(s)])));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409).every((r) => r.body.error.code === 'serial_already_registered')).toBe(true);
  });

  it('names the missing or bad field', async () => {
    const res = await registerNew([pc()], { email: '' });
    expect(res.status).toBe(400);
    expect(res.body.error.details.fields.map((f: { field: string }) => f.field)).toContain('customer.email');
    const badSerial = await registerNew([{ ...pc(), serial: 'has spaces !' }]);
    expect(badSerial.body.error.details.fields.map((f: { field: string }) => f.field)).toContain('products.0.serial');
    const shortPassword = await registerNew([pc()], {}, 'short');
    expect(shortPassword.body.error.details.fields.map((f: { field: string }) => f.field)).toContain('password');
  });

  it('adds a second product to an existing customer, who keeps their registration number', async () => {
    const first = await registerNew([pc()]);
    const second = await portal().post('/api/registrations', {
      existing: { registrationNo: first.body.registrationNoFormatted, password: 'secret-pass' },
      products: [{ serial: serial('SC'), maker: 'Epson', model: 'GT-X', category: 'scanner' }],
    });
    expect(second.status).toBe(201);
    expect(second.body.registrationNo).toBe(first.body.registrationNo);
    const wrong = await portal().post('/api/registrations', {
      existing: { registrationNo: first.body.registrationNo, password: 'not-it-at-all' },
      products: [pc()],
    });
    expect(wrong.status).toBe(401);
  });

  it('does not register twice when the agent retries with the same Idempotency-Key', async () => {
    const body = { customer: person(), password: 'secret-pass', products: [pc()] };
    const a = await portal().request('POST', '/api/registrations', body, { 'idempotency-key': 'agent-attempt-1' });
    const b = await portal().request('POST', '/api/registrations', body, { 'idempotency-key': 'agent-attempt-1' });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.body.registrationNo).toBe(a.body.registrationNo);
  });
});

describe('the shipped list', () => {
  it('once imported, refuses serials that were never shipped', async () => {
    const shippedSerial = serial('SHIP');
    const csv = `maker,model,serial,category,ship_date\nLenovo,ThinkPad X1,${shippedSerial},pc,2026-10-01\nLenovo,,BAD1,pc,\n`;
    const res = await admin.request('POST', '/api/shipped-products/import', undefined, { 'content-type': 'text/csv' });
    expect(res.status).toBe(400);
    const imported = await fetch(`${server.urls.console}/api/shipped-products/import`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', cookie: `clientele_console=${admin.cookie('clientele_console')}`, 'x-csrf-token': admin.csrfToken! },
      body: csv,
    });
    const result = await imported.json();
    expect(result).toMatchObject({ inserted: 1, rejected: [{ line: 3 }] });

    const madeUp = await registerNew([pc('MADEUP123')]);
    expect(madeUp.status).toBe(422);
    expect(madeUp.body.error).toMatchObject({ code: 'serial_unknown', details: { serials: ['MADEUP123'] } });
    expect((await registerNew([pc(shippedSerial)])).status).toBe(201);
    const summary = await admin.get('/api/registrations/summary');
    expect(summary.body.shipped.count).toBe(1);
    await server.db.handle.db.deleteFrom('shipped_products').execute();
  });

  it('streams progress lines, then the result, when asked for application/x-ndjson', async () => {
    const rows = Array.from({ length: 12_001 }, (_, i) => `Lenovo,ThinkPad X1,STREAM${String(i).padStart(6, '0')},pc,2026-10-01`);
    rows[7] = 'Lenovo,ThinkPad X1,,pc,2026-10-01';
    const res = await fetch(`${server.urls.console}/api/shipped-products/import`, {
      method: 'POST',
      headers: {
        'content-type': 'text/csv',
        accept: 'application/x-ndjson',
        cookie: `clientele_console=${admin.cookie('clientele_console')}`,
        'x-csrf-token': admin.csrfToken!,
      },
      body: `maker,model,serial,category,ship_date\n${rows.join('\n')}\n`,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.slice(0, -1)).toEqual([0, 5000, 10000, 12001].map((done) => ({ progress: { done, total: 12001 } })));
    expect(lines.at(-1)).toEqual({ result: { inserted: 12000, updated: 0, rejected: [{ line: 9, problems: [expect.objectContaining({ field: 'serial' })] }] } });
    // Refusals that need no work still come as a plain 4xx, before any line.
    const bad = await fetch(`${server.urls.console}/api/shipped-products/import`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', accept: 'application/x-ndjson', cookie: `clientele_console=${admin.cookie('clientele_console')}`, 'x-csrf-token': admin.csrfToken! },
      body: 'maker,colour\nLenovo,red\n',
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.code).toBe('invalid_input');
    await server.db.handle.db.deleteFrom('shipped_products').execute();
  });
});

describe('the dialogue led by the server (R-7)', () => {
  type Step = { step: string; question?: { key: string; problem?: string; options?: { value: string; selectable: boolean }[] }; request?: object; error?: { code: string } };
  const step = async (products: object[], answers: object) => (await portal().post('/api/registration/dialogue', { products, answers })).body as Step;

  it('asks question by question, asks again when an answer is wrong, and ends with the request to send', async () => {
    const taken = serial();
    await registerNew([pc(taken)]);
    const mine = serial();
    const printer = { serial: serial('PR'), maker: 'Canon', model: 'G3310', category: 'printer', parentSerial: mine };
    const products = [pc(mine), pc(taken), printer];

    const first = await step(products, {});
    expect(first.question?.key).toBe('products');
    expect(first.question?.options?.map((o) => o.selectable)).toEqual([true, false, true]);
    const wrongChoice = await step(products, { products: [mine, taken] });
    expect(wrongChoice.question).toMatchObject({ key: 'products', problem: expect.stringContaining(taken) });

    // Answer every question the server asks; the e-mail is wrong once.
    const answers: { products: string[]; customer: Record<string, string>; emailConsent?: boolean; password?: string } = {
      products: [mine, printer.serial],
      customer: {},
    };
    const wanted = { ...person(), email: 'not-an-address' } as Record<string, string>;
    const asked: string[] = [];
    let current = await step(products, answers);
    for (let i = 0; current.step === 'ask' && i < 30; i++) {
      const { key, problem } = current.question!;
      asked.push(problem ? `${key}!` : key);
      if (key === 'customer.email' && problem) wanted.email = `dialogue${serialCounter}@example.jp`;
      if (key.startsWith('customer.')) answers.customer[key.slice(9)] = wanted[key.slice(9)] ?? '';
      else if (key === 'emailConsent') answers.emailConsent = true;
      else if (key === 'password') answers.password = asked.includes('password') && !problem ? 'short' : 'dialogue-pass';
      current = await step(products, answers);
    }
    expect(asked).toEqual([
      'customer.name', 'customer.nameReading', 'customer.postalCode', 'customer.prefecture', 'customer.city', 'customer.addressLine1',
      'customer.addressLine2', 'customer.phone', 'customer.email', 'customer.email!', 'customer.birthDate', 'customer.occupation',
      'emailConsent', 'password', 'password!',
    ]);
    expect(current.step).toBe('ready');
    expect(current.request).toMatchObject({ password: 'dialogue-pass', emailConsent: true, products: [{ serial: mine }, { serial: printer.serial, parentSerial: mine }] });

    const registered = await portal().post('/api/registrations', current.request);
    expect(registered.status).toBe(201);
    expect(registered.body.products.map((p: { serial: string }) => p.serial)).toEqual([mine, printer.serial]);
    // Once registered, the same machine has nothing left to offer.
    expect(await step(products, {})).toMatchObject({ step: 'refused', error: { code: 'nothing_to_register' } });
  });

  it('asks a too-short password again and refuses malformed products with a 400', async () => {
    const products = [pc()];
    // Optional fields left empty count as answered.
    const customer = { ...person(), addressLine2: '', birthDate: '', occupation: '' };
    const answers = { products: [products[0]!.serial], customer, emailConsent: false, password: 'short' };
    expect((await step(products, answers)).question).toMatchObject({ key: 'password', problem: expect.stringContaining('at least') });
    const bad = await portal().post('/api/registration/dialogue', { products: [{ ...pc(), category: 'toaster' }], answers: {} });
    expect(bad.status).toBe(400);
  });
});

describe('updating the owner’s details (R-3)', () => {
  it('needs the serial and the password; saves and audits only the changed fields', async () => {
    const s = serial();
    const reg = await registerNew([pc(s)], { phone: '03-0000-0001' });
    const wrong = await portal().post('/api/auth/serial-login', { serial: s, password: 'wrong-password' });
    expect(wrong.status).toBe(401);

    const agent = portal();
    const login = await agent.post('/api/auth/serial-login', { serial: s.toLowerCase(), password: 'secret-pass' });
    expect(login.status).toBe(200);
    expect(login.body.customer.personal.phone).toBe('03-0000-0001');
    agent.csrfToken = login.body.csrfToken;
    const current = login.body.customer.personal;
    const changed = await agent.patch('/api/me', { ...current, phone: '03-9999-0002' });
    expect(changed.status).toBe(200);
    const audit = (await admin.get(`/api/customers/${reg.body.customerNumber}/audit`)).body.items[0];
    expect(audit).toMatchObject({ action: 'customer.update', surface: 'portal', before: { phone: '03-0000-0001' }, after: { phone: '03-9999-0002' } });
    expect(Object.keys(audit.after)).toEqual(['phone']);
    expect((await agent.get('/api/me/products')).body.items.map((p: { serial: string }) => p.serial)).toEqual([s]);
  });

  it('rate-limits password guesses per serial', async () => {
    const s = serial();
    await registerNew([pc(s)]);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await portal().post('/api/auth/serial-login', { serial: s, password: `guess-${i}-x` })).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    expect((await portal().post('/api/auth/serial-login', { serial: s, password: 'secret-pass' })).status).toBe(429);
  });

  it('counts guesses per customer, whichever login names them', async () => {
    const s = serial();
    const reg = await registerNew([pc(s)]);
    const statuses = [];
    for (let i = 0; i < 2; i++) statuses.push((await portal().post('/api/auth/serial-login', { serial: s, password: `guess-${i}-x` })).status);
    statuses.push((await portal().post('/api/auth/login', { login: reg.body.registrationNoFormatted, password: 'guess-2-x' })).status);
    statuses.push((await portal().post('/api/auth/login', { login: reg.body.registrationNo, password: 'guess-3-x' })).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
  });
});

describe('the console', () => {
  it('lists registrations by category, model and date, and a customer’s products', async () => {
    const reg = await registerNew([pc(), { serial: serial('TA'), maker: 'NTT', model: 'TA-1', category: 'terminal_adapter' }]);
    const byCategory = await admin.get('/api/registrations?category=terminal_adapter');
    expect(byCategory.body.items.every((p: { category: string }) => p.category === 'terminal_adapter')).toBe(true);
    expect(byCategory.body.items.length).toBeGreaterThan(0);
    const today = new Date().toISOString().slice(0, 10);
    const byDate = await admin.get(`/api/registrations?from=${today}&to=${today}&model=${encodeURIComponent('ThinkPad X1')}`);
    expect(byDate.body.items.length).toBeGreaterThan(0);
    expect((await admin.get('/api/registrations?from=1999-01-01&to=1999-01-02')).body.items).toEqual([]);
    const products = await admin.get(`/api/customers/${reg.body.customerNumber}/products`);
    expect(products.body.items).toHaveLength(2);
    expect((await admin.get('/api/registrations?category=toaster')).status).toBe(400);
  });

  it('moves products with a merge and frees their serials on erasure', async () => {
    const s = serial();
    const a = await registerNew([pc()]);
    const b = await registerNew([pc(s)]);
    await admin.post(`/api/customers/${a.body.customerNumber}/merge`, { otherCustomerNumber: b.body.customerNumber });
    expect((await admin.get(`/api/customers/${a.body.customerNumber}/products`)).body.items).toHaveLength(2);
    const customer = (await admin.get(`/api/customers/${a.body.customerNumber}`)).body;
    await admin.post(`/api/customers/${a.body.customerNumber}/erase`, { confirmRegistrationNo: customer.registrationNo });
    expect((await registerNew([pc(s)])).status).toBe(201);
  });
});

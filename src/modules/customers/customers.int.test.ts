import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { ApiClient, startTestServer, type TestServer } from '../../../test/helpers/server.js';
import { CLI_ACTOR } from '../../platform/auth/principal.js';

let server: TestServer;
let admin: ApiClient;

beforeAll(async () => {
  server = await startTestServer();
  await server.createStaff({ username: 'admin', password: 'admin-password', role: 'admin' });
  admin = new ApiClient(server.urls.console);
  await admin.login('admin', 'admin-password');
});
afterAll(() => server.close());

async function newCustomer(body: Record<string, unknown>) {
  const res = await admin.post('/api/customers', body);
  expect(res.status).toBe(201);
  return res.body;
}

async function rowCounts() {
  const db = server.db.handle.db;
  const count = async (table: string) =>
    Number((await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(db)).rows[0]!.n);
  return {
    customers: await count('customers'),
    identifiers: await count('customer_identifiers'),
    consent: await count('consent_events'),
    audit: await count('audit_log'),
    changed: Number(
      (await sql<{ n: number }>`select count(*)::int as n from customers where updated_at > created_at`.execute(db)).rows[0]!.n,
    ),
  };
}

describe('creating and changing customers', () => {
  it('issues a registration number and keeps Japanese text as entered', async () => {
    const c = await newCustomer({ name: '山田　太郎', nameReading: 'ヤマダ タロウ', postalCode: '１５０−０００１', email: 'Taro@Example.JP' });
    expect(c.registrationNo).toMatch(/^\d{10}$/);
    expect(c.registrationNoFormatted).toMatch(/^\d{4}-\d{4}-\d{2}$/);
    expect(c.personal.name).toBe('山田　太郎');
    expect(c.personal.postalCode).toBe('150-0001');
    expect(c.personal.email).toBe('Taro@example.jp');
    expect(c.identifiers).toEqual([expect.objectContaining({ kind: 'registration_no', value: c.registrationNo })]);
    const audit = await admin.get(`/api/customers/${c.customerNumber}/audit`);
    expect(audit.body.items[0]).toMatchObject({ action: 'customer.create', surface: 'console', actor: { type: 'staff' } });
  });

  it('accepts a customer with no personal info at all (anonymous member)', async () => {
    const c = await newCustomer({});
    expect(Object.values(c.personal).every((v) => v === null)).toBe(true);
  });

  it('saves and audits only the fields that changed; a repeated change writes nothing', async () => {
    const c = await newCustomer({ name: '変更 前', occupation: '会社員', phone: '03-1111-2222' });
    const res = await admin.patch(`/api/customers/${c.customerNumber}`, { name: '変更 前', occupation: '教員', phone: null });
    expect(res.status).toBe(200);
    expect(res.body.personal).toMatchObject({ occupation: '教員', phone: null, name: '変更 前' });
    const audit = (await admin.get(`/api/customers/${c.customerNumber}/audit`)).body.items;
    expect(audit[0]).toMatchObject({
      action: 'customer.update',
      before: { occupation: '会社員', phone: '03-1111-2222' },
      after: { occupation: '教員', phone: null },
    });
    const before = await rowCounts();
    await admin.patch(`/api/customers/${c.customerNumber}`, { occupation: '教員' });
    expect((await rowCounts()).audit).toBe(before.audit);
  });

  it('finds a customer by registration number typed with hyphens in the URL', async () => {
    const c = await newCustomer({ name: '番号 検索' });
    const res = await admin.get(`/api/customers/${c.registrationNoFormatted}`);
    expect(res.status).toBe(200);
    expect(res.body.customerNumber).toBe(c.customerNumber);
  });
});

describe('bad input', () => {
  it('gets a 4xx naming the field and changes nothing, on every route', async () => {
    const c = await newCustomer({ name: '不正 入力' });
    const other = await newCustomer({ name: '別 人' });
    const n = c.customerNumber;
    const cases: [string, string, unknown, number, string?][] = [
      ['POST', '/api/customers', { email: 'not-an-email' }, 400, 'email'],
      ['POST', '/api/customers', { birthDate: '2999-01-01' }, 400, 'birthDate'],
      ['POST', '/api/customers', { birthDate: '1990-02-30' }, 400, 'birthDate'],
      ['POST', '/api/customers', { phone: '12' }, 400, 'phone'],
      ['POST', '/api/customers', { postalCode: '!!!' }, 400, 'postalCode'],
      ['POST', '/api/customers', { name: 'x'.repeat(101) }, 400, 'name'],
      ['POST', '/api/customers', { name: 'tab\there' }, 400, 'name'],
      ['POST', '/api/customers', { name: 42 }, 400, 'name'],
      ['POST', '/api/customers', { unknownField: 'x' }, 400, 'unknownField'],
      ['PATCH', `/api/customers/${n}`, { email: 'bad@' }, 400, 'email'],
      ['PATCH', `/api/customers/${n}`, { name: '良い', phone: 'abc' }, 400, 'phone'],
      ['PATCH', '/api/customers/999999999', { name: 'x' }, 404],
      ['PATCH', '/api/customers/abc', { name: 'x' }, 400, 'customerNumber'],
      ['POST', `/api/customers/${n}/identifiers`, { kind: 'shoe_size', value: '27' }, 400, 'kind'],
      ['POST', `/api/customers/${n}/identifiers`, { kind: 'member_card', value: '' }, 400, 'value'],
      ['POST', `/api/customers/${n}/identifiers`, { kind: 'email', value: 'nope' }, 400, 'value'],
      ['POST', `/api/customers/${n}/identifiers`, { kind: 'registration_no', value: '1234567890' }, 400, 'kind'],
      ['DELETE', `/api/customers/${n}/identifiers/999999`, undefined, 404],
      ['POST', `/api/customers/${n}/consent`, { channel: 'fax', granted: true, source: 'x' }, 400, 'channel'],
      ['POST', `/api/customers/${n}/consent`, { channel: 'email', granted: 'yes', source: 'x' }, 400, 'granted'],
      ['POST', `/api/customers/${n}/consent`, { channel: 'email', granted: true }, 400, 'source'],
      ['POST', `/api/customers/${n}/merge`, { otherCustomerNumber: n }, 400, 'otherCustomerNumber'],
      ['POST', `/api/customers/${n}/merge`, { otherCustomerNumber: '999999999' }, 404],
      ['POST', `/api/customers/${n}/merge`, {}, 400, 'otherCustomerNumber'],
      ['POST', '/api/merges/999999/undo', {}, 404],
      ['POST', `/api/customers/${n}/erase`, { confirmRegistrationNo: other.registrationNo }, 400, 'confirmRegistrationNo'],
      ['POST', `/api/customers/${n}/erase`, {}, 400, 'confirmRegistrationNo'],
      ['POST', `/api/customers/${n}/portal-password`, { password: 'short' }, 400, 'password'],
      ['GET', '/api/customers?limit=0', undefined, 400, 'limit'],
      ['GET', '/api/customers/lookup', undefined, 400, 'identifier'],
      ['POST', '/api/staff', { username: 'x', password: 'long-enough', role: 'admin' }, 400, 'username'],
      ['POST', '/api/staff', { username: 'store-no-store', password: 'long-enough', role: 'store' }, 400, 'storeId'],
      ['POST', '/api/staff', { username: 'ok-name', password: 'short', role: 'sales' }, 400, 'password'],
      ['POST', '/api/staff', { username: 'ok-name', password: 'long-enough', role: 'king' }, 400, 'role'],
      ['POST', '/api/keys', { kind: 'store_terminal', label: 'x' }, 400, 'storeId'],
      ['POST', '/api/keys', { kind: 'store_terminal', label: 'x', storeId: 999999 }, 400, 'storeId'],
      ['POST', '/api/keys', { kind: 'teleporter', label: 'x' }, 400, 'kind'],
      ['POST', '/api/stores', { code: 'has space', name: 'x' }, 400, 'code'],
      ['POST', '/api/partners', { code: 'p1', name: 'x', grantedFields: ['password'] }, 400, 'grantedFields'],
    ];
    for (const [method, path, body, status, field] of cases) {
      const before = await rowCounts();
      const res = await admin.request(method, path, body);
      expect({ method, path, status: res.status }).toEqual({ method, path, status });
      expect(res.body.error.code, `${method} ${path}`).toMatch(/^[a-z_]+$/);
      expect(typeof res.body.error.message).toBe('string');
      if (field) {
        const fields = (res.body.error.details.fields ?? []).map((f: { field: string }) => f.field);
        expect(fields.join(','), `${method} ${path}`).toContain(field);
      }
      expect(await rowCounts(), `${method} ${path}`).toEqual(before);
    }
  });

  it('answers malformed JSON with a 400, not a 500', async () => {
    const res = await admin.request('POST', '/api/customers', undefined, { 'content-type': 'application/json' });
    expect(res.status).toBe(400);
    const raw = await fetch(`${server.urls.console}/api/customers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: `clientele_console=${admin.cookie('clientele_console')}`, 'x-csrf-token': admin.csrfToken! },
      body: '{"name": ',
    });
    expect(raw.status).toBe(400);
    expect((await raw.json()).error.code).toBeTruthy();
  });
});

describe('identifiers', () => {
  it('attach once; the same attach again is a harmless repeat; another customer is refused', async () => {
    const a = await newCustomer({ name: '識別 一' });
    const b = await newCustomer({ name: '識別 二' });
    const first = await admin.post(`/api/customers/${a.customerNumber}/identifiers`, { kind: 'member_card', value: 'mc-0001' });
    expect(first.status).toBe(201);
    expect(first.body.value).toBe('MC-0001');
    expect((await admin.post(`/api/customers/${a.customerNumber}/identifiers`, { kind: 'member_card', value: 'MC-0001' })).status).toBe(200);
    const taken = await admin.post(`/api/customers/${b.customerNumber}/identifiers`, { kind: 'member_card', value: 'mc-0001' });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('identifier_taken');
  });

  it('lets exactly one of many racing customers attach the same serial', async () => {
    const racers = await Promise.all(Array.from({ length: 12 }, (_, i) => newCustomer({ name: `競争 ${i}` })));
    const results = await Promise.all(
      racers.map((r) => admin.post(`/api/customers/${r.customerNumber}/identifiers`, { kind: 'product_serial', value: 'RACE-42' })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(11);
    const rows = await server.db.handle.db.selectFrom('customer_identifiers').selectAll().where('value', '=', 'RACE-42').execute();
    expect(rows).toHaveLength(1);
  });

  it('are released and re-attachable after removal, with audit entries', async () => {
    const a = await newCustomer({ name: '解放 一' });
    const added = await admin.post(`/api/customers/${a.customerNumber}/identifiers`, { kind: 'card_uid', value: '04a1b2c3' });
    expect((await admin.delete(`/api/customers/${a.customerNumber}/identifiers/${added.body.id}`)).status).toBe(204);
    const b = await newCustomer({ name: '解放 二' });
    expect((await admin.post(`/api/customers/${b.customerNumber}/identifiers`, { kind: 'card_uid', value: '04A1B2C3' })).status).toBe(201);
    const actions = (await admin.get(`/api/customers/${a.customerNumber}/audit`)).body.items.map((e: { action: string }) => e.action);
    expect(actions.slice(0, 2)).toEqual(['identifier.remove', 'identifier.add']);
  });
});

describe('consent', () => {
  it('is a ledger with time, source and surface; the current state is the latest entry', async () => {
    const c = await newCustomer({ name: '同意 者', email: 'consent@example.jp' });
    const n = c.customerNumber;
    expect(c.consent).toEqual({ email: null, postalMail: null });
    await admin.post(`/api/customers/${n}/consent`, { channel: 'email', granted: true, source: 'paper form' });
    const repeat = await admin.post(`/api/customers/${n}/consent`, { channel: 'email', granted: true, source: 'paper form' });
    expect(repeat.body.consent.email).toMatchObject({ granted: true, source: 'paper form', surface: 'console' });
    const withdrawn = await admin.post(`/api/customers/${n}/consent`, { channel: 'email', granted: false, source: 'phone call' });
    expect(withdrawn.body.consent.email.granted).toBe(false);
    expect(withdrawn.body.consent.postalMail).toBeNull();
    const ledger = (await admin.get(`/api/customers/${n}/consent-events`)).body.items;
    expect(ledger.map((e: { granted: boolean }) => e.granted)).toEqual([false, true]);
  });
});

describe('search', () => {
  let target: { customerNumber: string; registrationNo: string };
  beforeAll(async () => {
    target = await newCustomer({
      name: '長谷川 美咲',
      nameReading: 'はせがわ みさき',
      phone: '090-8765-4321',
      email: 'misaki.hasegawa@example.jp',
    });
    await newCustomer({ name: '長谷部 健太', nameReading: 'はせべ けんた' });
    await admin.post(`/api/customers/${target.customerNumber}/identifiers`, { kind: 'product_serial', value: 'PC-XYZ-998877' });
  });

  const find = async (q: string) =>
    (await admin.get(`/api/customers?q=${encodeURIComponent(q)}`)).body.items.map((i: { customerNumber: string }) => i.customerNumber);

  it.each([
    ['a kanji fragment', '谷川'],
    ['the full name without the space', '長谷川美咲'],
    ['the given name alone', '美咲'],
    ['the reading in hiragana', 'はせがわ'],
    ['the reading in katakana', 'ハセガワ'],
    ['the reading in half-width katakana', 'ﾊｾｶﾞﾜ ﾐｻｷ'],
    ['a misspelt reading', 'はせがわみささ'],
    ['a phone prefix', '090-8765'],
    ['the phone in full-width digits', '０９０８７６５４３２１'],
    ['the start of the e-mail', 'misaki.hase'],
    ['the e-mail in capitals', 'MISAKI.HASEGAWA@EXAMPLE.JP'],
    ['a product serial', 'pc-xyz-998877'],
    ['the reading typed so far', 'はせがわみ'],
    ['the name typed so far', '長谷川 美'],
    ['the given name before the family name', '美咲 長谷川'],
    ['a reading with a character left out', 'はせがみさき'],
    ['a reading with a character too many', 'はせがわみさきき'],
    ['a reading with two characters swapped', 'はせがわみきさ'],
    ['a name with a wrong kanji', '長谷用美咲'],
    ['a family name with a typo', 'はせかわ'],
    ['a family name with a character left out', 'はせわ'],
  ])('finds a customer by %s', async (_what, q) => {
    expect(await find(q)).toContain(target.customerNumber);
  });

  it('finds by registration number and customer number', async () => {
    expect(await find(target.registrationNo)).toContain(target.customerNumber);
    expect(await find(target.customerNumber)).toContain(target.customerNumber);
  });

  it('finds the start of a long word, and words split by punctuation', async () => {
    const long = await newCustomer({ name: 'Wolfeschlegelsteinhausen Hubert' });
    const dotted = await newCustomer({ name: 'ジョン・スミス', nameReading: 'じょん・すみす' });
    expect(await find('wolfeschlegelstein')).toContain(long.customerNumber);
    expect(await find('hubert wolfe')).toContain(long.customerNumber);
    expect(await find('スミス')).toContain(dotted.customerNumber);
    expect(await find('ジョン・スミス')).toContain(dotted.customerNumber);
  });

  it('keeps the keys in step with name changes and erasure', async () => {
    const person = await newCustomer({ name: '改名 前子', nameReading: 'かいめい まえこ' });
    expect((await admin.patch(`/api/customers/${person.customerNumber}`, { name: '改名 後子', nameReading: 'かいめい あとこ' })).status).toBe(200);
    expect(await find('前子')).not.toContain(person.customerNumber);
    expect(await find('後子')).toContain(person.customerNumber);
    const erased = await admin.post(`/api/customers/${person.customerNumber}/erase`, { confirmRegistrationNo: person.registrationNo });
    expect(erased.status).toBe(200);
    expect(await find('後子')).not.toContain(person.customerNumber);
  });

  it('keeps the dictionary of words, and their typos, to the words customers hold', async () => {
    const db = server.db.handle.db;
    const words = async () =>
      (await sql<{ key: string }>`select key from customer_name_words where key like any(array['%辞書%', '%じしょ%'])`.execute(db)).rows.map((r) => r.key).sort();
    const typos = async () =>
      (await sql<{ typo: string }>`select typo from customer_name_word_typos where key = '=辞書家'`.execute(db)).rows.map((r) => r.typo).sort();
    const ichiro = await newCustomer({ name: '辞書家 一郎', nameReading: 'じしょか いちろう' });
    const jiro = await newCustomer({ name: '辞書家 二郎' });
    expect(await words()).toEqual(['=じしょか', '=辞書家'].sort());
    expect(await typos()).toEqual(['書家', '辞家', '辞書'].sort());
    expect(await find('辞書屋')).toEqual(expect.arrayContaining([ichiro.customerNumber, jiro.customerNumber]));
    expect(await find('辞書')).toEqual(expect.arrayContaining([ichiro.customerNumber, jiro.customerNumber]));
    // 二郎 follows as one character too many (辞書家 + 一).
    expect((await find('辞書家一'))[0]).toBe(ichiro.customerNumber);
    expect(await find('じしょかい')).toEqual([ichiro.customerNumber]);
    expect((await admin.patch(`/api/customers/${ichiro.customerNumber}`, { name: '辞典 一郎', nameReading: null })).status).toBe(200);
    // 辞書家 is still 二郎's; じしょか was 一郎's alone.
    expect(await words()).toEqual(['=辞書家']);
    expect(await find('じしょ')).toEqual([]);
    expect((await admin.post(`/api/customers/${jiro.customerNumber}/erase`, { confirmRegistrationNo: jiro.registrationNo })).status).toBe(200);
    expect(await words()).toEqual([]);
    expect(await typos()).toEqual([]);
  });

  it('computes the keys of customers stored before name keys existed, and only theirs', async () => {
    const person = await newCustomer({ name: '移行 太郎', nameReading: 'いこう たろう' });
    await sql`update customers set name_keys = null where id = ${Number(person.customerNumber)}`.execute(server.db.handle.db);
    expect(await find('移行 太郎')).not.toContain(person.customerNumber);
    const progress: number[] = [];
    const keyed = await server.services.customers.service.backfillNameKeys((done) => progress.push(done), 1);
    expect(keyed).toBe(1);
    expect(progress).toEqual([1]);
    expect(await find('いこう たろう')).toContain(person.customerNumber);
    expect(await server.services.customers.service.backfillNameKeys()).toBe(0);
  });

  it('says which results are one typo away from the query', async () => {
    const items = async (q: string) => (await admin.get(`/api/customers?q=${encodeURIComponent(q)}`)).body.items as { customerNumber: string; matchedOn: string }[];
    expect((await items('はせがわ みさき')).find((i) => i.customerNumber === target.customerNumber)?.matchedOn).toBe('name');
    expect((await items('はせがわみささ')).find((i) => i.customerNumber === target.customerNumber)?.matchedOn).toBe('name_typo');
  });

  it('puts names as long as a typo query before its shorter forms', async () => {
    const givens = ['あい', 'いつき', 'うた', 'えま', 'おと', 'かい', 'きょう', 'くう', 'けい', 'こう', 'さら', 'しほ', 'すず', 'せな', 'そら', 'たく', 'ちか', 'つむぎ', 'てる', 'とも', 'なお'];
    for (const given of givens) await newCustomer({ nameReading: `くどう ${given}` });
    const rin = await newCustomer({ nameReading: 'くどう りん' });
    // くどうん: one too many for くどう (21 people), one too few for くどうりん (and nobody else).
    expect((await find('くどうん'))[0]).toBe(rin.customerNumber);
  });

  it('lists e-mail and phone prefix matches in order', async () => {
    for (const n of [3, 1, 2]) await newCustomer({ email: `prefix.order${n}@example.jp`, phone: `03-5555-000${n}` });
    const emails = async (q: string) => ((await admin.get(`/api/customers?q=${encodeURIComponent(q)}`)).body.items as { email: string }[]).map((i) => i.email);
    expect(await emails('prefix.order')).toEqual(['prefix.order1@example.jp', 'prefix.order2@example.jp', 'prefix.order3@example.jp']);
    const phones = ((await admin.get('/api/customers?q=03-5555')).body.items as { phone: string }[]).map((i) => i.phone);
    expect(phones).toEqual(['03-5555-0001', '03-5555-0002', '03-5555-0003']);
  });

  it('does not return unrelated people for a specific name', async () => {
    const results = await find('長谷川 美咲');
    expect(results[0]).toBe(target.customerNumber);
    expect(await find('存在しない名前')).toEqual([]);
  });
});

describe('bulk import', () => {
  const record = (line: number, values: Record<string, string>) => ({ line, values });

  it('writes name keys with quotes, backslashes and braces intact', async () => {
    const name = 'O"Brien\\{x,y} 輸入';
    const result = await server.services.customers.importer.importBatch(CLI_ACTOR, [record(2, { name, name_reading: 'おぶらいえん ゆにゅう' })]);
    expect(result.inserted).toBe(1);
    const found = await server.services.customers.service.search('o"brien\\{x,y}');
    expect(found.map((c) => c.name)).toContain(name);
    expect((await server.services.customers.service.search('ゆにゅう')).map((c) => c.name)).toContain(name);
    // A word's starts come from the dictionary of words, which the import fills itself.
    expect((await server.services.customers.service.search('ゆに')).map((c) => c.name)).toContain(name);
    expect((await server.services.customers.service.search('おぶらいえんゆ')).map((c) => c.name)).toContain(name);
  });

  it('writes one audit entry per batch that shows in each imported customer’s history with its line', async () => {
    const before = await rowCounts();
    const result = await server.services.customers.importer.importBatch(
      CLI_ACTOR,
      [
        record(2, { name: '一括 一郎', email: 'bulk-1@example.jp', email_consent: 'yes' }),
        record(3, { name: '一括 二郎', email: 'not-an-address' }),
        record(4, { name: '一括 三郎', postal_mail_consent: '1' }),
      ],
      'import:people.csv',
    );
    expect(result.inserted).toBe(2);
    expect(result.rejected.map((r) => [r.line, r.reason])).toEqual([[3, 'invalid']]);
    const after = await rowCounts();
    expect(after.customers - before.customers).toBe(2);
    expect(after.audit - before.audit).toBe(1);
    expect(after.identifiers - before.identifiers).toBe(0);
    expect(after.consent - before.consent).toBe(2);

    const [first] = await server.services.customers.service.search('一括 一郎');
    const [third] = await server.services.customers.service.search('一括 三郎');
    for (const [found, line] of [[first!, 2], [third!, 4]] as const) {
      const history = (await admin.get(`/api/customers/${found.customerNumber}/audit`)).body.items;
      expect(history).toEqual([
        expect.objectContaining({
          action: 'customer.create',
          surface: 'cli',
          actor: expect.objectContaining({ type: 'system', label: 'command line' }),
          details: { source: 'import:people.csv', customers: 2, line },
        }),
      ]);
      const view = (await admin.get(`/api/customers/${found.customerNumber}`)).body;
      expect(view.identifiers).toEqual([expect.objectContaining({ kind: 'registration_no', value: view.registrationNo })]);
    }
    const one = (await admin.get(`/api/customers/${first!.customerNumber}`)).body;
    expect(one.consent.email).toMatchObject({ granted: true, source: 'import:people.csv', surface: 'cli' });
    expect(one.consent.postalMail).toBeNull();
    const three = (await admin.get(`/api/customers/${third!.customerNumber}`)).body;
    expect(three.consent.postalMail).toMatchObject({ granted: true });
    expect(three.consent.email).toBeNull();
  });

  it('skips e-mail addresses a customer already has, in any case', async () => {
    await newCustomer({ name: '既存 者', email: 'Known.Person@example.jp' });
    const result = await server.services.customers.importer.importBatch(CLI_ACTOR, [
      record(2, { name: '重複 者', email: 'known.person@EXAMPLE.jp' }),
    ]);
    expect(result).toEqual({ inserted: 0, rejected: [expect.objectContaining({ line: 2, reason: 'duplicate_email' })] });
  });
});

describe('registration numbers', () => {
  it('lead to their customer, to the survivor after merges, and to nobody after erasure', async () => {
    const customers = server.services.customers.service;
    const a = await newCustomer({ name: '番号 甲' });
    const b = await newCustomer({ name: '番号 乙' });
    const c = await newCustomer({ name: '番号 丙' });
    expect(await customers.resolveIdentifier('registration_no', a.registrationNoFormatted)).toBe(Number(a.customerNumber));
    expect(await customers.resolveIdentifier('registration_no', '0000000000')).toBeNull();

    await admin.post(`/api/customers/${b.customerNumber}/merge`, { otherCustomerNumber: a.customerNumber });
    const merged = await admin.post(`/api/customers/${c.customerNumber}/merge`, { otherCustomerNumber: b.customerNumber });
    expect(merged.status).toBe(200);
    expect(merged.body.customer.identifiers.map((i: { kind: string; value: string }) => [i.kind, i.value])).toEqual([
      ['registration_no', c.registrationNo],
      ['registration_no', b.registrationNo],
      ['registration_no', a.registrationNo],
    ]);
    expect(await customers.resolveIdentifier('registration_no', a.registrationNo)).toBe(Number(c.customerNumber));
    const found = (await admin.get(`/api/customers?q=${a.registrationNo}`)).body.items;
    expect(found[0]).toMatchObject({ customerNumber: c.customerNumber, matchedOn: 'identifier' });
    expect(found.map((i: { customerNumber: string }) => i.customerNumber)).toContain(a.customerNumber);

    const erased = await admin.post(`/api/customers/${c.customerNumber}/erase`, { confirmRegistrationNo: c.registrationNo });
    expect(erased.status).toBe(200);
    expect(erased.body.identifiers).toEqual([]);
    expect(await customers.resolveIdentifier('registration_no', a.registrationNo)).toBeNull();
    expect(await customers.resolveIdentifier('registration_no', c.registrationNo)).toBeNull();
    const audit = (await admin.get(`/api/customers/${c.customerNumber}/audit`)).body.items;
    expect(audit[0]).toMatchObject({ action: 'customer.erase', details: { identifiersReleased: 3, identifierKinds: ['registration_no'] } });
  });
});

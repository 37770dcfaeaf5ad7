import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { ApiClient, startTestServer, type TestServer } from '../../../test/helpers/server.js';

let server: TestServer;
let admin: ApiClient;

/**
 * A stand-in for a later module (loyalty points, say) that keeps a balance per customer in its
 * own table and takes part in merges, erasure and export through the lifecycle hooks.
 */
async function registerBalanceModule() {
  const db = server.db.handle.db;
  await sql`create table test_balances (customer_id bigint primary key, points int not null, note text)`.execute(db);
  server.services.customers.lifecycle.register({
    name: 'test-balances',
    async onMerge(tx, { survivorId, loserId }) {
      const loser = await sql<{ points: number }>`delete from test_balances where customer_id = ${loserId} returning points`.execute(tx);
      const moved = loser.rows[0]?.points ?? 0;
      await sql`insert into test_balances (customer_id, points) values (${survivorId}, ${moved})
                on conflict (customer_id) do update set points = test_balances.points + excluded.points`.execute(tx);
      return { moved };
    },
    async onUnmerge(tx, { survivorId, loserId }, data) {
      const { moved } = data as { moved: number };
      await sql`update test_balances set points = points - ${moved} where customer_id = ${survivorId}`.execute(tx);
      await sql`insert into test_balances (customer_id, points) values (${loserId}, ${moved})`.execute(tx);
    },
    async onErase(tx, customerId) {
      await sql`update test_balances set note = null where customer_id = ${customerId}`.execute(tx);
    },
    async exportData(d, customerId) {
      return (await sql`select points, note from test_balances where customer_id = ${customerId}`.execute(d)).rows[0] ?? null;
    },
  });
}

const points = async (customerNumber: string) =>
  (await sql<{ points: number }>`select points from test_balances where customer_id = ${Number(customerNumber)}`.execute(server.db.handle.db))
    .rows[0]?.points ?? null;

beforeAll(async () => {
  server = await startTestServer();
  await server.createStaff({ username: 'admin', password: 'admin-password', role: 'admin' });
  admin = new ApiClient(server.urls.console);
  await admin.login('admin', 'admin-password');
  await registerBalanceModule();
});
afterAll(() => server.close());

async function newCustomer(body: Record<string, unknown>, balance?: number) {
  const res = await admin.post('/api/customers', body);
  expect(res.status).toBe(201);
  if (balance !== undefined) {
    await sql`insert into test_balances (customer_id, points, note) values (${Number(res.body.customerNumber)}, ${balance}, 'vip')`.execute(
      server.db.handle.db,
    );
  }
  return res.body;
}

describe('merging two records of one person', () => {
  it('moves identifiers, consent and module balances to the survivor, and undo puts everything back', async () => {
    const survivor = await newCustomer({ name: '統合 先', phone: '03-0000-1111' }, 100);
    const loser = await newCustomer({ name: '統合 元', email: 'loser@example.jp', occupation: '医師' }, 40);
    await admin.post(`/api/customers/${loser.customerNumber}/identifiers`, { kind: 'member_card', value: 'CARD-777' });
    await admin.post(`/api/customers/${loser.customerNumber}/consent`, { channel: 'email', granted: true, source: 'web' });

    const merged = await admin.post(`/api/customers/${survivor.customerNumber}/merge`, { otherCustomerNumber: loser.customerNumber });
    expect(merged.status).toBe(200);
    const s = merged.body.customer;
    expect(s.identifiers.map((i: { value: string }) => i.value)).toEqual(
      expect.arrayContaining([survivor.registrationNo, loser.registrationNo, 'CARD-777']),
    );
    expect(s.personal).toMatchObject({ name: '統合 先', phone: '03-0000-1111', email: 'loser@example.jp', occupation: '医師' });
    expect(s.consent.email.granted).toBe(true);
    expect(await points(survivor.customerNumber)).toBe(140);
    expect(await points(loser.customerNumber)).toBeNull();

    // the loser's numbers still lead to the person
    const byOldCard = await admin.get('/api/customers/lookup?identifier=card-777');
    expect(byOldCard.body.customerNumber).toBe(survivor.customerNumber);
    const loserNow = await admin.get(`/api/customers/${loser.customerNumber}`);
    expect(loserNow.body).toMatchObject({ status: 'merged', mergedInto: survivor.customerNumber });
    // a merged record cannot be changed any more
    expect((await admin.patch(`/api/customers/${loser.customerNumber}`, { name: 'x' })).body.error.code).toBe('customer_merged');

    const audit = (await admin.get(`/api/customers/${survivor.customerNumber}/audit`)).body.items;
    expect(audit[0]).toMatchObject({ action: 'customer.merge', details: { loserId: Number(loser.customerNumber) } });
    expect(audit[0].id).toBe(merged.body.mergeId);

    const undone = await admin.post(`/api/merges/${merged.body.mergeId}/undo`);
    expect(undone.status).toBe(200);
    expect(undone.body.customer.identifiers.map((i: { value: string }) => i.value)).toEqual([survivor.registrationNo]);
    expect(undone.body.customer.personal).toMatchObject({ email: null, occupation: null, phone: '03-0000-1111' });
    expect(undone.body.customer.consent.email).toBeNull();
    expect(undone.body.restored).toMatchObject({ status: 'active', mergedInto: null });
    expect(undone.body.restored.personal.email).toBe('loser@example.jp');
    expect(undone.body.restored.consent.email.granted).toBe(true);
    expect(undone.body.restored.identifiers.map((i: { value: string }) => i.value).sort()).toEqual(
      ['CARD-777', loser.registrationNo].sort(),
    );
    expect(await points(survivor.customerNumber)).toBe(100);
    expect(await points(loser.customerNumber)).toBe(40);

    const again = await admin.post(`/api/merges/${merged.body.mergeId}/undo`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('merge_already_undone');
  });

  it('keeps a field the survivor changed after the merge when undoing', async () => {
    const survivor = await newCustomer({ name: '後 変更' });
    const loser = await newCustomer({ name: '後 元', city: '札幌市' });
    const merged = await admin.post(`/api/customers/${survivor.customerNumber}/merge`, { otherCustomerNumber: loser.customerNumber });
    await admin.patch(`/api/customers/${survivor.customerNumber}`, { city: '仙台市' });
    const undone = await admin.post(`/api/merges/${merged.body.mergeId}/undo`);
    expect(undone.body.customer.personal.city).toBe('仙台市');
  });

  it('refuses to merge a record that is already merged', async () => {
    const a = await newCustomer({ name: 'A' });
    const b = await newCustomer({ name: 'B' });
    const c = await newCustomer({ name: 'C' });
    await admin.post(`/api/customers/${a.customerNumber}/merge`, { otherCustomerNumber: b.customerNumber });
    const res = await admin.post(`/api/customers/${c.customerNumber}/merge`, { otherCustomerNumber: b.customerNumber });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('customer_merged');
  });
});

describe('export and erasure', () => {
  it('exports everything held about a customer, including other modules’ data', async () => {
    const c = await newCustomer({ name: '輸出 太郎', email: 'export@example.jp' }, 7);
    await admin.post(`/api/customers/${c.customerNumber}/consent`, { channel: 'postal_mail', granted: true, source: 'form' });
    const res = await admin.get(`/api/customers/${c.customerNumber}/export`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain(`customer-${c.customerNumber}.json`);
    expect(res.body.format).toBe('clientele.customer-export/1');
    expect(res.body.customer.personal.email).toBe('export@example.jp');
    expect(res.body.consentHistory).toHaveLength(1);
    expect(res.body.auditTrail.map((e: { action: string }) => e.action)).toContain('customer.create');
    expect(res.body.modules['test-balances']).toEqual({ points: 7, note: 'vip' });
  });

  it('erases personal info, releases identifiers, withdraws consent and redacts the audit trail', async () => {
    const c = await newCustomer({ name: '消去 花子', email: 'erase-me@example.jp', phone: '090-1234-0000' }, 55);
    const n = c.customerNumber;
    await admin.post(`/api/customers/${n}/identifiers`, { kind: 'card_uid', value: 'ERASE-UID' });
    await admin.post(`/api/customers/${n}/consent`, { channel: 'email', granted: true, source: 'web' });
    await admin.patch(`/api/customers/${n}`, { occupation: '秘密の職業' });

    const res = await admin.post(`/api/customers/${n}/erase`, { confirmRegistrationNo: c.registrationNoFormatted });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('erased');
    expect(Object.values(res.body.personal).every((v) => v === null)).toBe(true);
    expect(res.body.identifiers).toEqual([]);
    expect(res.body.consent.email.granted).toBe(false);

    // nothing personal is left anywhere in the database rows about this customer
    const db = server.db.handle.db;
    const dump = JSON.stringify([
      await db.selectFrom('customers').selectAll().where('id', '=', Number(n)).execute(),
      await db.selectFrom('audit_log').selectAll().where('customer_id', '=', Number(n)).execute(),
      await db.selectFrom('customer_identifiers').selectAll().where('customer_id', '=', Number(n)).execute(),
    ]);
    for (const secret of ['消去', 'erase-me', '090-1234', '秘密', 'ERASE-UID']) expect(dump).not.toContain(secret);
    // history stays, anonymised: the audit entries still say what kind of change happened
    const actions = (await admin.get(`/api/customers/${n}/audit`)).body.items.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['customer.erase', 'customer.update', 'customer.create']));
    expect(await points(n)).toBe(55);

    // the released identifier can be used by someone else; the erased record is not searchable
    const other = await newCustomer({ name: '新しい 人' });
    expect((await admin.post(`/api/customers/${other.customerNumber}/identifiers`, { kind: 'card_uid', value: 'ERASE-UID' })).status).toBe(201);
    expect((await admin.get(`/api/customers?q=${encodeURIComponent('消去')}`)).body.items).toEqual([]);
    expect((await admin.patch(`/api/customers/${n}`, { name: 'x' })).body.error.code).toBe('customer_erased');
  });

  it('ends the erased customer’s portal sessions', async () => {
    const c = await newCustomer({ name: 'ポータル 消去' });
    await admin.post(`/api/customers/${c.customerNumber}/portal-password`, { password: 'portal-password' });
    const portal = new ApiClient(server.urls.portal);
    const login = await portal.post('/api/auth/login', { login: c.registrationNoFormatted, password: 'portal-password' });
    expect(login.status).toBe(200);
    expect((await portal.get('/api/me')).status).toBe(200);
    await admin.post(`/api/customers/${c.customerNumber}/erase`, { confirmRegistrationNo: c.registrationNo });
    expect((await portal.get('/api/me')).status).toBe(401);
  });
});

describe('the customer portal', () => {
  it('lets a customer see and change only their own data, audited as the customer on the portal', async () => {
    const me = await newCustomer({ name: '本人 確認', email: 'me@example.jp' });
    const someoneElse = await newCustomer({ name: '他人' });
    await admin.post(`/api/customers/${me.customerNumber}/identifiers`, { kind: 'email', value: 'me@example.jp' });
    await admin.post(`/api/customers/${me.customerNumber}/portal-password`, { password: 'portal-password' });
    const portal = new ApiClient(server.urls.portal);
    const login = await portal.post('/api/auth/login', { login: 'ME@example.jp', password: 'portal-password' });
    expect(login.status).toBe(200);
    portal.csrfToken = login.body.csrfToken;
    const changed = await portal.patch('/api/me', { nickname: 'めめ' });
    expect(changed.body.personal.nickname).toBe('めめ');
    const audit = (await admin.get(`/api/customers/${me.customerNumber}/audit`)).body.items[0];
    expect(audit).toMatchObject({ action: 'customer.update', surface: 'portal', actor: { type: 'customer' } });
    expect((await portal.post('/api/me/consent', { channel: 'email', granted: true, source: 'portal' })).body.consent.email.granted).toBe(true);
    expect((await portal.get('/api/me/export')).body.customer.customerNumber).toBe(me.customerNumber);
    // there is no way to name another customer on the portal
    expect((await portal.get(`/api/customers/${someoneElse.customerNumber}`)).status).toBe(404);
    expect((await portal.patch('/api/me', { customerNumber: someoneElse.customerNumber })).status).toBe(400);
  });

  it('rate-limits password guessing on the portal', async () => {
    const c = await newCustomer({ name: '推測 対象' });
    await admin.post(`/api/customers/${c.customerNumber}/portal-password`, { password: 'portal-password' });
    const statuses = [];
    for (let i = 0; i < 7; i++) {
      statuses.push((await new ApiClient(server.urls.portal).post('/api/auth/login', { login: c.registrationNo, password: `guess${i}xx` })).status);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.at(-1)).toBe(429);
    const right = await new ApiClient(server.urls.portal).post('/api/auth/login', { login: c.registrationNo, password: 'portal-password' });
    expect(right.status).toBe(429);
  });
});

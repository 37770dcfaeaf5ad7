import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, startTestServer, type TestServer } from '../../../test/helpers/server.js';
import { addMonths, monthLabel, monthOf, monthStart } from './appliance-time.js';
import { addTestAppliances, basicAuth, CONSISTENT, TEST_MODELS, type TestAppliance } from './appliances-test-kit.js';

let server: TestServer;
let admin: ApiClient;
let sales: ApiClient;
let dir: string;

const THIS = monthOf(new Date());
const M1 = addMonths(THIS, -1);
const M2 = addMonths(THIS, -2);
/** An instant in a month: day (1-based), hour in Japan time. */
const at = (month: string, day: number, hour: number, minute = 0) => new Date(monthStart(month).getTime() + ((day - 1) * 24 + hour) * 3600_000 + minute * 60_000).toISOString();

beforeAll(async () => {
  server = await startTestServer();
  await server.createStaff({ username: 'admin', password: 'admin-password', role: 'admin' });
  await server.createStaff({ username: 'sales', password: 'sales-password', role: 'sales' });
  admin = new ApiClient(server.urls.console);
  await admin.login('admin', 'admin-password');
  sales = new ApiClient(server.urls.console);
  await sales.login('sales', 'sales-password');
  dir = await mkdtemp(path.join(tmpdir(), 'clientele-bills-'));
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

async function send(a: TestAppliance, records: object[]) {
  const res = await fetch(`${server.urls.ingest}/api/appliances/${a.manufacturingNumber}/records`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: basicAuth(a) },
    body: JSON.stringify(records),
  });
  const body = (await res.json()) as { results: { status: string; error?: unknown }[]; state: { customerNumber?: string } };
  expect(body.results.filter((r) => r.status === 'rejected'), JSON.stringify(body)).toEqual([]);
  return body;
}

async function pdfText(url: string, client = admin): Promise<string> {
  const res = await fetch(`${server.urls.console}${url}`, { headers: { cookie: `clientele_console=${client.cookie('clientele_console')}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/pdf');
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.pdf`);
  await writeFile(file, Buffer.from(await res.arrayBuffer()));
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
}

describe('usage analysis and rental billing', () => {
  let washer: TestAppliance;
  let customer: string;

  beforeAll(async () => {
    washer = (await addTestAppliances(server.services, 1))[0]!;
    const first = await send(washer!, [{ type: 'first-use', seq: 1, at: at(M2, 1, 0), card: { number: 'BILL-CARD-1', name: '請求 太郎', address: '北海道札幌市中央区1-1', account: '9876543' } }]);
    customer = first.state.customerNumber!;
    await send(washer!, [
      // M2: drying 3 times, 20 minutes each, around 19:00 on a Thursday-ish evening
      { type: 'usage', seq: 2, at: at(M2, 5, 19), function: 'A-01-W-05', durationSec: 1200 },
      { type: 'usage', seq: 3, at: at(M2, 6, 19), function: 'A-01-W-04', durationSec: 1200 },
      { type: 'usage', seq: 4, at: at(M2, 7, 19), function: 'A-01', durationSec: 1200 },
      // M1: a mattress wash reported every 10 minutes while it runs (one use of 35 minutes)
      { type: 'usage', seq: 5, at: at(M1, 3, 8), function: 'A-02', durationSec: 600 },
      { type: 'usage', seq: 6, at: at(M1, 3, 8, 10), function: 'A-02', durationSec: 600, continued: true },
      { type: 'usage', seq: 7, at: at(M1, 3, 8, 20), function: 'A-02', durationSec: 900, continued: true },
      // M1: high speed washes, 50 minutes each, enough for the discount (≥ 100 min)
      { type: 'usage', seq: 8, at: at(M1, 10, 7), function: 'A-11', durationSec: 3000 },
      { type: 'usage', seq: 9, at: at(M1, 11, 7), function: 'A-11', durationSec: 3000 },
    ]);
  });

  it('analyses a product type and a function: customers, time, per person per month, histograms, areas', async () => {
    const res = await sales.get(`/api/appliance-analysis?productType=washer&from=${monthLabel(M2)}&to=${monthLabel(THIS)}`);
    expect(res.status).toBe(200);
    const a = res.body;
    expect(a.registeredCustomers).toBe(1);
    expect(a.functions.find((f: { functionCode: string }) => f.functionCode === 'A-01')).toMatchObject({ name: 'Drying', uses: 3, totalSec: 3600, users: 1, perUserMonthSec: 3600, perCustomerMonthSec: 1200 });
    expect(a.functions.find((f: { functionCode: string }) => f.functionCode === 'A-02')).toMatchObject({ uses: 1, totalSec: 2100 });
    const drying = (await sales.get(`/api/appliance-analysis?productType=washer&function=A-01&from=${monthLabel(M2)}&to=${monthLabel(THIS)}`)).body;
    expect(drying.durationHistogram.find((b: { bucket: number }) => b.bucket === 4)).toMatchObject({ uses: 3, label: '20–25 min' });
    expect(drying.hourOfDay[19].uses).toBe(3);
    expect(drying.areas).toEqual([{ area: '北海道', customers: 1, uses: 3, totalSec: 3600 }]);
    const mattress = (await sales.get(`/api/appliance-analysis?model=NW-700&function=A-02&from=${monthLabel(M2)}&to=${monthLabel(THIS)}`)).body;
    // The three reports of one running use count as one use of 35 minutes.
    expect(mattress.durationHistogram.filter((b: { uses: number }) => b.uses > 0)).toEqual([{ bucket: 7, label: '35–40 min', uses: 1 }]);
    expect(mattress.monthly).toEqual([{ month: M1, functionCode: 'A-02', uses: 1, totalSec: 2100 }]);
    expect((await sales.get('/api/appliance-analysis/selection')).body.productTypes.map((t: { productType: string }) => t.productType)).toEqual(
      expect.arrayContaining(['washer', 'microwave']),
    );
  });

  it('shows a customer’s usage and charge per appliance and function', async () => {
    const res = await sales.get(`/api/customers/${customer}/appliances?month=${monthLabel(M1)}`);
    const appliance = res.body.appliances[0];
    expect(appliance).toMatchObject({ manufacturingNumber: washer.manufacturingNumber, current: true, monthSec: 2100 + 6000 });
    expect(appliance.functions.map((f: { functionCode: string; monthChargeYen: number }) => [f.functionCode, f.monthChargeYen])).toEqual([
      ['A-01', 0],
      ['A-02', 100 + 35], // 1 use + 35 minutes
      ['A-11', 2 * 20 + 100 * 0.5], // 2 uses + 100 minutes × 0.5
    ]);
    expect(res.body.bill).toMatchObject({ status: 'provisional', totalYen: 1000 + 135 + 90 - 23 });
  });

  it('closes a month, freezes its bills, and bills late records on the next bill, marked', async () => {
    const before = (await admin.get(`/api/appliance-billing/${monthLabel(M2)}`)).body;
    expect(before).toMatchObject({ status: 'open', totals: { customers: 1 } });
    expect((await sales.post(`/api/appliance-billing/${monthLabel(M2)}/close`)).status).toBe(403);
    const closed = await admin.post(`/api/appliance-billing/${monthLabel(M2)}/close`);
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ bills: 1 });
    expect((await admin.post(`/api/appliance-billing/${monthLabel(M2)}/close`)).body.error.code).toBe('month_closed');
    expect((await admin.post(`/api/appliance-billing/${monthLabel(THIS)}/close`)).status).toBe(400);

    const bill = (await sales.get(`/api/appliance-billing/${monthLabel(M2)}/customers/${customer}`)).body.bills[0];
    expect(bill).toMatchObject({ status: 'issued', number: expect.stringMatching(/^AB\d{6}-\d{7}$/) });
    // 3 drying uses of 20 minutes: 3 × 50 + 60 × 2 = 270, under the discount threshold; base prorated from the 1st = full month
    expect(bill.lines.map((l: { kind: string; amountYen: number }) => [l.kind, l.amountYen])).toEqual([
      ['base', 1000],
      ['usage', 270],
    ]);

    // A record of the closed month arrives late.
    await send(washer, [{ type: 'usage', seq: 10, at: at(M2, 28, 21), function: 'A-01', durationSec: 600 }]);
    const frozen = (await sales.get(`/api/appliance-billing/${monthLabel(M2)}/customers/${customer}`)).body.bills[0];
    expect(frozen.totalYen).toBe(bill.totalYen);
    const next = (await sales.get(`/api/appliance-billing/${monthLabel(M1)}/customers/${customer}`)).body.bills[0];
    expect(next.status).toBe('provisional');
    const late = next.lines.find((l: { kind: string }) => l.kind === 'late_usage');
    expect(late).toMatchObject({ usageMonth: M2, uses: 1, billableMin: 10, amountYen: 70 });
    expect(next.hasLateUsage).toBe(true);
    const overview = (await sales.get(`/api/appliance-billing/${monthLabel(M1)}`)).body;
    expect(overview.customers[0]).toMatchObject({ customerNumber: customer, name: '請求 太郎', hasLateUsage: true });

    const text = await pdfText(`/api/appliance-billing/${monthLabel(M1)}/customers/${customer}/bill.pdf`, sales);
    expect(text).toContain('請求 太郎');
    expect(text).toContain('[LATE');
    expect(text).toMatch(/Provisional/);
    const issued = await pdfText(`/api/appliance-bills/${bill.id}/bill.pdf`);
    expect(issued).toContain(bill.number);
    expect(issued).toContain(`¥${bill.totalYen.toLocaleString('en-US')}`);
  });

  it('prints a receipt once a bill is paid', async () => {
    const bill = (await admin.get(`/api/appliance-billing/${monthLabel(M2)}/customers/${customer}`)).body.bills[0];
    expect((await admin.get(`/api/appliance-bills/${bill.id}/receipt.pdf`)).status).toBe(409);
    const paid = await admin.post(`/api/appliance-bills/${bill.id}/payment`, { paidAt: new Date().toISOString() });
    expect(paid.body.status).toBe('paid');
    const text = await pdfText(`/api/appliance-bills/${bill.id}/receipt.pdf`);
    expect(text).toContain('領収書');
    expect(text).toContain(`¥${bill.totalYen.toLocaleString('en-US')}`);
  });

  it('recalculates the rollups from the raw records on demand, finding nothing to correct', async () => {
    const requested = await admin.post('/api/appliance-recalculations', { from: monthLabel(M2), to: monthLabel(THIS) });
    expect(requested.status).toBe(202);
    await expect
      .poll(async () => (await admin.get(`/api/appliance-recalculations/${requested.body.id}`)).body.status, { timeout: 15_000 })
      .toBe('done');
    expect((await admin.get(`/api/appliance-recalculations/${requested.body.id}`)).body.changedRows).toBe(0);
    // A full recalculation (what the schedule could run) leaves the same figures.
    const full = await server.services.appliances.recalculation.request('test', null);
    await server.services.appliances.recalculation.run(full.id);
    expect(await server.services.appliances.recalculation.differences(null)).toEqual(CONSISTENT);
  });

  it('moves appliances with a merge and back with its undo, and locks them on erasure', async () => {
    const [other] = await addTestAppliances(server.services, 1);
    const second = await send(other!, [
      { type: 'first-use', seq: 1, at: at(M2, 2, 9), card: { number: 'BILL-CARD-2', name: '請求 花子' } },
      { type: 'usage', seq: 2, at: at(M2, 2, 10), function: 'A-01', durationSec: 60 },
      { type: 'usage', seq: 3, at: at(M1, 2, 10), function: 'A-01', durationSec: 60 },
    ]);
    const loser = second.state.customerNumber!;
    // Drying: the first customer in M2, the second in M2 and M1.
    const drying = async () =>
      (await sales.get(`/api/appliance-analysis?productType=washer&function=A-01&from=${monthLabel(M2)}&to=${monthLabel(THIS)}`)).body.functions[0];
    const apart = await drying();
    expect(apart).toMatchObject({ users: 2, perUserMonthSec: Math.round(apart.totalSec / 3) });
    const merged = await admin.post(`/api/customers/${customer}/merge`, { otherCustomerNumber: loser });
    expect(merged.status).toBe(200);
    // One person now, who dried in two months.
    expect(await drying()).toMatchObject({ users: 1, totalSec: apart.totalSec, perUserMonthSec: Math.round(apart.totalSec / 2) });
    expect(await server.services.appliances.recalculation.differences(null)).toEqual(CONSISTENT);
    // The moved appliance in use under its new customer: the ingest learns that key.
    await send(other!, [{ type: 'usage', seq: 4, at: at(M1, 3, 10), function: 'A-01', durationSec: 60 }]);
    const mine = (await admin.get(`/api/customers/${customer}/appliances?month=${monthLabel(M1)}`)).body.appliances;
    expect(mine.map((x: { manufacturingNumber: string }) => x.manufacturingNumber).sort()).toEqual([washer.manufacturingNumber, other!.manufacturingNumber].sort());
    const state = await fetch(`${server.urls.ingest}/api/appliances/${other!.manufacturingNumber}/state`, { headers: { authorization: basicAuth(other!) } });
    expect(((await state.json()) as { customerNumber: string }).customerNumber).toBe(customer);

    const undone = await admin.post(`/api/merges/${merged.body.mergeId}/undo`);
    expect(undone.status).toBe(200);
    expect((await admin.get(`/api/customers/${loser}/appliances?month=${monthLabel(M1)}`)).body.appliances).toHaveLength(1);
    expect(await drying()).toMatchObject({ users: 2, uses: apart.uses + 1 });
    // The undo removed that key from the first customer; their own washer now needs it again.
    await send(washer, [{ type: 'usage', seq: 11, at: at(M1, 20, 10), function: 'A-01', durationSec: 60 }]);
    expect(await server.services.appliances.recalculation.differences(null)).toEqual(CONSISTENT);

    const exported = (await admin.get(`/api/customers/${loser}/export`)).body;
    expect(exported.modules.appliances.appliances[0]).toMatchObject({ manufacturingNumber: other!.manufacturingNumber, cardNumber: 'BILL-CARD-2' });

    const regNo = (await admin.get(`/api/customers/${loser}`)).body.registrationNo;
    expect((await admin.post(`/api/customers/${loser}/erase`, { confirmRegistrationNo: regNo })).status).toBe(200);
    const after = await fetch(`${server.urls.ingest}/api/appliances/${other!.manufacturingNumber}/state`, { headers: { authorization: basicAuth(other!) } });
    expect(await after.json()).toEqual({ state: 'locked' });
    const erased = (await admin.get(`/api/appliances/${other!.manufacturingNumber}`)).body.registrations[0];
    expect(erased).toMatchObject({ cardNumber: null, endedAt: expect.any(String) });
    // The anonymous usage stays in the analysis.
    expect(await server.services.appliances.recalculation.differences(null)).toEqual(CONSISTENT);
  });

  it('counts a model’s users under its new product type when the model moves to another type', async () => {
    const model = { ...TEST_MODELS[0]!, model: 'NW-900', name: 'Washer-dryer NW-900' };
    await server.services.appliances.catalog.upsertModel(model);
    const [dryer] = await addTestAppliances(server.services, 1, 'NW-900');
    await send(dryer!, [
      { type: 'first-use', seq: 1, at: at(M1, 4, 9), card: { number: 'BILL-CARD-3', name: '乾燥 次郎' } },
      { type: 'usage', seq: 2, at: at(M1, 4, 10), function: 'A-01', durationSec: 600 },
    ]);
    const users = async (productType: string) =>
      (await sales.get(`/api/appliance-analysis?productType=${productType}&function=A-01&from=${monthLabel(M1)}&to=${monthLabel(M1)}`)).body.functions[0]?.users ?? 0;
    const washersBefore = await users('washer');
    expect(await users('other')).toBe(0);
    await server.services.appliances.catalog.upsertModel({ ...model, productType: 'other' });
    expect(await users('other')).toBe(1);
    expect(await users('washer')).toBe(washersBefore - 1);
    expect(await server.services.appliances.recalculation.differences(null)).toEqual(CONSISTENT);
  });
});

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, startTestServer, type TestServer } from '../../../test/helpers/server.js';
import { startSmtpSink, type SmtpSink } from '../../../test/helpers/smtp.js';
import { CLI_ACTOR } from '../../platform/auth/principal.js';

let server: TestServer;
let sink: SmtpSink;
let staff: ApiClient;
let tag = 0;

beforeAll(async () => {
  sink = await startSmtpSink();
  server = await startTestServer({ SMTP_URL: sink.url, CLIENTELE_MAIL_FROM: 'Shop <shop@example.jp>' });
  await server.createStaff({ username: 'marketer', password: 'marketer-pass', role: 'sales' });
  staff = new ApiClient(server.urls.console);
  await staff.login('marketer', 'marketer-pass');
});
afterAll(async () => {
  await server.close();
  await sink.close();
});

/** Customers in a city of their own, so each test's segment holds exactly its people. */
async function people(n: number, consenting: (i: number) => boolean, extra: Record<string, string> = {}) {
  const city = `テスト市${++tag}`;
  const customers = [];
  for (let i = 0; i < n; i++) {
    const c = await server.services.customers.service.create(CLI_ACTOR, {
      name: `顧客 ${tag}-${i}`,
      email: `c${tag}-${i}@example.jp`,
      prefecture: '東京都',
      city,
      postalCode: '100-0001',
      addressLine1: `${i + 1}-2-3`,
      ...extra,
    });
    if (consenting(i)) await server.services.customers.service.setConsent(CLI_ACTOR, Number(c.customerNumber), 'email', true, 'test');
    customers.push(c);
  }
  const segment = await staff.post('/api/segments', {
    name: `都市 ${city}`,
    definition: { match: 'all', criteria: [{ criterion: 'attribute', params: { field: 'city', op: 'eq', value: city } }] },
  });
  expect(segment.status).toBe(201);
  return { customers, city, segmentId: segment.body.id as number };
}

async function template(channel: 'email' | 'postal_mail' = 'email', body = '{{customer.name}} 様\nいつもありがとうございます。') {
  const res = await staff.post('/api/templates', {
    name: `テンプレート ${++tag}`,
    channel,
    subject: '{{customer.name}} 様へのお知らせ',
    bodyText: body,
    bodyHtml: channel === 'email' ? '<p>{{customer.name}} 様</p><p>ご案内です。</p>' : null,
    qrUrl: channel === 'postal_mail' ? 'https://shop.example.jp/c/{{customer.customerNumber}}' : null,
  });
  expect(res.status).toBe(201);
  return res.body.id as number;
}

async function campaign(templateId: number, segmentId: number) {
  const res = await staff.post('/api/campaigns', { name: `キャンペーン ${++tag}`, templateId, segmentId, kind: 'one_off' });
  expect(res.status).toBe(201);
  return res.body.id as number;
}

async function untilDone(campaignId: number, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const c = (await staff.get(`/api/campaigns/${campaignId}`)).body;
    if (c.status === 'done') return c;
    if (Date.now() > until) throw new Error(`campaign ${campaignId} still ${c.status}: ${JSON.stringify(c.runs)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const mailsTo = (address: string) => sink.messages.filter((m) => m.to && JSON.stringify(m.to).includes(address));

describe('an e-mail campaign', () => {
  it('reaches every consenting customer once, personalised, with a working one-click unsubscribe', async () => {
    const { customers, segmentId } = await people(4, (i) => i !== 3);
    const templateId = await template();
    const count = await staff.post('/api/segments/count', {
      definition: { match: 'all', criteria: [{ criterion: 'attribute', params: { field: 'city', op: 'eq', value: customers[0]!.personal.city } }, { criterion: 'consent', params: { channel: 'email' } }] },
    });
    expect(count.body.count).toBe(3);

    const id = await campaign(templateId, segmentId);
    expect((await staff.post(`/api/campaigns/${id}/start`)).body.status).toBe('sending');
    const done = await untilDone(id);
    expect(done.runs[0].progress).toEqual({ sent: 3, skipped_no_consent: 1 });

    const first = customers[0]!;
    const [mail] = mailsTo(first.personal.email!);
    expect(mail).toBeDefined();
    expect(mail!.subject).toBe(`${first.personal.name} 様へのお知らせ`);
    expect(mail!.text).toContain(`${first.personal.name} 様`);
    expect(mail!.html).toContain(`${first.personal.name} 様`);
    expect(mailsTo(customers[3]!.personal.email!)).toHaveLength(0);
    const header = (name: string) => mail!.headerLines.find((h) => h.key === name)?.line.replace(/^[^:]+:\s*/, '');
    const unsubscribe = String(header('list-unsubscribe'));
    expect(unsubscribe).toMatch(/^<http:\/\/127\.0\.0\.1:\d+\/u\/[\w.-]+>$/);
    expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');

    // RFC 8058: a POST to the link, as a mail client does it, withdraws consent in the ledger
    const url = unsubscribe.slice(1, -1);
    expect((await fetch(url)).status).toBe(200);
    const post = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(post.status).toBe(200);
    const after = await server.services.customers.service.get(Number(first.customerNumber));
    expect(after.consent.email).toMatchObject({ granted: false, source: 'unsubscribe link', surface: 'portal' });
    const forged = await fetch(url.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')), { method: 'POST' });
    expect(forged.status).toBe(404);

    // a second campaign to the same segment skips the customer who unsubscribed
    const second = await campaign(templateId, segmentId);
    await staff.post(`/api/campaigns/${second}/start`);
    const secondDone = await untilDone(second);
    expect(secondDone.runs[0].progress).toEqual({ sent: 2, skipped_no_consent: 2 });
    expect(mailsTo(first.personal.email!)).toHaveLength(1);

    const log = await staff.get(`/api/send-log?customerNumber=${first.customerNumber}`);
    expect(log.body.items.map((r: { status: string }) => r.status)).toEqual(['skipped_no_consent', 'sent']);
    // and "was sent campaign X" is a segment criterion
    const sentSegment = await staff.post('/api/segments/count', {
      definition: { match: 'all', criteria: [{ criterion: 'message_sent', params: { campaignId: second } }] },
    });
    expect(sentSegment.body.count).toBe(2);
  });

  it('retries temporary SMTP failures and still sends each message once', async () => {
    const { customers, segmentId } = await people(3, () => true);
    sink.failNext(2);
    const id = await campaign(await template(), segmentId);
    await staff.post(`/api/campaigns/${id}/start`);
    const done = await untilDone(id, 60_000);
    expect(done.runs[0].progress).toEqual({ sent: 3 });
    for (const c of customers) expect(mailsTo(c.personal.email!)).toHaveLength(1);
  });

  it('can be paused and resumed', async () => {
    const { segmentId } = await people(2, () => true);
    const id = await campaign(await template(), segmentId);
    await server.services.messaging.campaigns.start(id);
    const paused = await staff.post(`/api/campaigns/${id}/pause`);
    expect(paused.body.status).toBe('paused');
    const resumed = await staff.post(`/api/campaigns/${id}/resume`);
    expect(resumed.body.status).toBe('sending');
    expect((await untilDone(id)).runs[0].progress.sent).toBe(2);
    expect((await staff.post(`/api/campaigns/${id}/pause`)).status).toBe(409);
  });
});

describe('triggered messages', () => {
  it('go out once per key, only after the triggering transaction commits', async () => {
    const { customers } = await people(1, () => true);
    const templateId = await template('email', '{{customer.name}} 様、{{trigger.item}} がそろそろなくなる頃です。');
    const c = await staff.post('/api/campaigns', { name: '補充のお知らせ', templateId, kind: 'triggered', triggerName: 'replenishment' });
    await staff.post(`/api/campaigns/${c.body.id}/start`);
    const customerId = Number(customers[0]!.customerNumber);
    const db = server.db.handle.db;
    await db
      .transaction()
      .execute(async (tx) => {
        await server.services.messaging.sendTriggered('replenishment', { customerId, key: 'order-1', context: { item: '米 10kg' }, tx });
        throw new Error('rolled back');
      })
      .catch(() => undefined);
    expect(await server.services.messaging.sendTriggered('replenishment', { customerId, key: 'order-2', context: { item: '米 10kg' } })).toBe(1);
    expect(await server.services.messaging.sendTriggered('replenishment', { customerId, key: 'order-2', context: { item: '米 10kg' } })).toBe(0);
    const [mail] = await sink.waitFor(sink.messages.length).then(async () => {
      const until = Date.now() + 15_000;
      while (mailsTo(customers[0]!.personal.email!).length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      return mailsTo(customers[0]!.personal.email!);
    });
    expect(mail!.text).toContain('米 10kg がそろそろなくなる頃です');
    await new Promise((r) => setTimeout(r, 1500));
    expect(mailsTo(customers[0]!.personal.email!)).toHaveLength(1);
  });
});

describe('postal direct mail', () => {
  it('becomes one print-shop PDF with a letter per consenting customer with an address', async () => {
    const { customers, segmentId } = await people(3, () => false, { addressLine2: 'サンプルビル 101' });
    for (const c of customers.slice(0, 2)) {
      await server.services.customers.service.setConsent(CLI_ACTOR, Number(c.customerNumber), 'postal_mail', true, 'form');
    }
    const id = await campaign(await template('postal_mail', '{{customer.name}} 様\n秋の感謝セールのご案内です。'), segmentId);
    await staff.post(`/api/campaigns/${id}/start`);
    const done = await untilDone(id);
    expect(done.runs[0].progress).toEqual({ sent: 2, skipped_no_consent: 1 });
    const res = await fetch(`${server.urls.console}/api/campaign-runs/${done.runs[0].id}/print.pdf`, {
      headers: { cookie: `clientele_console=${staff.cookie('clientele_console')}` },
    });
    expect(res.status).toBe(200);
    const file = path.join(os.tmpdir(), `dm-${Date.now()}.pdf`);
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-']).toString();
    for (const c of customers.slice(0, 2)) {
      expect(text).toContain(`${c.personal.name} 様`);
      expect(text).toContain(`〒100-0001`);
      expect(text).toContain(`東京都${c.personal.city}${c.personal.addressLine1}`);
    }
    expect(text).not.toContain(`${customers[2]!.personal.name} 様`);
    expect(text).toContain('秋の感謝セールのご案内です');
  });
});

describe('bad input', () => {
  it('is refused with the field named and nothing saved', async () => {
    const before = (await staff.get('/api/templates')).body.items.length;
    const broken = await staff.post('/api/templates', { name: 'x', channel: 'email', subject: '{{#open}}', bodyText: 'b' });
    expect(broken.status).toBe(400);
    expect(broken.body.error.details.fields[0].field).toBe('subject');
    expect((await staff.get('/api/templates')).body.items.length).toBe(before);
    const unknown = await staff.post('/api/segments', { name: 'x', definition: { match: 'all', criteria: [{ criterion: 'astrology' }] } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details.fields[0].field).toBe('definition.criteria.0.criterion');
    const badParams = await staff.post('/api/segments/count', {
      definition: { match: 'all', criteria: [{ criterion: 'consent', params: { channel: 'fax' } }] },
    });
    expect(badParams.status).toBe(400);
    const noSegment = await staff.post('/api/campaigns', { name: 'x', templateId: 999999, kind: 'one_off' });
    expect(noSegment.body.error.details.fields.map((f: { field: string }) => f.field)).toEqual(['templateId', 'segmentId']);
    const badCron = await staff.post('/api/campaigns', { name: 'x', templateId: await template(), segmentId: 1, kind: 'recurring', cron: 'every tuesday' });
    expect(badCron.body.error.details.fields.map((f: { field: string }) => f.field)).toContain('cron');
  });
});

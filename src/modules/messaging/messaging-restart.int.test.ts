import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { buildServices } from '../../app.js';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/db.js';
import { startSmtpSink, type SmtpSink } from '../../../test/helpers/smtp.js';
import { CLI_ACTOR } from '../../platform/auth/principal.js';

let db: TestDatabase;
let sink: SmtpSink;

beforeAll(async () => {
  // Slow mail server, one connection, five messages per job: a campaign that takes a few seconds.
  sink = await startSmtpSink({ delayMs: 60 });
  db = await createTestDatabase({
    SMTP_URL: sink.url,
    CLIENTELE_SMTP_CONNECTIONS: '1',
    CLIENTELE_SEND_WORKERS: '1',
    CLIENTELE_SEND_CHUNK_SIZE: '5',
  });
});
afterAll(async () => {
  await db.drop();
  await sink.close();
});

async function audience(n: number, consentEvery: number) {
  const customers = db.services.customers.service;
  const emails: string[] = [];
  for (let i = 0; i < n; i++) {
    const c = await customers.create(CLI_ACTOR, { name: `再起動 ${i}`, email: `restart-${i}@example.jp`, city: '再起動市' });
    if (i % consentEvery !== 0) {
      await customers.setConsent(CLI_ACTOR, Number(c.customerNumber), 'email', true, 'test');
      emails.push(c.personal.email!);
    }
  }
  return emails;
}

describe('a campaign interrupted by a restart', () => {
  it('still gives every consenting recipient exactly one mail', async () => {
    const consenting = await audience(40, 4);
    const first = db.services;
    const template = await first.messaging.templates.create({ name: 't', channel: 'email', subject: 'こんにちは {{customer.name}}', bodyText: '本文' });
    const segment = await first.messaging.segments.create('s', {
      match: 'all',
      criteria: [{ criterion: 'attribute', params: { field: 'city', op: 'eq', value: '再起動市' } }],
    });
    const campaign = await first.messaging.campaigns.create({ name: 'c', templateId: template.id, segmentId: segment.id, kind: 'one_off' }, null);
    await first.jobs.start();
    await first.messaging.campaigns.start(campaign.id);

    // stop the "process" part-way through, as a deploy or SIGTERM would
    const until = Date.now() + 20_000;
    while (sink.messages.length < 5 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    await first.jobs.stop();
    first.messaging.close();
    const sentBeforeRestart = sink.messages.length;
    expect(sentBeforeRestart).toBeGreaterThan(0);
    expect(sentBeforeRestart).toBeLessThan(consenting.length);

    // a new process on the same database picks up the rest
    const second = buildServices(db.handle.db, db.config);
    await second.jobs.start();
    try {
      await sink.waitFor(consenting.length, 30_000);
      await new Promise((r) => setTimeout(r, 1500));
      const recipients = sink.messages.map((m) => JSON.stringify(m.to).match(/restart-\d+@example\.jp/)![0]);
      expect(recipients.sort()).toEqual([...consenting].sort());
      expect(new Set(recipients).size).toBe(recipients.length);
      const runs = await second.messaging.campaigns.runs(campaign.id);
      expect(runs[0]!.progress).toEqual({ sent: 30, skipped_no_consent: 10 });
    } finally {
      await second.jobs.stop();
      second.messaging.close();
    }
  });

  it('never resends a message a crashed worker may have sent: it is marked failed for review', async () => {
    const services = db.services;
    const customers = services.customers.service;
    const c = await customers.create(CLI_ACTOR, { name: '落ちた', email: 'crash@example.jp', city: '落下市' });
    await customers.setConsent(CLI_ACTOR, Number(c.customerNumber), 'email', true, 'test');
    const template = await services.messaging.templates.create({ name: 'crash', channel: 'email', subject: 's', bodyText: 'b' });
    const segment = await services.messaging.segments.create('crash', {
      match: 'all',
      criteria: [{ criterion: 'attribute', params: { field: 'city', op: 'eq', value: '落下市' } }],
    });
    const campaign = await services.messaging.campaigns.create({ name: 'crash', templateId: template.id, segmentId: segment.id, kind: 'one_off' }, null);
    // prepare without workers, then claim the row the way a worker does, and "crash"
    await services.messaging.campaigns.start(campaign.id);
    const [run] = await services.messaging.campaigns.runs(campaign.id);
    await services.messaging.delivery.prepare(run!.id);
    const row = await db.handle.db.selectFrom('send_log').selectAll().where('run_id', '=', run!.id).executeTakeFirstOrThrow();
    await sql`update send_log set status = 'sending', updated_at = now() - interval '1 hour' where id = ${row.id}`.execute(db.handle.db);

    const before = sink.messages.length;
    expect(await services.messaging.delivery.recoverInterrupted()).toBe(1);
    await services.messaging.delivery.deliver({ runId: run!.id, from: row.id, to: row.id });
    expect(sink.messages.length).toBe(before);
    const after = await services.messaging.campaigns.run(run!.id);
    expect(after.progress).toEqual({ failed: 1 });
    expect(after.status).toBe('done');
  });
});

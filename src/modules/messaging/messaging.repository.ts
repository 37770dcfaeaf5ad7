import { sql, type Insertable, type RawBuilder, type Updateable } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import type {
  CampaignRunsTable,
  CampaignsTable,
  MessageChannel,
  MessageTemplatesTable,
  RunStatus,
  SegmentDefinition,
  SendStatus,
} from './messaging.tables.js';

export const templatesRepository = {
  list: (db: Executor) => db.selectFrom('message_templates').selectAll().orderBy('id').execute(),
  find: (db: Executor, id: number) => db.selectFrom('message_templates').selectAll().where('id', '=', id).executeTakeFirst(),
  insert: (db: Executor, row: Insertable<MessageTemplatesTable>) =>
    db.insertInto('message_templates').values(row).returningAll().executeTakeFirstOrThrow(),
  update: (db: Executor, id: number, patch: Updateable<MessageTemplatesTable>) =>
    db.updateTable('message_templates').set({ ...patch, updated_at: new Date() }).where('id', '=', id).returningAll().executeTakeFirst(),
};

export const segmentsRepository = {
  list: (db: Executor) => db.selectFrom('segments').selectAll().orderBy('id').execute(),
  find: (db: Executor, id: number) => db.selectFrom('segments').selectAll().where('id', '=', id).executeTakeFirst(),
  insert: (db: Executor, name: string, definition: SegmentDefinition) =>
    db.insertInto('segments').values({ name, definition: JSON.stringify(definition) }).returningAll().executeTakeFirstOrThrow(),
  update: (db: Executor, id: number, patch: { name?: string; definition?: SegmentDefinition }) =>
    db
      .updateTable('segments')
      .set({
        ...(patch.name ? { name: patch.name } : {}),
        ...(patch.definition ? { definition: JSON.stringify(patch.definition) } : {}),
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst(),
  async count(db: Executor, ids: RawBuilder<{ id: number }>): Promise<number> {
    const r = await sql<{ n: number }>`select count(*)::bigint as n from (${ids}) s`.execute(db);
    return Number(r.rows[0]?.n ?? 0);
  },
  async sample(db: Executor, ids: RawBuilder<{ id: number }>, limit: number): Promise<number[]> {
    const r = await sql<{ id: number }>`select id from (${ids}) s order by id limit ${limit}`.execute(db);
    return r.rows.map((x) => Number(x.id));
  },
};

export const campaignsRepository = {
  list: (db: Executor) => db.selectFrom('campaigns').selectAll().orderBy('id', 'desc').execute(),
  find: (db: Executor, id: number) => db.selectFrom('campaigns').selectAll().where('id', '=', id).executeTakeFirst(),
  lock: (db: Executor, id: number) => db.selectFrom('campaigns').selectAll().where('id', '=', id).forUpdate().executeTakeFirst(),
  insert: (db: Executor, row: Insertable<CampaignsTable>) => db.insertInto('campaigns').values(row).returningAll().executeTakeFirstOrThrow(),
  update: (db: Executor, id: number, patch: Updateable<CampaignsTable>) =>
    db.updateTable('campaigns').set({ ...patch, updated_at: new Date() }).where('id', '=', id).returningAll().executeTakeFirstOrThrow(),
  dueScheduled: (db: Executor, now: Date) =>
    db.selectFrom('campaigns').selectAll().where('status', '=', 'scheduled').where('kind', '=', 'scheduled').where('send_at', '<=', now).execute(),
  activeRecurring: (db: Executor) =>
    db.selectFrom('campaigns').selectAll().where('status', 'in', ['scheduled', 'sending']).where('kind', '=', 'recurring').execute(),
  activeTriggered: (db: Executor, trigger: string) =>
    db
      .selectFrom('campaigns')
      .selectAll()
      .where('kind', '=', 'triggered')
      .where('trigger_name', '=', trigger)
      .where('status', 'in', ['scheduled', 'sending'])
      .execute(),
};

export const runsRepository = {
  /** Creates the run unless it exists (a cron tick on two nodes creates one run). */
  insert: (db: Executor, row: Insertable<CampaignRunsTable>) =>
    db
      .insertInto('campaign_runs')
      .values(row)
      .onConflict((oc) => oc.columns(['campaign_id', 'run_key']).doNothing())
      .returningAll()
      .executeTakeFirst(),
  find: (db: Executor, id: number) => db.selectFrom('campaign_runs').selectAll().where('id', '=', id).executeTakeFirst(),
  ofCampaign: (db: Executor, campaignId: number) =>
    db.selectFrom('campaign_runs').selectAll().where('campaign_id', '=', campaignId).orderBy('id', 'desc').execute(),
  update: (db: Executor, id: number, patch: Updateable<CampaignRunsTable>) =>
    db.updateTable('campaign_runs').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow(),
  lastOf: (db: Executor, campaignId: number) =>
    db.selectFrom('campaign_runs').selectAll().where('campaign_id', '=', campaignId).orderBy('id', 'desc').limit(1).executeTakeFirst(),
  setStatusOfCampaign: (db: Executor, campaignId: number, from: RunStatus[], to: RunStatus) =>
    db
      .updateTable('campaign_runs')
      .set({ status: to })
      .where('campaign_id', '=', campaignId)
      .where('status', 'in', from)
      .returning('id')
      .execute(),
};

export interface QueuedRow {
  id: number;
  customer_id: number;
  channel: MessageChannel;
  idempotency_key: string;
  context: Record<string, unknown> | null;
  campaign_id: number | null;
  run_id: number | null;
  attempts: number;
}

export const sendLogRepository = {
  /** Queues one message per customer of the segment, set-based; keys make a repeat a no-op. */
  async queueSegment(
    db: Executor,
    args: { runId: number; campaignId: number; keyPrefix: string; channel: MessageChannel; ids: RawBuilder<{ id: number }> },
  ): Promise<number> {
    const r = await sql`
      insert into send_log (idempotency_key, campaign_id, run_id, customer_id, channel, status)
      select ${args.keyPrefix} || s.id || ':' || ${args.channel}, ${args.campaignId}, ${args.runId}, s.id, ${args.channel}, 'queued'
      from (${args.ids}) s
      on conflict (idempotency_key) do nothing`.execute(db);
    return Number(r.numAffectedRows ?? 0);
  },
  /** Id ranges of a run's queued rows, `size` rows each: the unit of one delivery job. */
  async queuedChunks(db: Executor, runId: number, size: number): Promise<{ from: number; to: number }[]> {
    const r = await sql<{ from: number; to: number }>`
      select min(id) as from, max(id) as to from (
        select id, (row_number() over (order by id) - 1) / ${size} as chunk
        from send_log where run_id = ${runId} and status = 'queued') q
      group by chunk order by 1`.execute(db);
    return r.rows.map((x) => ({ from: Number(x.from), to: Number(x.to) }));
  },
  insertOne: (
    db: Executor,
    row: { idempotency_key: string; campaign_id: number; trigger_name: string; customer_id: number; channel: MessageChannel; context: string | null },
  ) =>
    db
      .insertInto('send_log')
      .values({ ...row, status: 'queued' })
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .returning(['id'])
      .executeTakeFirst(),
  /**
   * Claims a range's queued rows for sending (committed before any mail goes out): a row in
   * `sending` is never claimed again, so a crash can lose a mail but never send one twice.
   */
  async claim(db: Executor, from: number, to: number): Promise<QueuedRow[]> {
    const r = await sql<QueuedRow>`
      update send_log set status = 'sending', attempts = attempts + 1, updated_at = now()
      where id in (select id from send_log where id between ${from} and ${to} and status = 'queued' for update skip locked)
      returning id, customer_id, channel, idempotency_key, context, campaign_id, run_id, attempts`.execute(db);
    return r.rows;
  },
  /** Writes many outcomes in one statement. */
  async finish(
    db: Executor,
    outcomes: { id: number; status: SendStatus; error: string | null; recipient: string | null; subject: string | null; messageId: string | null }[],
  ): Promise<void> {
    if (outcomes.length === 0) return;
    await sql`
      update send_log s set status = o.status, error = o.error, recipient = o.recipient, subject = o.subject,
        message_id = o.message_id, sent_at = case when o.status = 'sent' then now() else s.sent_at end, updated_at = now()
      from unnest(${outcomes.map((o) => o.id)}::bigint[], ${outcomes.map((o) => o.status)}::text[], ${outcomes.map((o) => o.error)}::text[],
                  ${outcomes.map((o) => o.recipient)}::text[], ${outcomes.map((o) => o.subject)}::text[], ${outcomes.map((o) => o.messageId)}::text[])
        as o(id, status, error, recipient, subject, message_id)
      where s.id = o.id`.execute(db);
  },
  /** Whether a run still has messages to send: an index probe, not a count over the run. */
  async hasPending(db: Executor, runId: number): Promise<boolean> {
    const r = await sql`select 1 from send_log where run_id = ${runId} and status in ('queued', 'sending') limit 1`.execute(db);
    return r.rows.length > 0;
  },
  async runProgress(db: Executor, runId: number): Promise<Record<string, number>> {
    const r = await sql<{ status: string; n: number }>`select status, count(*)::bigint as n from send_log where run_id = ${runId} group by status`.execute(db);
    return Object.fromEntries(r.rows.map((x) => [x.status, Number(x.n)]));
  },
  cancelQueued: (db: Executor, runId: number) =>
    db.updateTable('send_log').set({ status: 'cancelled', updated_at: new Date() }).where('run_id', '=', runId).where('status', '=', 'queued').execute(),
  /** Rows left in `sending` by a crashed worker: delivery unknown, so they are failed, never resent. */
  markInterrupted: (db: Executor, olderThan: Date) =>
    db
      .updateTable('send_log')
      .set({ status: 'failed', error: 'interrupted while sending; delivery unknown, not retried to avoid a duplicate', updated_at: new Date() })
      .where('status', '=', 'sending')
      .where('updated_at', '<', olderThan)
      .returning(['id', 'run_id'])
      .execute(),
  search(
    db: Executor,
    f: { customerId?: number; campaignId?: number; status?: SendStatus; channel?: MessageChannel; before?: number; limit: number },
  ) {
    let q = db.selectFrom('send_log').selectAll();
    if (f.customerId !== undefined) q = q.where('customer_id', '=', f.customerId);
    if (f.campaignId !== undefined) q = q.where('campaign_id', '=', f.campaignId);
    if (f.status) q = q.where('status', '=', f.status);
    if (f.channel) q = q.where('channel', '=', f.channel);
    if (f.before) q = q.where('id', '<', f.before);
    return q.orderBy('id', 'desc').limit(f.limit).execute();
  },
  find: (db: Executor, id: number) => db.selectFrom('send_log').selectAll().where('id', '=', id).executeTakeFirst(),
  /** Postal rows of a run that go into the print file, in order. */
  postalSentPage: (db: Executor, runId: number, afterId: number, limit: number) =>
    db
      .selectFrom('send_log')
      .select(['id', 'customer_id', 'context'])
      .where('run_id', '=', runId)
      .where('channel', '=', 'postal_mail')
      .where('status', '=', 'sent')
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(limit)
      .execute(),
  moveCustomer: (db: Executor, fromId: number, toId: number) =>
    db.updateTable('send_log').set({ customer_id: toId }).where('customer_id', '=', fromId).returning('id').execute().then((r) => r.map((x) => x.id)),
  moveCustomerByIds: async (db: Executor, ids: number[], toId: number) => {
    if (ids.length) await db.updateTable('send_log').set({ customer_id: toId }).where('id', 'in', ids).execute();
  },
  anonymise: (db: Executor, customerId: number) =>
    db.updateTable('send_log').set({ recipient: null, context: null }).where('customer_id', '=', customerId).execute(),
};

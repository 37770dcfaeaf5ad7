import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import { monthStart, nextMonth, type Month } from './appliance-time.js';
import type { BillLineKind } from './appliances.tables.js';

export interface ChargeUsageRow {
  customer_id: number;
  manufacturing_number: string;
  model: string;
  function_code: string;
  usage_month: string;
  uses: number;
  billable_min: number;
  total_sec: number;
}

export interface ChargeRegistrationRow {
  customer_id: number;
  manufacturing_number: string;
  model: string;
  registered_at: Date;
  ended_at: Date | null;
}

export interface NewBill {
  number: string;
  customer_id: number;
  month: Month;
  subtotal_yen: number;
  discount_yen: number;
  total_yen: number;
  lines: {
    kind: BillLineKind;
    manufacturing_number: string;
    model: string;
    function_code: string | null;
    usage_month: string | null;
    uses: number;
    billable_min: number;
    description: string;
    amount_yen: number;
  }[];
}

/** Monthly rental bills and what they are computed from. */
export const billingRepository = {
  closedMonths(db: Executor) {
    return db.selectFrom('appliance_billing_months').selectAll().orderBy('month', 'desc').execute();
  },
  closedMonth(db: Executor, month: Month) {
    return db.selectFrom('appliance_billing_months').selectAll().where('month', '=', month).executeTakeFirst();
  },
  /** Marks a month closed; false when it already was. */
  async close(tx: Executor, month: Month, by: string): Promise<boolean> {
    const r = await tx
      .insertInto('appliance_billing_months')
      .values({ month, closed_by: by })
      .onConflict((oc) => oc.column('month').doNothing())
      .returning('month')
      .executeTakeFirst();
    return !!r;
  },

  /** Usage that goes on the bills of a month (its own and late usage of closed months), per customer and appliance. */
  chargeUsage(db: Executor, month: Month, customerId?: number) {
    let q = db
      .selectFrom('appliance_usage_monthly as u')
      .innerJoin('appliance_registrations as r', 'r.id', 'u.registration_id')
      .select(['r.customer_id', 'r.manufacturing_number', 'u.model', 'u.function_code', 'u.usage_month'])
      .select((eb) => [
        eb.fn.sum<number>('u.uses').as('uses'),
        eb.fn.sum<number>('u.billable_min').as('billable_min'),
        eb.fn.sum<number>('u.total_sec').as('total_sec'),
      ])
      .where('u.bill_month', '=', month);
    if (customerId !== undefined) q = q.where('r.customer_id', '=', customerId);
    return q
      .groupBy(['r.customer_id', 'r.manufacturing_number', 'u.model', 'u.function_code', 'u.usage_month'])
      .execute()
      .then((rows) => rows.map((r) => ({ ...r, uses: Number(r.uses), billable_min: Number(r.billable_min), total_sec: Number(r.total_sec) })));
  },
  /** Registrations that held an appliance during part of the month (for the monthly base). */
  chargeRegistrations(db: Executor, month: Month, customerId?: number): Promise<ChargeRegistrationRow[]> {
    let q = db
      .selectFrom('appliance_registrations')
      .select(['customer_id', 'manufacturing_number', 'model', 'registered_at', 'ended_at'])
      .where('registered_at', '<', monthStart(nextMonth(month)))
      .where((eb) => eb.or([eb('ended_at', 'is', null), eb('ended_at', '>', monthStart(month))]));
    if (customerId !== undefined) q = q.where('customer_id', '=', customerId);
    return q.execute();
  },

  /** Inserts the bills of a closed month and their lines, set-based. */
  async insertBills(tx: Executor, bills: NewBill[]): Promise<void> {
    for (let i = 0; i < bills.length; i += 2000) {
      const chunk = bills.slice(i, i + 2000);
      const ids = await sql<{ id: number; number: string }>`
        insert into appliance_bills (number, customer_id, month, subtotal_yen, discount_yen, total_yen)
        select * from unnest(${chunk.map((b) => b.number)}::text[], ${chunk.map((b) => b.customer_id)}::bigint[],
          ${chunk.map((b) => b.month)}::date[], ${chunk.map((b) => b.subtotal_yen)}::bigint[], ${chunk.map((b) => b.discount_yen)}::bigint[],
          ${chunk.map((b) => b.total_yen)}::bigint[])
        returning id, number`.execute(tx);
      const idOf = new Map(ids.rows.map((r) => [r.number, r.id]));
      const lines = chunk.flatMap((b) => b.lines.map((l, position) => ({ ...l, bill_id: idOf.get(b.number)!, position: position + 1 })));
      for (let j = 0; j < lines.length; j += 10_000) {
        const part = lines.slice(j, j + 10_000);
        if (part.length === 0) continue;
        await sql`
          insert into appliance_bill_lines (bill_id, position, kind, manufacturing_number, model, function_code, usage_month, uses,
            billable_min, description, amount_yen)
          select * from unnest(${part.map((l) => l.bill_id)}::bigint[], ${part.map((l) => l.position)}::int[], ${part.map((l) => l.kind)}::text[],
            ${part.map((l) => l.manufacturing_number)}::text[], ${part.map((l) => l.model)}::text[], ${part.map((l) => l.function_code)}::text[],
            ${part.map((l) => l.usage_month)}::date[], ${part.map((l) => l.uses)}::int[], ${part.map((l) => l.billable_min)}::bigint[],
            ${part.map((l) => l.description)}::text[], ${part.map((l) => l.amount_yen)}::bigint[])`.execute(tx);
      }
    }
  },
  billsOfMonth(db: Executor, month: Month) {
    return db.selectFrom('appliance_bills').selectAll().where('month', '=', month).orderBy('customer_id').orderBy('id').execute();
  },
  billsOf(db: Executor, customerId: number) {
    return db.selectFrom('appliance_bills').selectAll().where('customer_id', '=', customerId).orderBy('month', 'desc').orderBy('id').execute();
  },
  bill(db: Executor, id: number) {
    return db.selectFrom('appliance_bills').selectAll().where('id', '=', id).executeTakeFirst();
  },
  linesOf(db: Executor, billIds: number[]) {
    if (billIds.length === 0) return Promise.resolve([]);
    return db.selectFrom('appliance_bill_lines').selectAll().where('bill_id', 'in', billIds).orderBy('bill_id').orderBy('position').execute();
  },
  async markPaid(db: Executor, id: number, at: Date): Promise<boolean> {
    const r = await db.updateTable('appliance_bills').set({ paid_at: at }).where('id', '=', id).where('paid_at', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },
  moveCustomer(tx: Executor, fromId: number, toId: number) {
    return tx
      .updateTable('appliance_bills')
      .set({ customer_id: toId })
      .where('customer_id', '=', fromId)
      .returning('id')
      .execute()
      .then((r) => r.map((x) => x.id));
  },
  async moveByIds(tx: Executor, ids: number[], toId: number): Promise<void> {
    if (ids.length === 0) return;
    await tx.updateTable('appliance_bills').set({ customer_id: toId }).where('id', 'in', ids).execute();
  },
};

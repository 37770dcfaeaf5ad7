import { sql, type Insertable } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import type { AuditLogTable } from './audit.tables.js';

export const auditRepository = {
  insert(db: Executor, row: Insertable<AuditLogTable>) {
    return db.insertInto('audit_log').values(row).returning(['id', 'at']).executeTakeFirstOrThrow();
  },
  /** One entry naming many customers (a bulk import batch); returns its id. */
  async insertForMany(db: Executor, row: Insertable<AuditLogTable> & { customer_ids: number[] }) {
    const r = await sql<{ id: number }>`
      insert into audit_log (actor_type, actor_id, actor_label, surface, action, customer_ids, before, after, details)
      values (${row.actor_type}, ${row.actor_id ?? null}, ${row.actor_label ?? null}, ${row.surface}, ${row.action},
        ${row.customer_ids}::bigint[], ${row.before ?? null}::jsonb, ${row.after ?? null}::jsonb, ${row.details ?? null}::jsonb)
      returning id`.execute(db);
    return r.rows[0]!.id;
  },
  findById(db: Executor, id: number) {
    return db.selectFrom('audit_log').selectAll().where('id', '=', id).executeTakeFirst();
  },
  /** Entries about this customer alone and entries naming it among many (imports), newest first. */
  listForCustomer(db: Executor, customerId: number, limit: number, beforeId?: number) {
    let q = db
      .selectFrom('audit_log')
      .selectAll()
      .where((eb) =>
        eb.or([eb('customer_id', '=', customerId), eb(sql`customer_ids`, '@>', sql<number[]>`array[${customerId}]::bigint[]`)]),
      );
    if (beforeId !== undefined) q = q.where('id', '<', beforeId);
    return q.orderBy('id', 'desc').limit(limit).execute();
  },
  /**
   * Keeps the shape of a customer's audit trail (who changed which field when) while
   * replacing every recorded value with a marker: what an erased customer's history may keep.
   */
  redactValuesForCustomer(db: Executor, customerId: number) {
    const redact = (col: 'before' | 'after') =>
      sql`(select jsonb_object_agg(k, '"[erased]"'::jsonb) from jsonb_object_keys(${sql.ref(col)}) k)`;
    return db
      .updateTable('audit_log')
      .set({
        before: sql`case when jsonb_typeof(before) = 'object' then ${redact('before')} else before end`,
        after: sql`case when jsonb_typeof(after) = 'object' then ${redact('after')} else after end`,
      })
      .where('customer_id', '=', customerId)
      .execute();
  },
};

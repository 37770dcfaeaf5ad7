import { sql, type Insertable } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import type { AuditLogTable } from './audit.tables.js';

export const auditRepository = {
  insert(db: Executor, row: Insertable<AuditLogTable>) {
    return db.insertInto('audit_log').values(row).returning(['id', 'at']).executeTakeFirstOrThrow();
  },
  /** Many entries in one statement (bulk imports). */
  async insertMany(db: Executor, rows: Insertable<AuditLogTable>[]) {
    if (rows.length === 0) return;
    const col = <K extends keyof Insertable<AuditLogTable>>(k: K) => rows.map((r) => r[k] ?? null);
    await sql`
      insert into audit_log (actor_type, actor_id, actor_label, surface, action, customer_id, before, after, details)
      select * from unnest(${col('actor_type')}::text[], ${col('actor_id')}::text[], ${col('actor_label')}::text[],
        ${col('surface')}::text[], ${col('action')}::text[], ${col('customer_id')}::bigint[], ${col('before')}::jsonb[],
        ${col('after')}::jsonb[], ${col('details')}::jsonb[])`.execute(db);
  },
  findById(db: Executor, id: number) {
    return db.selectFrom('audit_log').selectAll().where('id', '=', id).executeTakeFirst();
  },
  listForCustomer(db: Executor, customerId: number, limit: number, beforeId?: number) {
    let q = db.selectFrom('audit_log').selectAll().where('customer_id', '=', customerId);
    if (beforeId !== undefined) q = q.where('id', '<', beforeId);
    return q.orderBy('id', 'desc').limit(limit).execute();
  },
  findByAction(db: Executor, action: string, detailsMatch: Record<string, unknown>) {
    return db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', action)
      .where(sql<boolean>`details @> ${JSON.stringify(detailsMatch)}::jsonb`)
      .execute();
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

import { sql, type Insertable, type Selectable } from 'kysely';
import { textArrayLiteral } from '../../platform/db/arrays.js';
import type { Executor } from '../../platform/db/database.js';
import type { AuditLogTable } from './audit.tables.js';

export const auditRepository = {
  insert(db: Executor, row: Insertable<AuditLogTable>) {
    return db.insertInto('audit_log').values(row).returning(['id', 'at']).executeTakeFirstOrThrow();
  },
  insertAll(db: Executor, rows: Insertable<AuditLogTable>[]) {
    return db.insertInto('audit_log').values(rows).returning(['id']).execute();
  },
  /** One entry about many customers (a bulk import batch) and a link to each of them; returns its id. */
  async insertForMany(db: Executor, row: Insertable<AuditLogTable>, customerIds: number[]) {
    const r = await sql<{ id: number }>`
      with entry as (
        insert into audit_log (actor_type, actor_id, actor_label, surface, action, before, after, details)
        values (${row.actor_type}, ${row.actor_id ?? null}, ${row.actor_label ?? null}, ${row.surface}, ${row.action},
          ${row.before ?? null}::jsonb, ${row.after ?? null}::jsonb, ${row.details ?? null}::jsonb)
        returning id
      ), links as (
        insert into audit_log_customers (customer_id, audit_id, position)
        select c.customer_id, entry.id, (c.n - 1)::int
        from entry, unnest(${textArrayLiteral(customerIds.map(String))}::bigint[]) with ordinality as c(customer_id, n)
      )
      select id from entry`.execute(db);
    return r.rows[0]!.id;
  },
  findById(db: Executor, id: number) {
    return db.selectFrom('audit_log').selectAll().where('id', '=', id).executeTakeFirst();
  },
  /**
   * Entries about this customer alone and entries naming it among many (imports), newest
   * first; `position` is the customer's place in a many-customer entry, null otherwise.
   */
  async listForCustomer(db: Executor, customerId: number, limit: number, beforeId?: number) {
    const before = beforeId === undefined ? sql`` : sql`and id < ${beforeId}`;
    const beforeLink = beforeId === undefined ? sql`` : sql`and audit_id < ${beforeId}`;
    const r = await sql<Selectable<AuditLogTable> & { position: number | null }>`
      select a.*, m.position
      from (
        (select id, null::int as position from audit_log where customer_id = ${customerId} ${before}
         order by id desc limit ${limit})
        union all
        (select audit_id, position from audit_log_customers where customer_id = ${customerId} ${beforeLink}
         order by audit_id desc limit ${limit})
      ) m
      join audit_log a on a.id = m.id
      order by a.id desc
      limit ${limit}`.execute(db);
    return r.rows;
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

import { sql, type Insertable, type Selectable } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import type { ProductCategory, ProductRegistrationsTable } from './registration.tables.js';

export type RegistrationRow = Selectable<ProductRegistrationsTable>;

export interface RegistrationFilter {
  category?: ProductCategory;
  model?: string;
  from?: Date;
  to?: Date;
  serial?: string;
  customerId?: number;
  beforeId?: number;
  limit: number;
}

export const registrationRepository = {
  /** Inserts unless the serial is registered; returns the rows that were inserted. */
  async insertNew(db: Executor, rows: Insertable<ProductRegistrationsTable>[]) {
    if (rows.length === 0) return [];
    return db
      .insertInto('product_registrations')
      .values(rows)
      .onConflict((oc) => oc.column('serial').doNothing())
      .returningAll()
      .execute();
  },
  /** Links peripherals to the PC they were found on, all in one statement. */
  async setParents(db: Executor, links: { id: number; parentId: number }[]) {
    if (links.length === 0) return;
    await sql`
      update product_registrations p set parent_id = l.parent_id
      from unnest(${links.map((l) => l.id)}::bigint[], ${links.map((l) => l.parentId)}::bigint[]) as l(id, parent_id)
      where p.id = l.id`.execute(db);
  },
  findBySerials(db: Executor, serials: string[]) {
    if (serials.length === 0) return Promise.resolve([]);
    return db.selectFrom('product_registrations').selectAll().where('serial', 'in', serials).execute();
  },
  findById(db: Executor, id: number) {
    return db.selectFrom('product_registrations').selectAll().where('id', '=', id).executeTakeFirst();
  },
  findByIds(db: Executor, ids: number[]) {
    if (ids.length === 0) return Promise.resolve([]);
    return db.selectFrom('product_registrations').selectAll().where('id', 'in', ids).execute();
  },
  childrenOf(db: Executor, parentId: number) {
    return db.selectFrom('product_registrations').selectAll().where('parent_id', '=', parentId).orderBy('id').execute();
  },
  list(db: Executor, f: RegistrationFilter) {
    let q = db.selectFrom('product_registrations').selectAll();
    if (f.category) q = q.where('category', '=', f.category);
    if (f.model) q = q.where(sql<string>`lower(model)`, 'like', `${f.model.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    if (f.from) q = q.where('registered_at', '>=', f.from);
    if (f.to) q = q.where('registered_at', '<', f.to);
    if (f.serial) q = q.where('serial', 'like', `${f.serial.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    if (f.customerId !== undefined) q = q.where('customer_id', '=', f.customerId);
    if (f.beforeId !== undefined) q = q.where('id', '<', f.beforeId);
    return q.orderBy('id', 'desc').limit(f.limit).execute();
  },
  countByCategory(db: Executor) {
    return db
      .selectFrom('product_registrations')
      .select(['category', (eb) => eb.fn.countAll<number>().as('count')])
      .groupBy('category')
      .orderBy('category')
      .execute();
  },
  moveCustomer(db: Executor, fromId: number, toId: number) {
    return db
      .updateTable('product_registrations')
      .set({ customer_id: toId })
      .where('customer_id', '=', fromId)
      .returning('id')
      .execute()
      .then((r) => r.map((x) => x.id));
  },
  moveCustomerByIds(db: Executor, ids: number[], toId: number) {
    if (ids.length === 0) return Promise.resolve();
    return db.updateTable('product_registrations').set({ customer_id: toId }).where('id', 'in', ids).execute().then(() => undefined);
  },

  async deleteForCustomer(db: Executor, customerId: number) {
    await db.updateTable('product_registrations').set({ parent_id: null }).where('customer_id', '=', customerId).execute();
    await db.deleteFrom('product_registrations').where('customer_id', '=', customerId).execute();
  },

  // ---- the manufacturer's shipped list ----
  async shippedCount(db: Executor): Promise<{ count: number; lastImportedAt: Date | null }> {
    const r = await sql<{ count: number; last: Date | null }>`
      select count(*)::bigint as count, max(imported_at) as last from shipped_products`.execute(db);
    return { count: Number(r.rows[0]?.count ?? 0), lastImportedAt: r.rows[0]?.last ?? null };
  },
  /** True when a shipped list exists at all (cheap: stops at the first row). */
  async hasShippedList(db: Executor): Promise<boolean> {
    const r = await sql`select 1 from shipped_products limit 1`.execute(db);
    return r.rows.length > 0;
  },
  shippedBySerials(db: Executor, serials: string[]) {
    if (serials.length === 0) return Promise.resolve([]);
    return db.selectFrom('shipped_products').selectAll().where('serial', 'in', serials).execute();
  },
  /** Upserts a batch with one statement; returns how many were new. */
  async upsertShipped(
    db: Executor,
    rows: { serial: string; maker: string; model: string; category: string; shipped_on: string | null }[],
  ): Promise<{ inserted: number; updated: number }> {
    if (rows.length === 0) return { inserted: 0, updated: 0 };
    const r = await sql<{ inserted: boolean }>`
      insert into shipped_products (serial, maker, model, category, shipped_on)
      select * from unnest(${rows.map((x) => x.serial)}::text[], ${rows.map((x) => x.maker)}::text[],
        ${rows.map((x) => x.model)}::text[], ${rows.map((x) => x.category)}::text[], ${rows.map((x) => x.shipped_on)}::date[])
      on conflict (serial) do update set maker = excluded.maker, model = excluded.model,
        category = excluded.category, shipped_on = excluded.shipped_on, imported_at = now()
      returning (xmax = 0) as inserted`.execute(db);
    const inserted = r.rows.filter((x) => x.inserted).length;
    return { inserted, updated: r.rows.length - inserted };
  },
};

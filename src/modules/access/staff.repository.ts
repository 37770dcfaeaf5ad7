import type { Insertable, Selectable } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import type { StaffAccountsTable } from './access.tables.js';

export type StaffRow = Selectable<StaffAccountsTable>;

export const staffRepository = {
  findByUsername(db: Executor, username: string) {
    return db.selectFrom('staff_accounts').selectAll().where('username', '=', username).executeTakeFirst();
  },
  findById(db: Executor, id: number) {
    return db.selectFrom('staff_accounts').selectAll().where('id', '=', id).executeTakeFirst();
  },
  insert(db: Executor, row: Insertable<StaffAccountsTable>) {
    return db.insertInto('staff_accounts').values(row).returningAll().executeTakeFirstOrThrow();
  },
  list(db: Executor, filter: { storeId?: number; facilityId?: number }) {
    let q = db.selectFrom('staff_accounts').selectAll().orderBy('id');
    if (filter.storeId !== undefined) q = q.where('store_id', '=', filter.storeId);
    if (filter.facilityId !== undefined) q = q.where('facility_id', '=', filter.facilityId);
    return q.execute();
  },
  setDisabled(db: Executor, id: number, disabled: boolean) {
    return db
      .updateTable('staff_accounts')
      .set({ disabled_at: disabled ? new Date() : null })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
  },
  setPassword(db: Executor, id: number, passwordHash: string) {
    return db.updateTable('staff_accounts').set({ password_hash: passwordHash }).where('id', '=', id).executeTakeFirst();
  },
  count(db: Executor) {
    return db
      .selectFrom('staff_accounts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
      .then((r) => Number(r.n));
  },
};

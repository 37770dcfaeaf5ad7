import type { Executor } from '../../platform/db/database.js';
import type { SessionsTable } from './access.tables.js';

export const sessionsRepository = {
  insert(db: Executor, row: Omit<SessionsTable, 'created_at'>) {
    return db.insertInto('sessions').values(row).execute();
  },
  /** The live session with this hash on this surface, joined with its staff account when it has one. */
  findLive(db: Executor, idHash: Buffer, surface: SessionsTable['surface']) {
    return db
      .selectFrom('sessions as s')
      .leftJoin('staff_accounts as a', 'a.id', 's.staff_id')
      .select([
        's.staff_id',
        's.customer_id',
        's.csrf_token',
        'a.username',
        'a.display_name',
        'a.role',
        'a.store_id',
        'a.facility_id',
        'a.partner_id',
        'a.disabled_at',
      ])
      .where('s.id_hash', '=', idHash)
      .where('s.surface', '=', surface)
      .where('s.expires_at', '>', new Date())
      .executeTakeFirst();
  },
  delete(db: Executor, idHash: Buffer) {
    return db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
  },
  deleteForCustomer(db: Executor, customerId: number) {
    return db.deleteFrom('sessions').where('customer_id', '=', customerId).execute();
  },
  deleteForStaff(db: Executor, staffId: number) {
    return db.deleteFrom('sessions').where('staff_id', '=', staffId).execute();
  },
  purgeExpired(db: Executor) {
    return db.deleteFrom('sessions').where('expires_at', '<', new Date()).execute();
  },
};

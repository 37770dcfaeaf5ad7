import type { Insertable } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import type { ApiKeysTable } from './access.tables.js';

const PUBLIC_COLUMNS = [
  'id',
  'key_id',
  'kind',
  'label',
  'store_id',
  'facility_id',
  'partner_id',
  'created_by',
  'created_at',
  'last_used_at',
  'revoked_at',
] as const;

export const apiKeysRepository = {
  insert(db: Executor, row: Insertable<ApiKeysTable>) {
    return db.insertInto('api_keys').values(row).returning(PUBLIC_COLUMNS).executeTakeFirstOrThrow();
  },
  findByKeyId(db: Executor, keyId: string) {
    return db.selectFrom('api_keys').selectAll().where('key_id', '=', keyId).executeTakeFirst();
  },
  findById(db: Executor, id: number) {
    return db.selectFrom('api_keys').select(PUBLIC_COLUMNS).where('id', '=', id).executeTakeFirst();
  },
  list(db: Executor, filter: { storeId?: number; facilityId?: number; partnerId?: number }) {
    let q = db.selectFrom('api_keys').select(PUBLIC_COLUMNS).orderBy('id');
    if (filter.storeId !== undefined) q = q.where('store_id', '=', filter.storeId);
    if (filter.facilityId !== undefined) q = q.where('facility_id', '=', filter.facilityId);
    if (filter.partnerId !== undefined) q = q.where('partner_id', '=', filter.partnerId);
    return q.execute();
  },
  revoke(db: Executor, id: number) {
    return db
      .updateTable('api_keys')
      .set({ revoked_at: new Date() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .returning(PUBLIC_COLUMNS)
      .executeTakeFirst();
  },
  /** Last use is informational; updating it at most once a minute keeps hot keys cheap. */
  touch(db: Executor, id: number) {
    return db
      .updateTable('api_keys')
      .set({ last_used_at: new Date() })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', new Date(Date.now() - 60_000))]))
      .execute();
  },
};

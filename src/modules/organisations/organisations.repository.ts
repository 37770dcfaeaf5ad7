import type { Executor } from '../../platform/db/database.js';

export type OrgKind = 'stores' | 'facilities' | 'partners';

export const organisationsRepository = {
  list(db: Executor, kind: OrgKind) {
    return db.selectFrom(kind).selectAll().orderBy('id').execute();
  },
  findById(db: Executor, kind: OrgKind, id: number) {
    return db.selectFrom(kind).selectAll().where('id', '=', id).executeTakeFirst();
  },
  findByCode(db: Executor, kind: OrgKind, code: string) {
    return db.selectFrom(kind).selectAll().where('code', '=', code).executeTakeFirst();
  },
  insertStore(db: Executor, row: { code: string; name: string }) {
    return db.insertInto('stores').values(row).returningAll().executeTakeFirstOrThrow();
  },
  insertFacility(db: Executor, row: { code: string; name: string }) {
    return db.insertInto('facilities').values(row).returningAll().executeTakeFirstOrThrow();
  },
  insertPartner(db: Executor, row: { code: string; name: string; granted_fields: string[] }) {
    return db.insertInto('partners').values(row).returningAll().executeTakeFirstOrThrow();
  },
};

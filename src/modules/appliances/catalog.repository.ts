import { sql, type Insertable } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import type { ApplianceFunctionsTable, ApplianceModelsTable, ProductType } from './appliances.tables.js';

export interface ProductionRow {
  manufacturing_number: string;
  model: string;
  secret_sha256: Buffer;
}

export interface ApplianceListFilter {
  model?: string;
  productType?: ProductType;
  state?: 'locked' | 'registered';
  prefix?: string;
  customerId?: number;
  after?: string;
  limit: number;
}

/** The merchandise database: models, their function code lists and tariffs, the production list. */
export const catalogRepository = {
  models(db: Executor) {
    return db.selectFrom('appliance_models').selectAll().orderBy('model').execute();
  },
  functions(db: Executor) {
    return db.selectFrom('appliance_functions').selectAll().orderBy('model').orderBy('code').execute();
  },
  async upsertModel(db: Executor, row: Insertable<ApplianceModelsTable>) {
    await db
      .insertInto('appliance_models')
      .values(row)
      .onConflict((oc) =>
        oc.column('model').doUpdateSet({
          product_type: row.product_type,
          name: row.name,
          additional_codes: row.additional_codes!,
          basic_functions: row.basic_functions!,
          monthly_base_yen: row.monthly_base_yen!,
          discount_threshold_minutes: row.discount_threshold_minutes ?? null,
          discount_percent: row.discount_percent!,
          updated_at: new Date(),
        }),
      )
      .execute();
  },
  async replaceFunctions(db: Executor, model: string, rows: Insertable<ApplianceFunctionsTable>[]) {
    const codes = rows.map((r) => r.code);
    let del = db.deleteFrom('appliance_functions').where('model', '=', model);
    if (codes.length) del = del.where('code', 'not in', codes);
    await del.execute();
    if (rows.length === 0) return;
    await db
      .insertInto('appliance_functions')
      .values(rows)
      .onConflict((oc) =>
        oc.columns(['model', 'code']).doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          per_use_yen: eb.ref('excluded.per_use_yen'),
          per_minute_yen: eb.ref('excluded.per_minute_yen'),
        })),
      )
      .execute();
  },

  /** Upserts a batch of the production list in one statement; re-importing rotates secrets. */
  async upsertProduction(db: Executor, rows: ProductionRow[]): Promise<{ inserted: number; updated: number }> {
    if (rows.length === 0) return { inserted: 0, updated: 0 };
    const r = await sql<{ inserted: boolean }>`
      insert into appliances (manufacturing_number, model, secret_sha256)
      select * from unnest(${rows.map((x) => x.manufacturing_number)}::text[], ${rows.map((x) => x.model)}::text[],
        ${rows.map((x) => x.secret_sha256)}::bytea[])
      on conflict (manufacturing_number) do update set model = excluded.model, secret_sha256 = excluded.secret_sha256, imported_at = now()
      returning (xmax = 0) as inserted`.execute(db);
    const inserted = r.rows.filter((x) => x.inserted).length;
    return { inserted, updated: r.rows.length - inserted };
  },
  secrets(db: Executor, mfgs: string[]) {
    if (mfgs.length === 0) return Promise.resolve([]);
    return db.selectFrom('appliances').select(['manufacturing_number', 'secret_sha256']).where('manufacturing_number', 'in', mfgs).execute();
  },
  find(db: Executor, mfg: string) {
    return db.selectFrom('appliances').selectAll().where('manufacturing_number', '=', mfg).executeTakeFirst();
  },
  countByModel(db: Executor) {
    return sql<{ model: string; appliances: number; registered: number }>`
      select model, count(*)::bigint as appliances, count(registration_id)::bigint as registered
      from appliances group by model order by model`
      .execute(db)
      .then((r) => r.rows);
  },
  list(db: Executor, f: ApplianceListFilter) {
    let q = db
      .selectFrom('appliances as a')
      .innerJoin('appliance_models as m', 'm.model', 'a.model')
      .leftJoin('appliance_registrations as r', 'r.id', 'a.registration_id')
      .select([
        'a.manufacturing_number',
        'a.model',
        'm.product_type',
        'm.name as model_name',
        'a.imported_at',
        'a.last_seq',
        'a.last_seen_at',
        'r.customer_id',
        'r.registered_at',
        'r.area',
        'r.first_seq',
      ]);
    if (f.model) q = q.where('a.model', '=', f.model);
    if (f.productType) q = q.where('m.product_type', '=', f.productType);
    if (f.state === 'locked') q = q.where('a.registration_id', 'is', null);
    if (f.state === 'registered') q = q.where('a.registration_id', 'is not', null);
    if (f.prefix) q = q.where('a.manufacturing_number', 'like', `${f.prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    if (f.customerId !== undefined) q = q.where('r.customer_id', '=', f.customerId);
    if (f.after) q = q.where('a.manufacturing_number', '>', f.after);
    return q.orderBy('a.manufacturing_number').limit(f.limit).execute();
  },
};

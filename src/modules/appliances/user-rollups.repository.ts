import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import { monthsBetween, type Month } from './appliance-time.js';

/** One (scope, function, month, customer) with use; scope is 'all', 'type:<product type>' or 'model:<model>'. */
export interface UserMonthKey {
  scope: string;
  function_code: string;
  usage_month: Month;
  customer_id: number;
}

export const ALL_SCOPE = 'all';
export const typeScope = (productType: string) => `type:${productType}`;
export const modelScope = (model: string) => `model:${model}`;
export const scopesOf = (model: string, productType: string) => [ALL_SCOPE, typeScope(productType), modelScope(model)];

export type UserRollupName = 'userMonths';
export const USER_ROLLUPS: readonly UserRollupName[] = ['userMonths'];

export interface UserRange {
  from: Month;
  to: Month;
}

/**
 * The keys that follow from a registration-keyed usage source (rows with registration_id,
 * function_code, usage_month, model): each customer in each of the three scopes of the model.
 */
function keysFrom(usage: RawBuilder<unknown>) {
  return sql`
    select distinct s.scope::text, u.function_code::text, u.usage_month::date, g.customer_id::bigint
    from (${usage}) u
    join appliance_registrations g on g.id = u.registration_id
    join appliance_models m on m.model = u.model
    cross join lateral unnest(array[${ALL_SCOPE}::text, 'type:' || m.product_type, 'model:' || u.model]) as s(scope)`;
}

/** Inserts the rows of customers that have none (after a delete). */
function insertKeys(tx: Executor, keys: RawBuilder<unknown>) {
  return sql`
    insert into appliance_function_users (scope, function_code, customer_id, months)
    select scope, function_code, customer_id, array_agg(distinct usage_month) from (${keys}) k group by 1, 2, 3`.execute(tx);
}

const bumpEpoch = (tx: Executor) => sql`update appliance_user_rollups_epoch set epoch = epoch + 1`.execute(tx);

const fnFilter = (functionCode: string | null) => (functionCode ? sql`and function_code = ${functionCode}` : sql``);

/**
 * The customer-keyed user rollup (migration 20261201_0060): each customer's months with use
 * per scope × function. Derived from appliance_usage_monthly and the registrations' current
 * customers.
 */
export const userRollupsRepository = {
  /** Changes whenever rows are deleted (see KnownUserKeys). */
  async epoch(tx: Executor): Promise<number> {
    const r = await sql<{ epoch: number }>`select epoch from appliance_user_rollups_epoch`.execute(tx);
    return Number(r.rows[0]?.epoch ?? 0);
  },

  /**
   * Adds keys, one statement per month among them (a batch rarely spans two): a month is
   * appended to a customer's months only when missing. Keys already stored are filtered out
   * first, by a primary-key lookup per key (LIMIT 1 keeps it one; as NOT EXISTS the planner
   * chose an anti-join that read the whole table for every batch): ON CONFLICT DO UPDATE locks
   * the existing row even when its WHERE then skips the update, a WAL record and a dirtied page
   * per key, and a node that has just started (KnownUserKeys empty) sends mostly keys that are
   * stored. Rows go in key order so that concurrent batches lock shared rows in the same order.
   */
  async add(tx: Executor, keys: UserMonthKey[]): Promise<void> {
    const byMonth = new Map<Month, UserMonthKey[]>();
    for (const k of keys) {
      const list = byMonth.get(k.usage_month);
      if (list) list.push(k);
      else byMonth.set(k.usage_month, [k]);
    }
    for (const [month, list] of byMonth) {
      await sql`
        insert into appliance_function_users as f (scope, function_code, customer_id, months)
        select scope, fn, customer, array[${month}::date]
        from unnest(${list.map((k) => k.scope)}::text[], ${list.map((k) => k.function_code)}::text[], ${list.map((k) => k.customer_id)}::bigint[])
          as v(scope, fn, customer)
        left join lateral (
          select true as stored from appliance_function_users s
          where s.scope = v.scope and s.function_code = v.fn and s.customer_id = v.customer and s.months @> array[${month}::date]
          limit 1) s on true
        where s.stored is null
        order by 1, 2, 3
        on conflict (scope, function_code, customer_id) do update set months = f.months || excluded.months
          where not (f.months @> excluded.months)`.execute(tx);
    }
  },

  /** Rebuilds these customers' rows from the usage rollup (after a merge or its undo moved registrations). */
  async refreshCustomers(tx: Executor, customerIds: number[]): Promise<void> {
    if (customerIds.length === 0) return;
    await bumpEpoch(tx);
    await sql`delete from appliance_function_users where customer_id = any(${customerIds}::bigint[])`.execute(tx);
    await insertKeys(
      tx,
      keysFrom(sql`
        select u.registration_id, u.function_code, u.usage_month, u.model from appliance_usage_monthly u
        where u.registration_id in (select id from appliance_registrations where customer_id = any(${customerIds}::bigint[]))`),
    );
  },

  /** Replaces every row with what follows from the usage rollup, which the caller has just recomputed. */
  async rebuild(tx: Executor): Promise<void> {
    await bumpEpoch(tx);
    await sql`delete from appliance_function_users`.execute(tx);
    await insertKeys(tx, keysFrom(sql`select registration_id, function_code, usage_month, model from appliance_usage_monthly`));
  },

  /**
   * Stored rows against what follows from a usage source computed from the raw records, as
   * row sets (the caller counts the differences).
   */
  compared(range: UserRange | null, rawUsage: RawBuilder<unknown>): Record<UserRollupName, { stored: RawBuilder<unknown>; raw: RawBuilder<unknown> }> {
    const inRange = range ? sql`x between ${range.from}::date and ${range.to}::date` : sql`true`;
    return {
      userMonths: {
        stored: sql`select scope, function_code, x as usage_month, customer_id from appliance_function_users, unnest(months) x where ${inRange}`,
        raw: keysFrom(rawUsage),
      },
    };
  },

  /**
   * Per function: the customers with use in any month of the range, and the sum over them of
   * their months with use in the range ("persons · months").
   */
  async users(db: Executor, scope: string, range: UserRange, functionCode: string | null) {
    const r = await sql<{ function_code: string; persons: number; person_months: number }>`
      select function_code, count(*)::bigint as persons,
        sum((select count(*) from unnest(months) x where x between ${range.from}::date and ${range.to}::date))::bigint as person_months
      from appliance_function_users
      where scope = ${scope} and months && ${monthsBetween(range.from, range.to)}::date[] ${fnFilter(functionCode)}
      group by function_code`.execute(db);
    return new Map(r.rows.map((x) => [x.function_code, { persons: Number(x.persons), personMonths: Number(x.person_months) }]));
  },
};

import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import type { Month } from './appliance-time.js';

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

export type UserRollupName = 'userMonths' | 'usersMonthly';
export const USER_ROLLUPS: readonly UserRollupName[] = ['userMonths', 'usersMonthly'];

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

/** Inserts the rows of customers that have none (after a delete): months and monthly counts. */
function insertKeys(tx: Executor, keys: RawBuilder<unknown>) {
  return sql`
    with k as materialized (${keys}),
    users as (
      insert into appliance_function_users (scope, function_code, customer_id, months)
      select scope, function_code, customer_id, array_agg(distinct usage_month) from k group by 1, 2, 3)
    insert into appliance_users_monthly as m (scope, function_code, usage_month, users)
    select scope, function_code, usage_month, count(*) from k group by 1, 2, 3 order by 1, 2, 3
    on conflict (scope, function_code, usage_month) do update set users = m.users + excluded.users`.execute(tx);
}

const bumpEpoch = (tx: Executor) => sql`update appliance_user_rollups_epoch set epoch = epoch + 1`.execute(tx);

const inMonths = (range: UserRange | null, column = 'usage_month') =>
  range ? sql`${sql.ref(column)} between ${range.from}::date and ${range.to}::date` : sql`true`;

/**
 * The customer-keyed user rollups (migration 20261201_0060): each customer's months with use
 * per scope × function, and the number of such customers per scope × function × month.
 * Derived from appliance_usage_monthly and the registrations' current customers.
 */
export const userRollupsRepository = {
  /** Changes whenever rows are deleted (see KnownUserKeys). */
  async epoch(tx: Executor): Promise<number> {
    const r = await sql<{ epoch: number }>`select epoch from appliance_user_rollups_epoch`.execute(tx);
    return Number(r.rows[0]?.epoch ?? 0);
  },

  /**
   * Adds keys, one statement per month among them (a batch rarely spans two): a month is
   * appended to a customer's months only when missing, and only the rows really changed raise
   * that month's user count. Rows go in key order so that concurrent batches lock shared rows
   * in the same order.
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
        with added as (
          insert into appliance_function_users as f (scope, function_code, customer_id, months)
          select scope, fn, customer, array[${month}::date]
          from unnest(${list.map((k) => k.scope)}::text[], ${list.map((k) => k.function_code)}::text[], ${list.map((k) => k.customer_id)}::bigint[])
            as v(scope, fn, customer)
          order by 1, 2, 3
          on conflict (scope, function_code, customer_id) do update set months = f.months || excluded.months
            where not (f.months @> excluded.months)
          returning scope, function_code)
        insert into appliance_users_monthly as m (scope, function_code, usage_month, users)
        select scope, function_code, ${month}::date, count(*) from added group by 1, 2 order by 1, 2
        on conflict (scope, function_code, usage_month) do update set users = m.users + excluded.users`.execute(tx);
    }
  },

  /** Rebuilds these customers' rows from the usage rollup (after a merge or its undo moved registrations). */
  async refreshCustomers(tx: Executor, customerIds: number[]): Promise<void> {
    if (customerIds.length === 0) return;
    await bumpEpoch(tx);
    await sql`
      with gone as (delete from appliance_function_users where customer_id = any(${customerIds}::bigint[]) returning scope, function_code, months),
      n as (select scope, function_code, x as usage_month, count(*)::int as n from gone, unnest(months) x group by 1, 2, 3 order by 1, 2, 3)
      update appliance_users_monthly m set users = m.users - n.n
      from n where m.scope = n.scope and m.function_code = n.function_code and m.usage_month = n.usage_month`.execute(tx);
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
    await sql`delete from appliance_users_monthly`.execute(tx);
    await insertKeys(tx, keysFrom(sql`select registration_id, function_code, usage_month, model from appliance_usage_monthly`));
  },

  /**
   * Stored rows against what follows from a usage source computed from the raw records, as
   * row sets (the caller counts the differences).
   */
  compared(range: UserRange | null, rawUsage: RawBuilder<unknown>): Record<UserRollupName, { stored: RawBuilder<unknown>; raw: RawBuilder<unknown> }> {
    const raw = keysFrom(rawUsage);
    return {
      userMonths: {
        stored: sql`select scope, function_code, x as usage_month, customer_id from appliance_function_users, unnest(months) x where ${inMonths(range, 'x')}`,
        raw,
      },
      usersMonthly: {
        stored: sql`select scope, function_code, usage_month, users::bigint from appliance_users_monthly where ${inMonths(range)} and users <> 0`,
        raw: sql`select scope, function_code, usage_month, count(*)::bigint from (${raw}) k group by 1, 2, 3`,
      },
    };
  },

  /** Sum over months of the users of each function: the "persons · months". */
  async personMonths(db: Executor, scope: string, range: UserRange, functionCode: string | null) {
    const r = await sql<{ function_code: string; n: number }>`
      select function_code, sum(users)::bigint as n from appliance_users_monthly
      where scope = ${scope} and ${inMonths(range)} ${functionCode ? sql`and function_code = ${functionCode}` : sql``}
      group by function_code`.execute(db);
    return new Map(r.rows.map((x) => [x.function_code, Number(x.n)]));
  },

  /** Customers with use of each function in any month of the range. */
  async persons(db: Executor, scope: string, months: Month[], functionCode: string | null) {
    const r = await sql<{ function_code: string; n: number }>`
      select function_code, count(*)::bigint as n from appliance_function_users
      where scope = ${scope} and months && ${months}::date[] ${functionCode ? sql`and function_code = ${functionCode}` : sql``}
      group by function_code`.execute(db);
    return new Map(r.rows.map((x) => [x.function_code, Number(x.n)]));
  },
};

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

export type UserRollupName = 'userMonths' | 'usersMonthly' | 'functionUsers';
export const USER_ROLLUPS: readonly UserRollupName[] = ['userMonths', 'usersMonthly', 'functionUsers'];

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

/**
 * Adds keys in one statement: only the (scope, function, month, customer) rows really inserted
 * raise the month's user count and join the customer's months, so a key seen twice — in one
 * batch, in two batches at once, or again later — counts once. Rows go in key order so that
 * concurrent batches lock shared rows in the same order.
 */
function addKeys(tx: Executor, keys: RawBuilder<unknown>) {
  return sql`
    with added as (
      insert into appliance_user_months (scope, function_code, usage_month, customer_id)
      select * from (${keys}) k order by 1, 2, 3, 4
      on conflict do nothing
      returning scope, function_code, usage_month, customer_id),
    counted as (
      insert into appliance_users_monthly as m (scope, function_code, usage_month, users)
      select scope, function_code, usage_month, count(*) from added group by 1, 2, 3 order by 1, 2, 3
      on conflict (scope, function_code, usage_month) do update set users = m.users + excluded.users)
    insert into appliance_function_users as f (scope, function_code, customer_id, months)
    select scope, function_code, customer_id, array_agg(usage_month order by usage_month) from added group by 1, 2, 3 order by 1, 2, 3
    on conflict (scope, function_code, customer_id) do update
      set months = array(select distinct x from unnest(f.months || excluded.months) x order by x)`.execute(tx);
}

const bumpEpoch = (tx: Executor) => sql`update appliance_user_rollups_epoch set epoch = epoch + 1`.execute(tx);

const inMonths = (range: UserRange | null, column = 'usage_month') =>
  range ? sql`${sql.ref(column)} between ${range.from}::date and ${range.to}::date` : sql`true`;

/**
 * The customer-keyed user rollups (migration 20261201_0060): distinct users per scope ×
 * function × month, and each user's months per scope × function. Derived from
 * appliance_usage_monthly and the registrations' current customers.
 */
export const userRollupsRepository = {
  /** Changes whenever rows are deleted (see KnownUserKeys). */
  async epoch(tx: Executor): Promise<number> {
    const r = await sql<{ epoch: number }>`select epoch from appliance_user_rollups_epoch`.execute(tx);
    return Number(r.rows[0]?.epoch ?? 0);
  },

  async add(tx: Executor, keys: UserMonthKey[]): Promise<void> {
    if (keys.length === 0) return;
    await addKeys(
      tx,
      sql`select * from unnest(${keys.map((k) => k.scope)}::text[], ${keys.map((k) => k.function_code)}::text[],
        ${keys.map((k) => k.usage_month)}::date[], ${keys.map((k) => k.customer_id)}::bigint[])`,
    );
  },

  /** Rebuilds these customers' rows from the usage rollup (after a merge or its undo moved registrations). */
  async refreshCustomers(tx: Executor, customerIds: number[]): Promise<void> {
    if (customerIds.length === 0) return;
    await bumpEpoch(tx);
    await sql`
      with gone as (delete from appliance_user_months where customer_id = any(${customerIds}::bigint[]) returning scope, function_code, usage_month),
      n as (select scope, function_code, usage_month, count(*)::int as n from gone group by 1, 2, 3 order by 1, 2, 3)
      update appliance_users_monthly m set users = m.users - n.n
      from n where m.scope = n.scope and m.function_code = n.function_code and m.usage_month = n.usage_month`.execute(tx);
    await sql`delete from appliance_function_users where customer_id = any(${customerIds}::bigint[])`.execute(tx);
    await addKeys(
      tx,
      keysFrom(sql`
        select u.registration_id, u.function_code, u.usage_month, u.model from appliance_usage_monthly u
        where u.registration_id in (select id from appliance_registrations where customer_id = any(${customerIds}::bigint[]))`),
    );
  },

  /**
   * Replaces the rows of a range of months (or all) with what follows from the usage rollup,
   * which the caller has just recomputed; each customer's months are rebuilt whole.
   */
  async rebuild(tx: Executor, range: UserRange | null): Promise<void> {
    await bumpEpoch(tx);
    await sql`delete from appliance_user_months where ${inMonths(range)}`.execute(tx);
    await sql`
      insert into appliance_user_months (scope, function_code, usage_month, customer_id)
      ${keysFrom(sql`select registration_id, function_code, usage_month, model from appliance_usage_monthly where ${inMonths(range)}`)}`.execute(tx);
    await sql`delete from appliance_users_monthly where ${inMonths(range)}`.execute(tx);
    await sql`
      insert into appliance_users_monthly (scope, function_code, usage_month, users)
      select scope, function_code, usage_month, count(*) from appliance_user_months where ${inMonths(range)} group by 1, 2, 3`.execute(tx);
    await sql`delete from appliance_function_users`.execute(tx);
    await sql`
      insert into appliance_function_users (scope, function_code, customer_id, months)
      select scope, function_code, customer_id, array_agg(usage_month order by usage_month) from appliance_user_months group by 1, 2, 3`.execute(tx);
  },

  /**
   * Stored rows against what follows from a usage source computed from the raw records, as
   * row sets (the caller counts the differences). Months outside the range are left out of
   * each customer's months.
   */
  compared(range: UserRange | null, rawUsage: RawBuilder<unknown>): Record<UserRollupName, { stored: RawBuilder<unknown>; raw: RawBuilder<unknown> }> {
    const raw = keysFrom(rawUsage);
    const monthsIn = range ? sql`array(select x from unnest(months) x where x between ${range.from}::date and ${range.to}::date order by x)` : sql`months`;
    return {
      userMonths: {
        stored: sql`select scope, function_code, usage_month, customer_id from appliance_user_months where ${inMonths(range)}`,
        raw,
      },
      usersMonthly: {
        stored: sql`select scope, function_code, usage_month, users::bigint from appliance_users_monthly where ${inMonths(range)} and users <> 0`,
        raw: sql`select scope, function_code, usage_month, count(*)::bigint from (${raw}) k group by 1, 2, 3`,
      },
      functionUsers: {
        stored: sql`select * from (select scope, function_code, customer_id, ${monthsIn} as months from appliance_function_users) f where cardinality(months) > 0`,
        raw: sql`select scope, function_code, customer_id, array_agg(usage_month order by usage_month) as months from (${raw}) k group by 1, 2, 3`,
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

import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import type { Month } from './appliance-time.js';

export interface AnalysisScope {
  models: string[];
  functionCode: string | null;
  from: Month;
  to: Month;
}

const fnFilter = (s: AnalysisScope, column = 'function_code') => (s.functionCode ? sql`and ${sql.ref(column)} = ${s.functionCode}` : sql``);

/**
 * Analysis queries, each reading only the rollups (never the raw records), so they cost
 * the same at 50 million records as at 50 thousand.
 */
export const analysisRepository = {
  async registered(db: Executor, models: string[]) {
    const r = await sql<{ customers: number; appliances: number }>`
      select count(distinct customer_id)::bigint as customers, count(*)::bigint as appliances
      from appliance_registrations where end_seq is null and model = any(${models}::text[])`.execute(db);
    return { customers: Number(r.rows[0]?.customers ?? 0), appliances: Number(r.rows[0]?.appliances ?? 0) };
  },
  async functionTotals(db: Executor, s: AnalysisScope) {
    const r = await sql<{ function_code: string; uses: number; total_sec: number }>`
      select function_code, sum(uses)::bigint as uses, sum(total_sec)::bigint as total_sec
      from appliance_function_monthly
      where model = any(${s.models}::text[]) and usage_month between ${s.from}::date and ${s.to}::date ${fnFilter(s)}
      group by function_code order by function_code`.execute(db);
    return r.rows.map((x) => ({ functionCode: x.function_code, uses: Number(x.uses), totalSec: Number(x.total_sec) }));
  },
  async monthly(db: Executor, s: AnalysisScope) {
    const r = await sql<{ usage_month: string; function_code: string; uses: number; total_sec: number }>`
      select usage_month, function_code, sum(uses)::bigint as uses, sum(total_sec)::bigint as total_sec
      from appliance_function_monthly
      where model = any(${s.models}::text[]) and usage_month between ${s.from}::date and ${s.to}::date ${fnFilter(s)}
      group by usage_month, function_code order by usage_month, function_code`.execute(db);
    return r.rows.map((x) => ({ month: x.usage_month, functionCode: x.function_code, uses: Number(x.uses), totalSec: Number(x.total_sec) }));
  },
  async durationHistogram(db: Executor, s: AnalysisScope) {
    const r = await sql<{ bucket: number; uses: number }>`
      select bucket, sum(uses)::bigint as uses from appliance_duration_histogram
      where model = any(${s.models}::text[]) and usage_month between ${s.from}::date and ${s.to}::date ${fnFilter(s)}
      group by bucket order by bucket`.execute(db);
    return r.rows.map((x) => ({ bucket: Number(x.bucket), uses: Number(x.uses) }));
  },
  async timeHistogram(db: Executor, s: AnalysisScope) {
    const r = await sql<{ weekday: number; hour: number; uses: number }>`
      select weekday, hour, sum(uses)::bigint as uses from appliance_time_histogram
      where model = any(${s.models}::text[]) and usage_month between ${s.from}::date and ${s.to}::date ${fnFilter(s)}
      group by weekday, hour`.execute(db);
    return r.rows.map((x) => ({ weekday: Number(x.weekday), hour: Number(x.hour), uses: Number(x.uses) }));
  },
  async areas(db: Executor, s: AnalysisScope) {
    const usage = await sql<{ area: string; uses: number; total_sec: number }>`
      select area, sum(uses)::bigint as uses, sum(total_sec)::bigint as total_sec from appliance_function_monthly
      where model = any(${s.models}::text[]) and usage_month between ${s.from}::date and ${s.to}::date ${fnFilter(s)}
      group by area`.execute(db);
    const customers = await sql<{ area: string; customers: number }>`
      select area, count(distinct customer_id)::bigint as customers from appliance_registrations
      where end_seq is null and model = any(${s.models}::text[]) group by area`.execute(db);
    const out = new Map<string, { area: string; customers: number; uses: number; totalSec: number }>();
    for (const c of customers.rows) out.set(c.area, { area: c.area, customers: Number(c.customers), uses: 0, totalSec: 0 });
    for (const u of usage.rows) {
      const row = out.get(u.area) ?? { area: u.area, customers: 0, uses: 0, totalSec: 0 };
      row.uses = Number(u.uses);
      row.totalSec = Number(u.total_sec);
      out.set(u.area, row);
    }
    return [...out.values()].sort((a, b) => b.totalSec - a.totalSec || b.customers - a.customers);
  },
  /** How many appliances (of any type) the customers who own one of these models have (A-6 ownership). */
  async ownership(db: Executor, models: string[]) {
    const r = await sql<{ appliances: number; customers: number }>`
      with owners as (select distinct customer_id from appliance_registrations where end_seq is null and model = any(${models}::text[]))
      select n as appliances, count(*)::bigint as customers from (
        select r.customer_id, count(*)::int as n from appliance_registrations r join owners o on o.customer_id = r.customer_id
        where r.end_seq is null group by r.customer_id) per
      group by n order by n`.execute(db);
    return r.rows.map((x) => ({ appliances: Number(x.appliances), customers: Number(x.customers) }));
  },
};

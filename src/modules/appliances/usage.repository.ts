import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import { BUCKET_SECONDS, LAST_BUCKET, type Month } from './appliance-time.js';
import { USER_ROLLUPS, userRollupsRepository, type UserRollupName } from './user-rollups.repository.js';

export interface RecordRow {
  manufacturing_number: string;
  seq: number;
  kind: 1 | 2;
  at: Date;
  received_at: Date;
  function_code: string | null;
  param_code: string | null;
  param_value: number | null;
  duration_sec: number | null;
  continued: boolean;
  use_seq: number | null;
  bill_month: string | null;
}

export interface UsageDelta {
  registration_id: number;
  function_code: string;
  usage_month: string;
  bill_month: string;
  model: string;
  uses: number;
  total_sec: number;
  billable_min: number;
  last_use_at: Date;
}

export interface FunctionDelta {
  model: string;
  function_code: string;
  usage_month: string;
  area: string;
  uses: number;
  total_sec: number;
}

export interface DurationDelta {
  model: string;
  function_code: string;
  usage_month: string;
  bucket: number;
  uses: number;
}

export interface TimeDelta {
  model: string;
  function_code: string;
  usage_month: string;
  weekday: number;
  hour: number;
  uses: number;
}

/** Months [from, to] as instants for a range over `at`; null = everything. */
export interface MonthRange {
  from: Month;
  to: Month;
  fromInstant: Date;
  /** exclusive */
  toInstant: Date;
}

const col = <T>(rows: T[], f: (r: T) => unknown) => rows.map(f);
const MONTH_OF = (alias: string) => sql.raw(`date_trunc('month', ${alias}.at at time zone 'Asia/Tokyo')::date`);

/** The rollups as they follow from the raw records alone (the recalculation's source of truth). */
function fromRaw(range: MonthRange | null) {
  const onAt = (alias: string) =>
    range ? sql`and ${sql.raw(alias)}.at >= ${range.fromInstant} and ${sql.raw(alias)}.at < ${range.toInstant}` : sql``;
  const covering = sql`g.manufacturing_number = r.manufacturing_number and r.seq >= g.first_seq and (g.end_seq is null or r.seq < g.end_seq)`;
  return {
    usage: sql`
      select g.id::bigint as registration_id, r.function_code::text, ${MONTH_OF('r')} as usage_month, r.bill_month::date, a.model::text,
        (count(*) filter (where r.seq = r.use_seq))::int as uses, coalesce(sum(r.duration_sec), 0)::bigint as total_sec,
        coalesce(sum(ceil(r.duration_sec / 60.0)), 0)::bigint as billable_min, max(r.at) as last_use_at
      from appliance_records r
      join appliances a on a.manufacturing_number = r.manufacturing_number
      join appliance_registrations g on ${covering}
      where r.kind = 2 ${onAt('r')}
      group by 1, 2, 3, 4, 5`,
    function: sql`
      select a.model::text, r.function_code::text, ${MONTH_OF('r')} as usage_month, coalesce(g.area, '')::text as area,
        (count(*) filter (where r.seq = r.use_seq))::bigint as uses, coalesce(sum(r.duration_sec), 0)::bigint as total_sec
      from appliance_records r
      join appliances a on a.manufacturing_number = r.manufacturing_number
      left join appliance_registrations g on ${covering}
      where r.kind = 2 ${onAt('r')}
      group by 1, 2, 3, 4`,
    duration: sql`
      with uses as (
        select r.manufacturing_number, r.use_seq, sum(r.duration_sec) as sec
        from appliance_records r where r.kind = 2 ${range ? sql`and r.at >= ${range.fromInstant}` : sql``}
        group by 1, 2)
      select a.model::text, s.function_code::text, ${MONTH_OF('s')} as usage_month,
        least(floor(u.sec / ${BUCKET_SECONDS}), ${LAST_BUCKET})::smallint as bucket, count(*)::bigint as uses
      from uses u
      join appliance_records s on s.manufacturing_number = u.manufacturing_number and s.seq = u.use_seq
      join appliances a on a.manufacturing_number = u.manufacturing_number
      where true ${onAt('s')}
      group by 1, 2, 3, 4`,
    time: sql`
      select a.model::text, r.function_code::text, ${MONTH_OF('r')} as usage_month,
        extract(dow from r.at at time zone 'Asia/Tokyo')::smallint as weekday, extract(hour from r.at at time zone 'Asia/Tokyo')::smallint as hour,
        count(*)::bigint as uses
      from appliance_records r
      join appliances a on a.manufacturing_number = r.manufacturing_number
      where r.kind = 2 and r.seq = r.use_seq ${onAt('r')}
      group by 1, 2, 3, 4, 5`,
  };
}

/** The stored rollups, in the same shape as fromRaw (histogram cells emptied by moves are left out). */
function stored(range: MonthRange | null) {
  const inRange = range ? sql`where usage_month between ${range.from}::date and ${range.to}::date` : sql`where true`;
  return {
    usage: sql`select registration_id::bigint, function_code::text, usage_month, bill_month, model::text, uses::int, total_sec::bigint, billable_min::bigint, last_use_at
      from appliance_usage_monthly ${inRange}`,
    function: sql`select model::text, function_code::text, usage_month, area::text, uses::bigint, total_sec::bigint from appliance_function_monthly ${inRange}`,
    duration: sql`select model::text, function_code::text, usage_month, bucket::smallint, uses::bigint from appliance_duration_histogram ${inRange} and uses <> 0`,
    time: sql`select model::text, function_code::text, usage_month, weekday::smallint, hour::smallint, uses::bigint from appliance_time_histogram ${inRange} and uses <> 0`,
  };
}

export type RollupName = 'usage' | 'function' | 'duration' | 'time' | UserRollupName;
type RegistrationRollupName = 'usage' | 'function' | 'duration' | 'time';
const ROLLUPS: readonly RegistrationRollupName[] = ['usage', 'function', 'duration', 'time'];
const TABLE: Record<RegistrationRollupName, string> = {
  usage: 'appliance_usage_monthly',
  function: 'appliance_function_monthly',
  duration: 'appliance_duration_histogram',
  time: 'appliance_time_histogram',
};
const COLUMNS: Record<RegistrationRollupName, string> = {
  usage: 'registration_id, function_code, usage_month, bill_month, model, uses, total_sec, billable_min, last_use_at',
  function: 'model, function_code, usage_month, area, uses, total_sec',
  duration: 'model, function_code, usage_month, bucket, uses',
  time: 'model, function_code, usage_month, weekday, hour, uses',
};

async function count(db: Executor, query: RawBuilder<unknown>): Promise<number> {
  const r = await sql<{ n: number }>`select count(*)::bigint as n from (${query}) d`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

/** Rows in one set and not in the other, both ways. */
const symmetricDifference = (h: RawBuilder<unknown>, r: RawBuilder<unknown>) =>
  sql`(select * from (${h}) h1 except all select * from (${r}) r1) union all (select * from (${r}) r2 except all select * from (${h}) h2)`;

/** Raw records and the rollups kept current from them. */
export const usageRepository = {
  /** Which of these (manufacturing number, seq) pairs are stored already. */
  async existingSeqs(tx: Executor, pairs: { mfg: string; seq: number }[]): Promise<Set<string>> {
    if (pairs.length === 0) return new Set();
    // A lookup per pair through the primary key (the LIMIT keeps the planner from turning it
    // into a hash join that reads the whole table, which it did as the table grew).
    const r = await sql<{ manufacturing_number: string; seq: number }>`
      select k.mfg as manufacturing_number, k.seq
      from unnest(${col(pairs, (p) => p.mfg)}::text[], ${col(pairs, (p) => p.seq)}::bigint[]) as k(mfg, seq)
      cross join lateral (select from appliance_records r where r.manufacturing_number = k.mfg and r.seq = k.seq limit 1) hit`.execute(tx);
    return new Set(r.rows.map((x) => `${x.manufacturing_number}\u0000${x.seq}`));
  },

  /**
   * One INSERT … SELECT unnest for the whole batch; a record stored before is skipped. Instants
   * travel as epoch milliseconds (float8): formatting thousands of Dates as text for the
   * driver cost more CPU than the insert itself.
   */
  async insertRecords(tx: Executor, rows: RecordRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    const r = await sql`
      insert into appliance_records (manufacturing_number, seq, kind, at, received_at, function_code, param_code, param_value,
        duration_sec, continued, use_seq, bill_month)
      select mfg, seq, kind, to_timestamp(at_ms / 1000), to_timestamp(received_ms / 1000), fn, pc, pv, dur, cont, useq, bm
      from unnest(${col(rows, (r) => r.manufacturing_number)}::text[], ${col(rows, (r) => r.seq)}::bigint[],
        ${col(rows, (r) => r.kind)}::smallint[], ${col(rows, (r) => r.at.getTime())}::float8[], ${col(rows, (r) => r.received_at.getTime())}::float8[],
        ${col(rows, (r) => r.function_code)}::text[], ${col(rows, (r) => r.param_code)}::text[], ${col(rows, (r) => r.param_value)}::int[],
        ${col(rows, (r) => r.duration_sec)}::int[], ${col(rows, (r) => r.continued)}::boolean[], ${col(rows, (r) => r.use_seq)}::bigint[],
        ${col(rows, (r) => r.bill_month)}::date[]) as v(mfg, seq, kind, at_ms, received_ms, fn, pc, pv, dur, cont, useq, bm)
      on conflict (manufacturing_number, seq) do nothing`.execute(tx);
    return Number(r.numAffectedRows ?? 0);
  },

  async upsertUsage(tx: Executor, rows: UsageDelta[]): Promise<void> {
    if (rows.length === 0) return;
    await sql`
      insert into appliance_usage_monthly as u (registration_id, function_code, usage_month, bill_month, model, uses, total_sec, billable_min, last_use_at)
      select reg, fn, um, bm, model, uses, sec, mins, to_timestamp(last_ms / 1000)
      from unnest(${col(rows, (r) => r.registration_id)}::bigint[], ${col(rows, (r) => r.function_code)}::text[],
        ${col(rows, (r) => r.usage_month)}::date[], ${col(rows, (r) => r.bill_month)}::date[], ${col(rows, (r) => r.model)}::text[],
        ${col(rows, (r) => r.uses)}::int[], ${col(rows, (r) => r.total_sec)}::bigint[], ${col(rows, (r) => r.billable_min)}::bigint[],
        ${col(rows, (r) => r.last_use_at.getTime())}::float8[]) as v(reg, fn, um, bm, model, uses, sec, mins, last_ms)
      on conflict (registration_id, function_code, usage_month, bill_month) do update set
        uses = u.uses + excluded.uses, total_sec = u.total_sec + excluded.total_sec,
        billable_min = u.billable_min + excluded.billable_min, last_use_at = greatest(u.last_use_at, excluded.last_use_at)`.execute(tx);
  },
  async upsertFunction(tx: Executor, rows: FunctionDelta[]): Promise<void> {
    if (rows.length === 0) return;
    await sql`
      insert into appliance_function_monthly as f (model, function_code, usage_month, area, uses, total_sec)
      select * from unnest(${col(rows, (r) => r.model)}::text[], ${col(rows, (r) => r.function_code)}::text[],
        ${col(rows, (r) => r.usage_month)}::date[], ${col(rows, (r) => r.area)}::text[], ${col(rows, (r) => r.uses)}::bigint[],
        ${col(rows, (r) => r.total_sec)}::bigint[])
      on conflict (model, function_code, usage_month, area) do update set
        uses = f.uses + excluded.uses, total_sec = f.total_sec + excluded.total_sec`.execute(tx);
  },
  async upsertDuration(tx: Executor, rows: DurationDelta[]): Promise<void> {
    if (rows.length === 0) return;
    await sql`
      insert into appliance_duration_histogram as h (model, function_code, usage_month, bucket, uses)
      select * from unnest(${col(rows, (r) => r.model)}::text[], ${col(rows, (r) => r.function_code)}::text[],
        ${col(rows, (r) => r.usage_month)}::date[], ${col(rows, (r) => r.bucket)}::smallint[], ${col(rows, (r) => r.uses)}::bigint[])
      on conflict (model, function_code, usage_month, bucket) do update set uses = h.uses + excluded.uses`.execute(tx);
  },
  async upsertTime(tx: Executor, rows: TimeDelta[]): Promise<void> {
    if (rows.length === 0) return;
    await sql`
      insert into appliance_time_histogram as h (model, function_code, usage_month, weekday, hour, uses)
      select * from unnest(${col(rows, (r) => r.model)}::text[], ${col(rows, (r) => r.function_code)}::text[],
        ${col(rows, (r) => r.usage_month)}::date[], ${col(rows, (r) => r.weekday)}::smallint[], ${col(rows, (r) => r.hour)}::smallint[],
        ${col(rows, (r) => r.uses)}::bigint[])
      on conflict (model, function_code, usage_month, weekday, hour) do update set uses = h.uses + excluded.uses`.execute(tx);
  },

  /** Rows that differ between the stored rollups and a recomputation from the raw records, per rollup. */
  async differences(db: Executor, range: MonthRange | null): Promise<Record<RollupName, number>> {
    const raw = fromRaw(range);
    const have = stored(range);
    const out = {} as Record<RollupName, number>;
    for (const name of ROLLUPS) out[name] = await count(db, symmetricDifference(have[name], raw[name]));
    const users = userRollupsRepository.compared(range, raw.usage);
    for (const name of USER_ROLLUPS) out[name] = await count(db, symmetricDifference(users[name].stored, users[name].raw));
    return out;
  },

  /** Replaces the rollups of the range (or all) with a recomputation from the raw records. */
  async recompute(tx: Executor, range: MonthRange | null): Promise<void> {
    const raw = fromRaw(range);
    for (const name of ROLLUPS) {
      const table = sql.raw(TABLE[name]);
      if (range) await sql`delete from ${table} where usage_month between ${range.from}::date and ${range.to}::date`.execute(tx);
      else await sql`delete from ${table}`.execute(tx);
      await sql`insert into ${table} (${sql.raw(COLUMNS[name])}) select * from (${raw[name]}) s`.execute(tx);
    }
    // The customer-keyed user rollups are rebuilt whole (each customer's months are one row).
    await userRollupsRepository.rebuild(tx);
  },

  usageOfRegistrations(db: Executor, registrationIds: number[]) {
    if (registrationIds.length === 0) return Promise.resolve([]);
    return db
      .selectFrom('appliance_usage_monthly')
      .selectAll()
      .where('registration_id', 'in', registrationIds)
      .orderBy('registration_id')
      .orderBy('usage_month')
      .orderBy('function_code')
      .execute();
  },

  recordsOf(db: Executor, mfg: string, limit: number, beforeSeq?: number) {
    let q = db.selectFrom('appliance_records').selectAll().where('manufacturing_number', '=', mfg);
    if (beforeSeq !== undefined) q = q.where('seq', '<', beforeSeq);
    return q.orderBy('seq', 'desc').limit(limit).execute();
  },
};

import { sql, type Kysely } from 'kysely';
import { fmt } from './table.js';

/** Server settings that load pg_stat_statements (embedded server; an external one needs them itself). */
export const PG_STATEMENTS_SETTINGS = { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track_planning': 'on' };

/** pg_stat_statements over a measuring window (--pg-statements): where PostgreSQL's time went. */
export interface StatementStats {
  reset(): Promise<void>;
  /** `what` names the work done in the window, e.g. "records stored". */
  print(count: number, what?: string): Promise<void>;
}

export async function statementStats(db: Kysely<any>, say: (line: string) => void): Promise<StatementStats | null> {
  try {
    await sql`create extension if not exists pg_stat_statements`.execute(db);
    await sql`select pg_stat_statements_reset()`.execute(db);
  } catch (err) {
    say(`--pg-statements: pg_stat_statements is not available (${(err as Error).message}); going on without it`);
    return null;
  }
  // What the benchmark's backends are doing, sampled every 50 ms: working (CPU), waiting for a lock,
  // for I/O, or for the next statement from Node (Client: ClientRead).
  let waits = new Map<string, number>();
  let sampler: NodeJS.Timeout | null = null;
  const sample = async () => {
    const r = await sql<{ w: string }>`
      select coalesce(wait_event_type || ': ' || wait_event, 'working (CPU)') as w from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'
        and (state = 'active' or state like 'idle in transaction%')`.execute(db);
    for (const { w } of r.rows) waits.set(w, (waits.get(w) ?? 0) + 1);
  };
  return {
    reset: async () => {
      await sql`select pg_stat_statements_reset()`.execute(db);
      waits = new Map();
      sampler = setInterval(() => void sample().catch(() => undefined), 50);
    },
    print: async (count, what = 'records stored') => {
      if (sampler) clearInterval(sampler);
      sampler = null;
      const r = await sql<{ calls: number; ms: number; rows: number; query: string }>`
        select calls, total_exec_time + total_plan_time as ms, rows, regexp_replace(query, '\\s+', ' ', 'g') as query
        from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database())
          and query not like '%pg_stat_activity%' -- the sampler's own query
        order by 2 desc limit 12`.execute(db);
      const total = r.rows.reduce((a, x) => a + Number(x.ms), 0);
      say(`  PostgreSQL statements in the window (${fmt(count)} ${what}; execution + planning time, wall):`);
      for (const x of r.rows) {
        say(`    ${fmt(Number(x.ms), 0).padStart(7)} ms ${((100 * Number(x.ms)) / total).toFixed(0).padStart(3)}%  ${fmt(Number(x.calls)).padStart(6)} calls  ${x.query.slice(0, 110)}`);
      }
      const samples = [...waits.values()].reduce((a, b) => a + b, 0);
      say(`  Backends in a transaction, sampled every 50 ms (${fmt(samples)} backend samples): busy transactions were`);
      for (const [w, n] of [...waits].sort((a, b) => b[1] - a[1]).slice(0, 8)) say(`    ${((100 * n) / samples).toFixed(0).padStart(3)}%  ${w}`);
    },
  };
}

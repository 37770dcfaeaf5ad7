import { sql } from 'kysely';
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../../platform/db/database.js';
import type { JobQueue } from '../../platform/jobs.js';
import { NotFoundError, ValidationError } from '../../platform/errors.js';
import { addMonths, monthOf, monthStart, nextMonth, type Month } from './appliance-time.js';
import { ROLLUP_LOCK_KEY } from './usage-ingest.service.js';
import { usageRepository as repo, type MonthRange, type RollupName } from './usage.repository.js';

export const JOB_RECALCULATE = 'appliances.recalculate';
/** On the 1st of every month at 03:00 UTC (12:00 in Japan): last month and this one. */
export const RECALCULATE_CRON = '0 3 1 * *';

export function monthRange(from: Month, to: Month): MonthRange {
  return { from, to, fromInstant: monthStart(from), toInstant: monthStart(nextMonth(to)) };
}

/**
 * The periodic and on-demand update of the analysis: the rollups are kept current as
 * records arrive; this recomputes them from the raw records for a range of months (or all)
 * and replaces them, reporting how many rollup rows differed. It holds the rollups' lock
 * exclusively while it works, so ingest batches wait (and appliances' acknowledgements are
 * delayed) for its duration: seconds for a month of a few million records.
 */
export class RecalculationService {
  constructor(
    private readonly db: Db,
    private readonly jobs: JobQueue,
    private readonly logger?: FastifyBaseLogger,
  ) {}

  /** Rows that differ between the rollups and a recomputation (0 everywhere = consistent). */
  async differences(range: { from: Month; to: Month } | null): Promise<Record<RollupName, number>> {
    return repo.differences(this.db, range ? monthRange(range.from, range.to) : null);
  }

  /** Queues a recalculation; the job does the work. */
  async request(by: string, range: { from: Month; to: Month } | null) {
    if (range && range.from > range.to) throw new ValidationError([{ field: 'from', message: 'must not be after to' }]);
    const row = await this.db.transaction().execute(async (tx) => {
      const r = await tx
        .insertInto('appliance_recalculations')
        .values({ requested_by: by, from_month: range?.from ?? null, to_month: range?.to ?? null })
        .returningAll()
        .executeTakeFirstOrThrow();
      await this.jobs.send(JOB_RECALCULATE, { id: r.id }, { tx });
      return r;
    });
    return this.view(row);
  }

  /** Runs a recalculation now, in this process (the CLI and benchmarks; the console queues a job). */
  async runNow(by: string, range: { from: Month; to: Month } | null) {
    const r = await this.db
      .insertInto('appliance_recalculations')
      .values({ requested_by: by, from_month: range?.from ?? null, to_month: range?.to ?? null })
      .returning('id')
      .executeTakeFirstOrThrow();
    return this.run(r.id);
  }

  /** The job: a requested recalculation, or (scheduled) last month and this one. */
  async runJob(data: { id?: number }): Promise<void> {
    let id = data.id;
    if (id === undefined) {
      const to = monthOf(new Date());
      const row = await this.db
        .insertInto('appliance_recalculations')
        .values({ requested_by: 'schedule', from_month: addMonths(to, -1), to_month: to })
        .returning('id')
        .executeTakeFirstOrThrow();
      id = row.id;
    }
    await this.run(id);
  }

  /** Runs one recalculation now and records the outcome. */
  async run(id: number) {
    const row = await this.db.selectFrom('appliance_recalculations').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFoundError('recalculation', id);
    if (row.finished_at) return this.view(row);
    await this.db.updateTable('appliance_recalculations').set({ started_at: new Date(), error: null }).where('id', '=', id).execute();
    const range = row.from_month && row.to_month ? monthRange(row.from_month, row.to_month) : null;
    try {
      const changed = await this.db.transaction().execute(async (tx) => {
        await sql`select pg_advisory_xact_lock(${ROLLUP_LOCK_KEY})`.execute(tx);
        await sql`set local work_mem = '256MB'`.execute(tx);
        // Drift is measured for ranges (the monthly job); a full recalculation skips it, it
        // would read every record twice.
        const diff = range ? await repo.differences(tx, range) : null;
        await repo.recompute(tx, range);
        return diff ? Object.values(diff).reduce((s, n) => s + n, 0) : null;
      });
      const done = await this.db
        .updateTable('appliance_recalculations')
        .set({ finished_at: new Date(), changed_rows: changed })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      if (changed) this.logger?.warn({ recalculation: id, changedRows: changed }, 'appliance rollups differed from the raw records and were corrected');
      return this.view(done);
    } catch (err) {
      await this.db.updateTable('appliance_recalculations').set({ error: (err as Error).message }).where('id', '=', id).execute();
      throw err;
    }
  }

  async recent(limit = 20) {
    const rows = await this.db.selectFrom('appliance_recalculations').selectAll().orderBy('id', 'desc').limit(limit).execute();
    return rows.map((r) => this.view(r));
  }

  async get(id: number) {
    const row = await this.db.selectFrom('appliance_recalculations').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFoundError('recalculation', id);
    return this.view(row);
  }

  private view(r: {
    id: number;
    from_month: string | null;
    to_month: string | null;
    requested_by: string;
    requested_at: Date;
    started_at: Date | null;
    finished_at: Date | null;
    changed_rows: number | null;
    error: string | null;
  }) {
    return {
      id: r.id,
      from: r.from_month?.slice(0, 7) ?? null,
      to: r.to_month?.slice(0, 7) ?? null,
      requestedBy: r.requested_by,
      requestedAt: r.requested_at.toISOString(),
      startedAt: r.started_at?.toISOString() ?? null,
      finishedAt: r.finished_at?.toISOString() ?? null,
      status: r.error ? 'failed' : r.finished_at ? 'done' : r.started_at ? 'running' : 'queued',
      changedRows: r.changed_rows === null ? null : Number(r.changed_rows),
      error: r.error,
    };
  }
}

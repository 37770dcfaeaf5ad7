import type PgBoss from 'pg-boss';
import { CompiledQuery } from 'kysely';
import type { FastifyBaseLogger } from 'fastify';
import type { Db, Executor } from './db/database.js';

export interface JobOptions {
  retryLimit?: number;
  /** Seconds before the first retry; doubles each time with retryBackoff. */
  retryDelay?: number;
  retryBackoff?: boolean;
  /** Jobs fetched per poll (the handler runs once per job). */
  batchSize?: number;
  /** Workers polling this queue in this process. */
  concurrency?: number;
  pollingIntervalSeconds?: number;
  expireInSeconds?: number;
}

export interface SendOptions {
  /** Queue the job in this transaction: it exists (and runs) only if the transaction commits. */
  tx?: Executor;
  singletonKey?: string;
  startAfter?: Date | number;
}

type Handler = (data: any, job: { id: string; retryCount: number }) => Promise<void>;

/**
 * pg-boss's statements through our pool. After `stop()` a handler that outlived the stop's
 * timeout may still report its job done or failed while the pool is being closed; those writes
 * are dropped (the job stays active and pg-boss retries it once it expires) instead of failing
 * inside pg-boss's worker loop.
 */
const executorOf = (db: Executor, stopped: () => boolean): PgBoss.Db => ({
  executeSql: async (text, values) => {
    if (stopped()) return { rows: [] };
    const result = await db.executeQuery(CompiledQuery.raw(text, values ?? []));
    return { rows: result.rows as any[] };
  },
});

/**
 * Jobs and schedules in PostgreSQL (pg-boss, in its own `pgboss` schema): no extra server.
 * Modules define handlers at wiring time; `start()` creates the queues and begins polling.
 * Jobs queued with `tx` are inserted by that transaction, so a rollback queues nothing and
 * side effects (mail, MQTT replies) happen only after the data they describe committed.
 */
export class JobQueue {
  private loading: Promise<PgBoss> | undefined;
  private readonly handlers = new Map<string, { handler: Handler; options: JobOptions }>();
  private readonly schedules: { name: string; cron: string; data: object }[] = [];
  private started = false;
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly logger?: FastifyBaseLogger,
  ) {}

  /** pg-boss loads on first use: CLI commands that queue nothing do not pay for loading it. */
  private boss(): Promise<PgBoss> {
    this.loading ??= import('pg-boss').then(({ default: PgBossClass }) => {
      const boss = new PgBossClass({ db: executorOf(this.db, () => this.stopped), schema: 'pgboss', supervise: true, schedule: true, migrate: true });
      boss.on('error', (err) => this.logger?.error({ err }, 'job queue error'));
      return boss;
    });
    return this.loading;
  }

  define(name: string, handler: Handler, options: JobOptions = {}): void {
    if (this.handlers.has(name)) throw new Error(`job ${name} defined twice`);
    this.handlers.set(name, { handler, options });
  }

  /** A cron schedule (UTC) that sends `name` with `data`; kept in PostgreSQL, one sender across nodes. */
  schedule(name: string, cron: string, data: object = {}): void {
    this.schedules.push({ name, cron, data });
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.stopped = false;
    const boss = await this.boss();
    await boss.start();
    for (const [name, { handler, options }] of this.handlers) {
      await boss.createQueue(name, {
        name,
        retryLimit: options.retryLimit ?? 5,
        retryDelay: options.retryDelay ?? 10,
        retryBackoff: options.retryBackoff ?? true,
        ...(options.expireInSeconds ? { expireInSeconds: options.expireInSeconds } : {}),
      });
      for (let i = 0; i < (options.concurrency ?? 1); i++) {
        await boss.work(
          name,
          { batchSize: options.batchSize ?? 1, pollingIntervalSeconds: options.pollingIntervalSeconds ?? 1, includeMetadata: true },
          async (jobs: PgBoss.JobWithMetadata<any>[]) => {
            for (const job of jobs) await handler(job.data, { id: job.id, retryCount: job.retryCount });
          },
        );
      }
    }
    for (const s of this.schedules) await boss.schedule(s.name, s.cron, s.data, { tz: 'UTC' });
    this.started = true;
  }

  async send(name: string, data: object, options: SendOptions = {}): Promise<string | null> {
    if (!this.handlers.has(name)) throw new Error(`job ${name} is not defined`);
    const { tx, ...rest } = options;
    return (await this.boss()).send(name, data, {
      ...rest,
      ...(tx ? { db: executorOf(tx, () => false) } : {}),
    });
  }

  /** Many jobs in one statement (e.g. one per chunk of a campaign). */
  async sendMany(name: string, data: object[], options: { tx?: Executor } = {}): Promise<void> {
    if (!this.handlers.has(name)) throw new Error(`job ${name} is not defined`);
    if (data.length === 0) return;
    const boss = await this.boss();
    for (let i = 0; i < data.length; i += 1000) {
      await boss.insert(
        data.slice(i, i + 1000).map((d) => ({ name, data: d })),
        options.tx ? { db: executorOf(options.tx, () => false) } : {},
      );
    }
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await (await this.boss()).stop({ graceful: true, wait: true, timeout: 10_000 });
    this.stopped = true;
  }

  /** For operators and tests: failed jobs are kept, not lost. */
  async jobsInState(name: string, state: 'created' | 'retry' | 'active' | 'completed' | 'failed') {
    const r = await (await this.boss()).getDb().executeSql(
      'select id, data, state, retry_count, output from pgboss.job where name = $1 and state = $2 order by created_on',
      [name, state],
    );
    return r.rows as { id: string; data: unknown; state: string; retry_count: number; output: unknown }[];
  }
}

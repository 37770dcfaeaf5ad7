import { CronExpressionParser } from 'cron-parser';
import type { Selectable } from 'kysely';
import type { Db, Executor } from '../../platform/db/database.js';
import type { JobQueue } from '../../platform/jobs.js';
import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors.js';
import { campaignsRepository, runsRepository, sendLogRepository } from './messaging.repository.js';
import type { CampaignKind, CampaignRunsTable, CampaignsTable } from './messaging.tables.js';
import type { SegmentsService } from './segments.service.js';
import type { TemplatesService } from './templates.service.js';

export interface CampaignInput {
  name: string;
  templateId: number;
  segmentId?: number | null;
  kind: CampaignKind;
  sendAt?: string | null;
  cron?: string | null;
  triggerName?: string | null;
}

export interface CampaignView {
  id: number;
  name: string;
  templateId: number;
  segmentId: number | null;
  kind: CampaignKind;
  sendAt: string | null;
  cron: string | null;
  triggerName: string | null;
  status: string;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface RunView {
  id: number;
  campaignId: number;
  runKey: string;
  status: string;
  total: number | null;
  segmentMs: number | null;
  startedAt: string;
  finishedAt: string | null;
  progress: Record<string, number>;
}

export const JOB_PREPARE = 'messaging.prepare';
export const JOB_DELIVER = 'messaging.deliver';
export const JOB_PRINT = 'messaging.print';
export const JOB_TICK = 'messaging.tick';

const view = (r: Selectable<CampaignsTable>): CampaignView => ({
  id: r.id,
  name: r.name,
  templateId: r.template_id,
  segmentId: r.segment_id,
  kind: r.kind,
  sendAt: r.send_at?.toISOString() ?? null,
  cron: r.cron,
  triggerName: r.trigger_name,
  status: r.status,
  createdBy: r.created_by,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

export function runView(r: Selectable<CampaignRunsTable>, progress: Record<string, number> = {}): RunView {
  return {
    id: r.id,
    campaignId: r.campaign_id,
    runKey: r.run_key,
    status: r.status,
    total: r.total,
    segmentMs: r.segment_ms,
    startedAt: r.started_at.toISOString(),
    finishedAt: r.finished_at?.toISOString() ?? null,
    progress,
  };
}

/**
 * Campaigns and their state: draft → scheduled → sending → done, or cancelled; a sending
 * campaign can be paused and resumed. Starting one creates a run; the jobs of the delivery
 * service do the work.
 */
export class CampaignsService {
  constructor(
    private readonly db: Db,
    private readonly jobs: JobQueue,
    private readonly templates: TemplatesService,
    private readonly segments: SegmentsService,
    private readonly chunkSize = 500,
  ) {}

  async list(): Promise<CampaignView[]> {
    return (await campaignsRepository.list(this.db)).map(view);
  }

  async get(id: number): Promise<CampaignView> {
    const row = await campaignsRepository.find(this.db, id);
    if (!row) throw new NotFoundError('campaign', id);
    return view(row);
  }

  async create(input: CampaignInput, createdBy: string | null): Promise<CampaignView> {
    const problems = [];
    await this.templates.get(input.templateId).catch(() => problems.push({ field: 'templateId', message: 'does not exist' }));
    if (input.kind === 'triggered') {
      if (!input.triggerName?.match(/^[a-z0-9_.-]{1,64}$/)) problems.push({ field: 'triggerName', message: 'is required for a triggered campaign (a-z, 0-9, _ . -)' });
    } else if (!input.segmentId) {
      problems.push({ field: 'segmentId', message: 'is required' });
    } else {
      await this.segments.get(input.segmentId).catch(() => problems.push({ field: 'segmentId', message: 'does not exist' }));
    }
    if (input.kind === 'scheduled' && (!input.sendAt || Number.isNaN(Date.parse(input.sendAt)))) {
      problems.push({ field: 'sendAt', message: 'is required for a scheduled campaign (ISO date-time)' });
    }
    if (input.kind === 'recurring') {
      try {
        CronExpressionParser.parse(input.cron ?? '', { tz: 'UTC' });
        if (!input.cron) throw new Error('missing');
      } catch {
        problems.push({ field: 'cron', message: 'must be a cron expression such as "0 9 * * 1" (UTC)' });
      }
    }
    if (problems.length) throw new ValidationError(problems);
    const row = await campaignsRepository.insert(this.db, {
      name: input.name.trim(),
      template_id: input.templateId,
      segment_id: input.kind === 'triggered' ? null : (input.segmentId ?? null),
      kind: input.kind,
      send_at: input.kind === 'scheduled' ? new Date(input.sendAt!) : null,
      cron: input.kind === 'recurring' ? input.cron! : null,
      trigger_name: input.kind === 'triggered' ? input.triggerName! : null,
      created_by: createdBy,
    });
    return view(row);
  }

  /**
   * Draft → scheduled (scheduled, recurring and triggered campaigns wait for their time or
   * event) or straight to sending (one-off). Starting a started campaign is a no-op.
   */
  async start(id: number): Promise<CampaignView> {
    return this.db.transaction().execute(async (tx) => {
      const c = await campaignsRepository.lock(tx, id);
      if (!c) throw new NotFoundError('campaign', id);
      if (c.status !== 'draft') return view(c);
      if (c.kind === 'one_off') {
        await this.createRun(tx, c.id, 'once');
        return view(await campaignsRepository.update(tx, id, { status: 'sending' }));
      }
      return view(await campaignsRepository.update(tx, id, { status: 'scheduled' }));
    });
  }

  /** Creates a run (idempotent per run key) and queues its preparation after commit. */
  async createRun(tx: Executor, campaignId: number, runKey: string): Promise<number | null> {
    const run = await runsRepository.insert(tx, { campaign_id: campaignId, run_key: runKey });
    if (!run) return null;
    await this.jobs.send(JOB_PREPARE, { runId: run.id }, { tx });
    return run.id;
  }

  async pause(id: number): Promise<CampaignView> {
    return this.db.transaction().execute(async (tx) => {
      const c = await campaignsRepository.lock(tx, id);
      if (!c) throw new NotFoundError('campaign', id);
      if (c.status === 'paused') return view(c);
      if (c.status !== 'sending' && c.status !== 'scheduled') {
        throw new ConflictError('campaign_not_running', `A ${c.status} campaign cannot be paused`);
      }
      await runsRepository.setStatusOfCampaign(tx, id, ['preparing', 'sending'], 'paused');
      return view(await campaignsRepository.update(tx, id, { status: 'paused' }));
    });
  }

  async resume(id: number): Promise<CampaignView> {
    return this.db.transaction().execute(async (tx) => {
      const c = await campaignsRepository.lock(tx, id);
      if (!c) throw new NotFoundError('campaign', id);
      if (c.status !== 'paused') throw new ConflictError('campaign_not_paused', `Campaign ${id} is ${c.status}, not paused`);
      const paused = (await runsRepository.ofCampaign(tx, id)).filter((r) => r.status === 'paused');
      for (const run of paused) {
        if (run.total === null) {
          // Paused before its audience was queued: prepare it now.
          await runsRepository.update(tx, run.id, { status: 'preparing' });
          await this.jobs.send(JOB_PREPARE, { runId: run.id }, { tx });
        } else {
          // Delivery jobs that found the run paused ended without work: queue the rest again.
          await runsRepository.update(tx, run.id, { status: 'sending' });
          await this.queueDelivery(tx, run.id);
        }
      }
      const next = c.kind === 'one_off' || paused.length ? 'sending' : 'scheduled';
      return view(await campaignsRepository.update(tx, id, { status: next }));
    });
  }

  async cancel(id: number): Promise<CampaignView> {
    return this.db.transaction().execute(async (tx) => {
      const c = await campaignsRepository.lock(tx, id);
      if (!c) throw new NotFoundError('campaign', id);
      if (c.status === 'cancelled') return view(c);
      if (c.status === 'done') throw new ConflictError('campaign_done', `Campaign ${id} is already done`);
      const runs = await runsRepository.setStatusOfCampaign(tx, id, ['preparing', 'sending', 'paused'], 'cancelled');
      for (const r of runs) await sendLogRepository.cancelQueued(tx, r.id);
      return view(await campaignsRepository.update(tx, id, { status: 'cancelled' }));
    });
  }

  async runs(campaignId: number): Promise<RunView[]> {
    await this.get(campaignId);
    const runs = await runsRepository.ofCampaign(this.db, campaignId);
    return Promise.all(runs.map(async (r) => runView(r, await sendLogRepository.runProgress(this.db, r.id))));
  }

  async run(runId: number): Promise<RunView> {
    const r = await runsRepository.find(this.db, runId);
    if (!r) throw new NotFoundError('campaign run', runId);
    return runView(r, await sendLogRepository.runProgress(this.db, runId));
  }

  /** One delivery job per chunk of queued messages. */
  async queueDelivery(db: Executor, runId: number): Promise<number> {
    const chunks = await sendLogRepository.queuedChunks(db, runId, this.chunkSize);
    await this.jobs.sendMany(JOB_DELIVER, chunks.map((c) => ({ runId, from: c.from, to: c.to })), { tx: db });
    return chunks.length;
  }

  /**
   * Runs every minute: starts scheduled campaigns whose time has come and recurring ones whose
   * cron fired since their last run. Run keys make a tick on several nodes start one run.
   */
  async tick(now = new Date()): Promise<void> {
    for (const c of await campaignsRepository.dueScheduled(this.db, now)) {
      await this.db.transaction().execute(async (tx) => {
        const locked = await campaignsRepository.lock(tx, c.id);
        if (locked?.status !== 'scheduled') return;
        await this.createRun(tx, c.id, 'once');
        await campaignsRepository.update(tx, c.id, { status: 'sending' });
      });
    }
    for (const c of await campaignsRepository.activeRecurring(this.db)) {
      const previous = CronExpressionParser.parse(c.cron!, { tz: 'UTC', currentDate: now }).prev().toDate();
      // A firing from before the campaign was started (or last changed state) is not owed.
      if (previous < c.updated_at) continue;
      await this.db.transaction().execute(async (tx) => {
        const runId = await this.createRun(tx, c.id, previous.toISOString());
        if (runId !== null) await campaignsRepository.update(tx, c.id, { status: 'sending' });
      });
    }
  }
}

import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Db, Executor } from '../../platform/db/database.js';
import type { JobQueue } from '../../platform/jobs.js';
import type { Actor } from '../../platform/auth/principal.js';
import { platformSecret } from '../../platform/secrets.js';
import { NotFoundError } from '../../platform/errors.js';
import type { CustomersService, MessagingProfile } from '../customers/index.js';
import { EmailSender, SendError } from './email-sender.js';
import type { MessageContextRegistry } from './message-context.js';
import { campaignsRepository, runsRepository, sendLogRepository, templatesRepository, type QueuedRow } from './messaging.repository.js';
import type { MessageChannel, SendStatus } from './messaging.tables.js';
import { addressLines, hasPostalAddress, writeLetters, type Letter } from './postal-print.js';
import type { SegmentsService } from './segments.service.js';
import { renderTemplate } from './template-renderer.js';
import { templateView, type TemplateView } from './templates.service.js';
import { signUnsubscribe, verifyUnsubscribe } from './unsubscribe-token.js';
import { JOB_DELIVER, JOB_PRINT, type CampaignsService } from './campaigns.service.js';

interface Outcome {
  id: number;
  status: SendStatus;
  error: string | null;
  recipient: string | null;
  subject: string | null;
  messageId: string | null;
}

export interface TriggerRequest {
  customerId: number;
  /** Makes the trigger idempotent: the same key never sends twice (e.g. `purchase:123`). */
  key: string;
  /** Data for the template, under `trigger`. */
  context?: Record<string, unknown>;
  /** Queue in the caller's transaction: nothing is sent if it rolls back. */
  tx?: Executor;
}

const INTERRUPTED_AFTER_MS = 10 * 60_000;

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Sending. Preparation turns a run's segment into queued send-log rows (one set-based
 * statement); delivery jobs claim chunks of rows, check consent at that moment, render and send,
 * and record each outcome. Rows are claimed (committed as `sending`) before any mail leaves,
 * so retries, crashes and restarts never send one key twice.
 */
export class DeliveryService {
  private secret: Buffer | undefined;
  private portalUrl: string;

  constructor(
    private readonly db: Db,
    private readonly jobs: JobQueue,
    private readonly customers: CustomersService,
    private readonly segments: SegmentsService,
    private readonly campaigns: CampaignsService,
    private readonly context: MessageContextRegistry,
    private readonly email: EmailSender,
    private readonly options: { portalUrl: string; dataDir: string; concurrency: number },
  ) {
    this.portalUrl = options.portalUrl;
  }

  /** Where unsubscribe links point (set once the portal's public address is known). */
  setPortalUrl(url: string): void {
    this.portalUrl = url.replace(/\/$/, '');
  }

  private async signingKey(): Promise<Buffer> {
    this.secret ??= await platformSecret(this.db, 'unsubscribe');
    return this.secret;
  }

  async unsubscribeUrl(sendLogId: number, customerId: number, channel: MessageChannel): Promise<string> {
    return `${this.portalUrl}/u/${signUnsubscribe(await this.signingKey(), sendLogId, customerId, channel)}`;
  }

  async verifyUnsubscribeToken(token: string) {
    return verifyUnsubscribe(await this.signingKey(), token);
  }

  // ---- jobs ----

  async prepare(runId: number): Promise<void> {
    const run = await runsRepository.find(this.db, runId);
    if (!run || run.status !== 'preparing') return;
    const campaign = await campaignsRepository.find(this.db, run.campaign_id);
    const template = campaign && (await templatesRepository.find(this.db, campaign.template_id));
    if (!campaign || !template || !campaign.segment_id) return;
    const segment = await this.segments.get(campaign.segment_id);
    await this.db.transaction().execute(async (tx) => {
      const started = performance.now();
      const total = await sendLogRepository.queueSegment(tx, {
        runId,
        campaignId: campaign.id,
        keyPrefix: `c${campaign.id}:${run.run_key}:`,
        channel: template.channel,
        ids: this.segments.idsSql(segment.definition),
      });
      await runsRepository.update(tx, runId, { status: 'sending', total, segment_ms: Math.round(performance.now() - started) });
      await this.campaigns.queueDelivery(tx, runId);
      if (total === 0) await this.completeIfFinished(tx, runId);
    });
  }

  /** One chunk of a run (or one triggered message). */
  async deliver(job: { runId: number | null; from: number; to: number }): Promise<void> {
    if (job.runId !== null) {
      const run = await runsRepository.find(this.db, job.runId);
      if (!run || run.status !== 'sending') return; // paused or cancelled: resume queues the rest again
    }
    const rows = await sendLogRepository.claim(this.db, job.from, job.to);
    if (rows.length === 0) return;
    const ids = [...new Set(rows.map((r) => r.customer_id))];
    const [profiles, contexts] = await Promise.all([this.customers.messagingProfiles(ids), this.context.load(ids)]);
    const templates = new Map<number, TemplateView>();
    const campaignNames = new Map<number, string>();
    for (const campaignId of new Set(rows.map((r) => r.campaign_id).filter((x): x is number => x !== null))) {
      const c = await campaignsRepository.find(this.db, campaignId);
      const t = c && (await templatesRepository.find(this.db, c.template_id));
      if (c && t) {
        templates.set(campaignId, templateView(t));
        campaignNames.set(campaignId, c.name);
      }
    }

    let temporaryFailure: string | null = null;
    const outcomes = await mapLimit(rows, this.options.concurrency, async (row): Promise<Outcome> => {
      const profile = profiles.get(row.customer_id);
      const template = row.campaign_id === null ? undefined : templates.get(row.campaign_id);
      const base = { id: row.id, error: null, recipient: null, subject: null, messageId: null };
      if (!profile || profile.status !== 'active' || !template) {
        return { ...base, status: 'cancelled', error: 'the customer or the campaign no longer exists' };
      }
      if (!profile.consent[row.channel]) return { ...base, status: 'skipped_no_consent' };
      const view = await this.view(row, profile, contexts.get(row.customer_id) ?? {}, campaignNames.get(row.campaign_id!) ?? '');
      const rendered = renderTemplate(template, view);
      if (row.channel === 'postal_mail') {
        if (!hasPostalAddress(profile.personal)) return { ...base, status: 'skipped_no_address' };
        return { ...base, status: 'sent', recipient: addressLines(profile.personal).join(' '), subject: rendered.subject };
      }
      const to = profile.personal.email;
      if (!to) return { ...base, status: 'skipped_no_address' };
      const messageId = `<${createHash('sha256').update(row.idempotency_key).digest('hex').slice(0, 24)}.${row.id}@clientele>`;
      const unsubscribe = view.unsubscribeUrl as string;
      const text = rendered.bodyText.includes(unsubscribe) ? rendered.bodyText : `${rendered.bodyText}\n\n--\n配信停止 / Unsubscribe: ${unsubscribe}\n`;
      const html =
        rendered.bodyHtml === null || rendered.bodyHtml.includes(unsubscribe)
          ? rendered.bodyHtml
          : `${rendered.bodyHtml}<hr><p style="font-size:12px"><a href="${unsubscribe}">配信停止 / Unsubscribe</a></p>`;
      try {
        await this.email.send({
          to,
          subject: rendered.subject,
          text,
          html,
          messageId,
          headers: {
            'List-Unsubscribe': `<${unsubscribe}>`,
            'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
            'X-Clientele-Send-Id': String(row.id),
          },
        });
        return { ...base, status: 'sent', recipient: to, subject: rendered.subject, messageId };
      } catch (err) {
        const e = err instanceof SendError ? err : new SendError(String(err), true);
        if (e.temporary) {
          temporaryFailure = e.message;
          return { ...base, status: 'queued', error: `temporary: ${e.message}`, recipient: to, subject: rendered.subject };
        }
        return { ...base, status: 'failed', error: e.message, recipient: to, subject: rendered.subject };
      }
    });
    await sendLogRepository.finish(this.db, outcomes);
    if (temporaryFailure) {
      // The job fails and pg-boss retries it with backoff; the retry claims only the rows put back to queued.
      throw new Error(`temporary delivery failure, will retry: ${temporaryFailure}`);
    }
    if (job.runId !== null) await this.completeIfFinished(this.db, job.runId);
  }

  private async view(row: QueuedRow, profile: MessagingProfile, extra: Record<string, unknown>, campaignName: string) {
    return {
      customer: {
        ...profile.personal,
        customerNumber: profile.customerNumber,
        registrationNo: profile.registrationNoFormatted,
        rank: profile.rank,
      },
      ...extra,
      trigger: row.context ?? {},
      campaign: { name: campaignName },
      unsubscribeUrl: await this.unsubscribeUrl(row.id, row.customer_id, row.channel),
    };
  }

  private async completeIfFinished(db: Executor, runId: number): Promise<void> {
    // Called after every chunk: a probe for one pending row, not a count over a million.
    if (await sendLogRepository.hasPending(db, runId)) return;
    const progress = await sendLogRepository.runProgress(db, runId);
    const run = await runsRepository.find(db, runId);
    if (!run || run.status !== 'sending') return;
    await runsRepository.update(db, runId, { status: 'done', finished_at: new Date() });
    const campaign = await campaignsRepository.find(db, run.campaign_id);
    if (campaign && campaign.status === 'sending') {
      await campaignsRepository.update(db, campaign.id, { status: campaign.kind === 'recurring' ? 'scheduled' : 'done' });
    }
    if ((progress.sent ?? 0) > 0 && campaign) {
      const template = await templatesRepository.find(db, campaign.template_id);
      if (template?.channel === 'postal_mail') await this.jobs.send(JOB_PRINT, { runId });
    }
  }

  /** Rows a crashed worker left in `sending` become failed (never resent), so runs can finish. */
  async recoverInterrupted(): Promise<number> {
    const rows = await sendLogRepository.markInterrupted(this.db, new Date(Date.now() - INTERRUPTED_AFTER_MS));
    for (const runId of new Set(rows.map((r) => r.run_id).filter((x): x is number => x !== null))) {
      await this.completeIfFinished(this.db, runId);
    }
    return rows.length;
  }

  printFile(runId: number): string {
    return path.join(this.options.dataDir, 'print', `campaign-run-${runId}.pdf`);
  }

  /** The print shop's file: every letter of a postal run in one PDF. */
  async print(runId: number): Promise<{ file: string; pages: number }> {
    const run = await runsRepository.find(this.db, runId);
    if (!run) throw new NotFoundError('campaign run', runId);
    const campaign = (await campaignsRepository.find(this.db, run.campaign_id))!;
    const template = templateView((await templatesRepository.find(this.db, campaign.template_id))!);
    const self = this;
    async function* letters(): AsyncGenerator<Letter[]> {
      let after = 0;
      for (;;) {
        const page = await sendLogRepository.postalSentPage(self.db, runId, after, 500);
        if (page.length === 0) return;
        after = page[page.length - 1]!.id;
        const ids = page.map((p) => p.customer_id);
        const [profiles, contexts] = await Promise.all([self.customers.messagingProfiles(ids), self.context.load(ids)]);
        const out: Letter[] = [];
        for (const row of page) {
          const profile = profiles.get(row.customer_id);
          if (!profile) continue;
          const view = await self.view(
            { ...row, channel: 'postal_mail', idempotency_key: '', campaign_id: campaign.id, run_id: runId, attempts: 0 },
            profile,
            contexts.get(row.customer_id) ?? {},
            campaign.name,
          );
          const r = renderTemplate(template, view);
          out.push({ personal: profile.personal, subject: r.subject, body: r.bodyText, qrUrl: template.qrUrl ? renderTemplate({ subject: template.qrUrl, bodyText: '', bodyHtml: null }, view).subject : null });
        }
        yield out;
      }
    }
    const file = this.printFile(runId);
    const pages = await writeLetters(file, letters(), campaign.name);
    return { file, pages };
  }

  // ---- triggered messages ----

  /**
   * Sends the campaigns armed for `trigger` to one customer (W-9 replenishment, W-11 alerts,
   * C-4 visits …). Idempotent on `key`; with `tx`, nothing is queued unless it commits.
   */
  async sendTriggered(trigger: string, request: TriggerRequest): Promise<number> {
    const db = request.tx ?? this.db;
    const campaigns = await campaignsRepository.activeTriggered(db, trigger);
    let queued = 0;
    for (const c of campaigns) {
      const template = await templatesRepository.find(db, c.template_id);
      if (!template) continue;
      const row = await sendLogRepository.insertOne(db, {
        idempotency_key: `t${c.id}:${request.key}:${request.customerId}:${template.channel}`,
        campaign_id: c.id,
        trigger_name: trigger,
        customer_id: request.customerId,
        channel: template.channel,
        context: request.context ? JSON.stringify(request.context) : null,
      });
      if (!row) continue;
      await this.jobs.send(JOB_DELIVER, { runId: null, from: row.id, to: row.id }, request.tx ? { tx: request.tx } : {});
      queued++;
    }
    return queued;
  }

  /** The one-click unsubscribe: withdraws the channel's consent in the ledger. */
  async unsubscribe(token: string, actor: Actor): Promise<{ customerId: number; channel: MessageChannel } | null> {
    const parsed = await this.verifyUnsubscribeToken(token);
    if (!parsed) return null;
    const row = await sendLogRepository.find(this.db, parsed.sendLogId);
    if (!row || row.customer_id !== parsed.customerId) {
      // The customer was merged since: the survivor holds the consent now.
      if (!row) return null;
    }
    await this.customers
      .setConsent({ ...actor, type: 'customer', id: String(row.customer_id), label: 'unsubscribe link' }, row.customer_id, parsed.channel, false, 'unsubscribe link')
      .catch((err) => {
        if ((err as { code?: string }).code !== 'customer_erased') throw err;
      });
    return { customerId: row.customer_id, channel: parsed.channel };
  }
}

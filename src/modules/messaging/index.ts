import type { Config } from '../../config.js';
import type { Db } from '../../platform/db/database.js';
import type { JobQueue } from '../../platform/jobs.js';
import type { Surface } from '../../platform/http/surface.js';
import { CUSTOMER_SEGMENT_CRITERIA, type CustomersModule } from '../customers/index.js';
import { CampaignsService, JOB_DELIVER, JOB_PREPARE, JOB_PRINT, JOB_TICK } from './campaigns.service.js';
import { DeliveryService } from './delivery.service.js';
import { EmailSender } from './email-sender.js';
import { MessageContextRegistry } from './message-context.js';
import { messageSent } from './messaging.criteria.js';
import { messagingLifecycle } from './messaging.lifecycle.js';
import { registerMessagingConsoleRoutes, registerUnsubscribeRoutes } from './messaging.routes.js';
import { SegmentCriteriaRegistry } from './segment-criteria.registry.js';
import { SegmentsService } from './segments.service.js';
import { TemplatesService } from './templates.service.js';

export type { MessageContextProvider } from './message-context.js';
export type { TriggerRequest } from './delivery.service.js';

/**
 * Messaging: the one way Clientele talks to customers. Other modules add segment criteria
 * (`criteria.register`), template data (`context.register`) and send event-triggered messages
 * (`sendTriggered(name, { customerId, key, context, tx })`).
 */
export function createMessagingModule(deps: { db: Db; config: Config; jobs: JobQueue; customers: CustomersModule }) {
  const { db, config, jobs, customers } = deps;
  const criteria = new SegmentCriteriaRegistry();
  criteria.register(...CUSTOMER_SEGMENT_CRITERIA, messageSent);
  const context = new MessageContextRegistry();
  const templates = new TemplatesService(db);
  const segments = new SegmentsService(db, criteria, customers.service);
  const campaigns = new CampaignsService(db, jobs, templates, segments, config.mail.chunkSize);
  const email = new EmailSender({ smtpUrl: config.mail.smtpUrl, from: config.mail.from, connections: config.mail.connections, dataDir: config.dataDir });
  const delivery = new DeliveryService(db, jobs, customers.service, segments, campaigns, context, email, {
    portalUrl: config.mail.portalPublicUrl,
    dataDir: config.dataDir,
    concurrency: config.mail.connections * 2,
  });
  customers.lifecycle.register(messagingLifecycle);

  jobs.define(JOB_PREPARE, (data: { runId: number }) => delivery.prepare(data.runId), { retryLimit: 3 });
  jobs.define(JOB_DELIVER, (data: { runId: number | null; from: number; to: number }) => delivery.deliver(data), {
    retryLimit: 8,
    retryDelay: 5,
    retryBackoff: true,
    concurrency: config.mail.sendWorkers,
    pollingIntervalSeconds: 0.5,
  });
  jobs.define(JOB_PRINT, async (data: { runId: number }) => void (await delivery.print(data.runId)), { retryLimit: 2 });
  jobs.define(JOB_TICK, async () => {
    await campaigns.tick();
    await delivery.recoverInterrupted();
  });
  jobs.schedule(JOB_TICK, '* * * * *');

  const routeDeps = { db, templates, segments, campaigns, delivery, criteria, context, customers: customers.service };
  return {
    criteria,
    context,
    templates,
    segments,
    campaigns,
    delivery,
    email,
    sendTriggered: delivery.sendTriggered.bind(delivery),
    registerConsoleRoutes: (app: Surface) => registerMessagingConsoleRoutes(app, routeDeps),
    registerPortalRoutes: (app: Surface) => registerUnsubscribeRoutes(app, delivery),
    close: () => email.close(),
  };
}

export type MessagingModule = ReturnType<typeof createMessagingModule>;

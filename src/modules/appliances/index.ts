import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../../config.js';
import type { Db } from '../../platform/db/database.js';
import type { JobQueue } from '../../platform/jobs.js';
import type { Surface } from '../../platform/http/surface.js';
import type { CustomersModule } from '../customers/index.js';
import { AnalysisService } from './analysis.service.js';
import { registerApplianceConsoleRoutes } from './appliances-console.routes.js';
import { registerApplianceIngestRoutes } from './appliances-ingest.routes.js';
import { applianceUsed } from './appliances.criteria.js';
import { appliancesLifecycle, JOB_ANNOUNCE_STATES } from './appliances.lifecycle.js';
import { ApplianceMqtt } from './appliances.mqtt.js';
import { BillingService } from './billing.service.js';
import { CatalogService } from './catalog.service.js';
import { DeviceAuthenticator } from './device-auth.js';
import { JOB_RECALCULATE, RECALCULATE_CRON, RecalculationService } from './recalculation.service.js';
import { JOB_SYNC_IDENTIFIER, UsageIngestService, type IngestOptions } from './usage-ingest.service.js';

export type { ApplianceState, IngestOutcome, IngestObserver } from './usage-ingest.service.js';
export type { ModelInput, ModelView } from './catalog.service.js';
export type { MqttStatus } from './appliances.mqtt.js';
export { recordsTopic, stateTopic, errorsTopic } from './appliances.mqtt.js';
export { PRODUCTION_COLUMNS } from './catalog.service.js';

/**
 * Connected appliances (SPEC A-1 … A-9): the merchandise database, first use and usage
 * records over MQTT (embedded aedes or an external broker) and HTTP, rollups for analysis,
 * rental billing. Other modules use it through this object only.
 */
export function createAppliancesModule(deps: {
  db: Db;
  config: Config;
  jobs: JobQueue;
  customers: CustomersModule;
  logger?: FastifyBaseLogger | undefined;
  ingestOptions?: IngestOptions;
}) {
  const { db, config, jobs, customers, logger } = deps;
  const catalog = new CatalogService(db);
  const ingest = new UsageIngestService(db, catalog, customers.service, jobs, deps.ingestOptions, logger);
  const deviceAuth = new DeviceAuthenticator(catalog);
  const analysis = new AnalysisService(db, catalog);
  const billing = new BillingService(db, catalog, customers.service);
  const recalculation = new RecalculationService(db, jobs, logger);
  const mqtt = new ApplianceMqtt(config.mqtt, ingest, deviceAuth, logger);
  customers.lifecycle.register(appliancesLifecycle(jobs));

  jobs.define(JOB_SYNC_IDENTIFIER, (data: { manufacturingNumber: string }) => ingest.syncIdentifier(data.manufacturingNumber), { retryLimit: 10 });
  jobs.define(JOB_ANNOUNCE_STATES, (data: { manufacturingNumbers: string[] }) => ingest.announceStates(data.manufacturingNumbers), { retryLimit: 3 });
  jobs.define(JOB_RECALCULATE, (data: { id?: number }) => recalculation.runJob(data), { retryLimit: 2, expireInSeconds: 6 * 3600 });
  jobs.schedule(JOB_RECALCULATE, RECALCULATE_CRON);

  return {
    catalog,
    ingest,
    deviceAuth,
    analysis,
    billing,
    recalculation,
    /** Segment criteria for messaging ("used appliance function Z"). */
    segmentCriteria: [applianceUsed],
    /** The MQTT side: `start()` in `clientele start` (embedded broker, or the external broker's consumer). */
    mqtt,
    registerIngestRoutes: (app: Surface) => registerApplianceIngestRoutes(app, { ingest, deviceAuth }),
    registerConsoleRoutes: (app: Surface) =>
      registerApplianceConsoleRoutes(app, { db, catalog, analysis, billing, recalculation, customers: customers.service }),
  };
}

export type AppliancesModule = ReturnType<typeof createAppliancesModule>;

import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { Config, SurfaceName } from './config.js';
import { SURFACES } from './config.js';
import type { Db } from './platform/db/database.js';
import { JobQueue } from './platform/jobs.js';
import type { Surface } from './platform/http/surface.js';
import { projectRoot } from './platform/paths.js';
import { AccessService } from './modules/access/access.service.js';
import { registerAccessAdminRoutes, registerIngestWhoAmI, registerStaffAuthRoutes } from './modules/access/access.routes.js';
import { AuditService } from './modules/audit/audit.service.js';
import { createCustomersModule, type CustomersModule } from './modules/customers/index.js';
import { OrganisationsService } from './modules/organisations/organisations.service.js';
import { registerOrganisationRoutes } from './modules/organisations/organisations.routes.js';
import { createRegistrationModule, type RegistrationModule } from './modules/registration/index.js';
import { createMessagingModule, type MessagingModule } from './modules/messaging/index.js';
import { createAppliancesModule, type AppliancesModule } from './modules/appliances/index.js';

/** Every module's public service, wired once per process. */
export interface Services {
  db: Db;
  config: Config;
  /** Background jobs and schedules; modules define handlers while wiring, `start()` runs them. */
  jobs: JobQueue;
  audit: AuditService;
  access: AccessService;
  organisations: OrganisationsService;
  customers: CustomersModule;
  registration: RegistrationModule;
  messaging: MessagingModule;
  appliances: AppliancesModule;
}

export function buildServices(db: Db, config: Config, logger?: FastifyBaseLogger): Services {
  const jobs = new JobQueue(db, logger);
  const audit = new AuditService(db);
  const access = new AccessService(db, config);
  const customers = createCustomersModule({ db, audit, access });
  const organisations = new OrganisationsService(db, customers.partnerGrantableFields);
  const registration = createRegistrationModule({ db, audit, access, customers });
  const messaging = createMessagingModule({ db, config, jobs, customers });
  const appliances = createAppliancesModule({ db, config, jobs, customers, logger });
  messaging.criteria.register(...appliances.segmentCriteria);
  return { db, config, jobs, audit, access, organisations, customers, registration, messaging, appliances };
}

const TITLES: Record<SurfaceName, [string, string]> = {
  console: ['Clientele staff console API', 'For staff: customers, identifiers, consent, audit, access management.'],
  portal: ['Clientele customer portal API', 'For customers: their own data, consent and export.'],
  partner: ['Clientele partner exchange API', 'For related companies: read-only, only the fields granted to the partner.'],
  ingest: ['Clientele ingest API', 'For devices, readers, store terminals and trackers, authenticated by API key.'],
};

/** Builds the four surfaces, each with only its own routes, in a fixed order: platform, then modules. */
export async function buildSurfaces(services: Services, logger: FastifyBaseLogger): Promise<Record<SurfaceName, Surface>> {
  const { db, config, access, organisations, customers, registration, messaging, appliances } = services;
  // Fastify and its plugins load here, not with the services: CLI commands never need them.
  const { createSurface } = await import('./platform/http/surface.js');
  const make = (name: SurfaceName, spaDir?: string) =>
    createSurface({
      name,
      title: TITLES[name][0],
      description: TITLES[name][1],
      db,
      logger,
      trustProxy: config.trustProxy,
      authenticate: access.authenticatorFor(name),
      ...(spaDir ? { spaDir } : {}),
    });

  const consoleApp = await make('console', path.join(projectRoot(), 'web', 'console', 'dist'));
  registerStaffAuthRoutes(consoleApp, access, 'console');
  registerAccessAdminRoutes(consoleApp, access);
  registerOrganisationRoutes(consoleApp, organisations);
  customers.registerConsoleRoutes(consoleApp);
  registration.registerConsoleRoutes(consoleApp);
  messaging.registerConsoleRoutes(consoleApp);
  appliances.registerConsoleRoutes(consoleApp);

  const portal = await make('portal');
  customers.registerPortalRoutes(portal);
  registration.registerPortalRoutes(portal);
  messaging.registerPortalRoutes(portal);

  const partner = await make('partner');
  registerStaffAuthRoutes(partner, access, 'partner');
  customers.registerPartnerRoutes(partner, async (partnerId) => (await organisations.getPartner(partnerId)).grantedFields);

  const ingest = await make('ingest');
  registerIngestWhoAmI(ingest);
  appliances.registerIngestRoutes(ingest);

  const surfaces = { console: consoleApp, portal, partner, ingest };
  await Promise.all(SURFACES.map((s) => surfaces[s].ready()));
  return surfaces;
}

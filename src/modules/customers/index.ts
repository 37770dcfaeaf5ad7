import type { Db } from '../../platform/db/database.js';
import type { Surface } from '../../platform/http/surface.js';
import type { AccessService } from '../access/access.service.js';
import type { AuditService } from '../audit/audit.service.js';
import { CustomerLifecycleRegistry } from './customer-lifecycle.js';
import { CustomerMergeService } from './customer-merge.service.js';
import { CustomerPrivacyService } from './customer-privacy.service.js';
import { PARTNER_GRANTABLE_FIELDS } from './customer-views.js';
import { CustomersImportService } from './customers-import.service.js';
import { registerConsoleCustomerRoutes } from './customers.routes.js';
import { CustomersService } from './customers.service.js';
import { registerPartnerCustomerRoutes } from './partner.routes.js';
import { registerPortalRoutes } from './portal.routes.js';

export type { CustomerLifecycleHooks } from './customer-lifecycle.js';
export type { CustomerView, CustomerSummary } from './customer-views.js';
export type { IdentifierKind, ConsentChannel } from './customers.tables.js';
export type { PersonalInput, Personal } from './personal-info.js';
export { CustomersService, type MessagingProfile } from './customers.service.js';
export { CUSTOMER_SEGMENT_CRITERIA } from './customers.segment-criteria.js';
export { formatRegistrationNo, parseRegistrationNo } from './registration-number.js';
export { normaliseForSearch } from './normalise.js';

/** The customers module: its services and the routes it contributes to each surface. */
export function createCustomersModule(deps: { db: Db; audit: AuditService; access: AccessService }) {
  const { db, audit, access } = deps;
  const lifecycle = new CustomerLifecycleRegistry();
  const customers = new CustomersService(db, audit, access.throttle);
  const merge = new CustomerMergeService(db, customers, audit, lifecycle);
  const privacy = new CustomerPrivacyService(db, customers, audit, lifecycle, (id) => access.endCustomerSessions(id));
  const importer = new CustomersImportService(db, audit);
  return {
    service: customers,
    merge,
    privacy,
    importer,
    lifecycle,
    partnerGrantableFields: PARTNER_GRANTABLE_FIELDS,
    registerConsoleRoutes: (app: Surface) => registerConsoleCustomerRoutes(app, { customers, merge, privacy, audit }),
    registerPortalRoutes: (app: Surface) => registerPortalRoutes(app, { customers, privacy, access }),
    registerPartnerRoutes: (app: Surface, grantedFields: (partnerId: number) => Promise<string[]>) =>
      registerPartnerCustomerRoutes(app, { customers, grantedFields }),
  };
}

export type CustomersModule = ReturnType<typeof createCustomersModule>;

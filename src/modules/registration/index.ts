import type { Db } from '../../platform/db/database.js';
import type { Surface } from '../../platform/http/surface.js';
import type { AccessService } from '../access/access.service.js';
import type { AuditService } from '../audit/audit.service.js';
import type { CustomersModule } from '../customers/index.js';
import { registrationLifecycle } from './registration.lifecycle.js';
import { registerRegistrationConsoleRoutes, registerRegistrationPortalRoutes } from './registration.routes.js';
import { RegistrationService } from './registration.service.js';
import { ShippedProductsService } from './shipped-products.service.js';

export type { ProductView, RegistrationResult, ProductInput } from './registration.service.js';
export { canonicalSerial } from './serial.js';

/** Product registration: the dialogue the PC agent drives, and the console's views of it. */
export function createRegistrationModule(deps: { db: Db; audit: AuditService; access: AccessService; customers: CustomersModule }) {
  const { db, audit, access, customers } = deps;
  const registration = new RegistrationService(db, customers.service, audit);
  const shipped = new ShippedProductsService(db);
  customers.lifecycle.register(registrationLifecycle);
  const routeDeps = { registration, shipped, customers: customers.service, access };
  return {
    service: registration,
    shipped,
    registerPortalRoutes: (app: Surface) => registerRegistrationPortalRoutes(app, routeDeps),
    registerConsoleRoutes: (app: Surface) => registerRegistrationConsoleRoutes(app, routeDeps),
  };
}

export type RegistrationModule = ReturnType<typeof createRegistrationModule>;

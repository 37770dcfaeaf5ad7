import type { AccessTables } from '../../modules/access/access.tables.js';
import type { AppliancesTables } from '../../modules/appliances/appliances.tables.js';
import type { AuditTables } from '../../modules/audit/audit.tables.js';
import type { CustomersTables } from '../../modules/customers/customers.tables.js';
import type { PlatformTables } from '../secrets.js';
import type { MessagingTables } from '../../modules/messaging/messaging.tables.js';
import type { OrganisationsTables } from '../../modules/organisations/organisations.tables.js';
import type { RegistrationTables } from '../../modules/registration/registration.tables.js';

/**
 * The whole schema as Kysely sees it. Each module declares its own tables in
 * `<module>.tables.ts`; only that module's repositories query them.
 */
export interface Database extends AccessTables, AppliancesTables, AuditTables, CustomersTables, MessagingTables, OrganisationsTables, PlatformTables, RegistrationTables {}

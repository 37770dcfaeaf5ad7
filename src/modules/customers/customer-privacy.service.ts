import type { Db } from '../../platform/db/database.js';
import type { Actor } from '../../platform/auth/principal.js';
import { ValidationError } from '../../platform/errors.js';
import type { AuditService } from '../audit/audit.service.js';
import type { CustomerLifecycleRegistry } from './customer-lifecycle.js';
import type { CustomerView } from './customer-views.js';
import { customersRepository as repo } from './customers.repository.js';
import type { CustomersService } from './customers.service.js';
import { PERSONAL_FIELDS, columnsFor, type PersonalInput } from './personal-info.js';

/** Per-customer data export and erasure (the customer's right of access and to be forgotten). */
export class CustomerPrivacyService {
  constructor(
    private readonly db: Db,
    private readonly customers: CustomersService,
    private readonly audit: AuditService,
    private readonly lifecycle: CustomerLifecycleRegistry,
    private readonly onErased: (customerId: number) => Promise<void>,
  ) {}

  /** Everything Clientele holds about one customer, as one JSON document. */
  async export(actor: Actor, customerId: number): Promise<Record<string, unknown>> {
    const customer = await this.customers.get(customerId);
    const modules: Record<string, unknown> = {};
    for (const h of this.lifecycle.all()) if (h.exportData) modules[h.name] = await h.exportData(this.db, customerId);
    const document = {
      format: 'clientele.customer-export/1',
      exportedAt: new Date().toISOString(),
      customer,
      consentHistory: await this.customers.consentHistory(customerId),
      auditTrail: await this.audit.forCustomer(customerId, 10_000),
      modules,
    };
    await this.db.transaction().execute((tx) =>
      this.audit.record(tx, { actor, action: 'customer.export', customerId }),
    );
    return document;
  }

  /**
   * Removes personal info, releases identifiers, withdraws consent, ends portal sessions and
   * redacts recorded values in the audit trail. The anonymous record and its history remain.
   */
  async erase(actor: Actor, customerId: number, confirmRegistrationNo: string): Promise<CustomerView> {
    const view = await this.db.transaction().execute(async (tx) => {
      const [row] = await repo.lockByIds(tx, [customerId]);
      const active = await this.customers.getActiveRow(customerId, tx);
      if (!row || confirmRegistrationNo.replace(/\D/g, '') !== active.registration_no) {
        throw new ValidationError([{ field: 'confirmRegistrationNo', message: 'does not match the customer’s registration number' }]);
      }
      // Its registration numbers (own and merged-in) are released by the status change itself.
      const numbers = await repo.registrationNumbersHeld(tx, customerId);
      const released = [
        ...numbers.map(() => ({ kind: 'registration_no' })),
        ...(await repo.deleteIdentifiersOf(tx, customerId)),
      ];
      const consents = await repo.currentConsentOf(tx, customerId);
      for (const c of consents.filter((x) => x.granted)) {
        await repo.appendConsent(tx, { customer_id: customerId, channel: c.channel as 'email', granted: false, source: 'erasure', surface: actor.surface });
      }
      await repo.recomputeConsent(tx, customerId);
      const cleared = Object.fromEntries(PERSONAL_FIELDS.map((f) => [f, null])) as PersonalInput;
      await repo.update(tx, customerId, {
        ...columnsFor(cleared),
        portal_password_hash: null,
        status: 'erased',
        erased_at: new Date(),
        updated_at: new Date(),
      });
      for (const h of this.lifecycle.all()) if (h.onErase) await h.onErase(tx, customerId);
      await this.audit.redactCustomer(tx, customerId);
      await this.audit.record(tx, {
        actor,
        action: 'customer.erase',
        customerId,
        details: { identifiersReleased: released.length, identifierKinds: [...new Set(released.map((r) => r.kind))] },
      });
      return this.customers.get(customerId, tx);
    });
    await this.onErased(customerId);
    return view;
  }
}

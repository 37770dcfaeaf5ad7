import type { Db } from '../../platform/db/database.js';
import type { Actor } from '../../platform/auth/principal.js';
import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors.js';
import type { AuditService } from '../audit/audit.service.js';
import type { CustomerLifecycleRegistry } from './customer-lifecycle.js';
import type { CustomerView } from './customer-views.js';
import { customersRepository as repo } from './customers.repository.js';
import type { CustomersService } from './customers.service.js';
import { columnsFor, personalOf, PERSONAL_FIELDS, type PersonalInput } from './personal-info.js';

/** What a merge moved, stored in its audit record so the merge can be undone from it. */
interface MergeRecord {
  survivorId: number;
  loserId: number;
  identifierIds: number[];
  consentEventIds: number[];
  filledFields: PersonalInput;
  hooks: Record<string, unknown>;
}

/**
 * Merging two records of one person: the loser's identifiers, consent ledger and every
 * module's history move to the survivor in one transaction; blanks in the survivor's personal
 * info are filled from the loser. The audit record holds everything needed to undo it.
 */
export class CustomerMergeService {
  constructor(
    private readonly db: Db,
    private readonly customers: CustomersService,
    private readonly audit: AuditService,
    private readonly lifecycle: CustomerLifecycleRegistry,
  ) {}

  async merge(actor: Actor, survivorId: number, loserId: number): Promise<{ customer: CustomerView; mergeId: number }> {
    if (survivorId === loserId) {
      throw new ValidationError([{ field: 'otherCustomerNumber', message: 'cannot merge a customer into itself' }]);
    }
    return this.db.transaction().execute(async (tx) => {
      const rows = await repo.lockByIds(tx, [survivorId, loserId]);
      const survivor = rows.find((r) => r.id === survivorId);
      const loser = rows.find((r) => r.id === loserId);
      if (!survivor) throw new NotFoundError('customer', survivorId);
      if (!loser) throw new NotFoundError('customer', loserId);
      await this.customers.getActiveRow(survivorId, tx);
      await this.customers.getActiveRow(loserId, tx);

      const identifierIds = await repo.moveIdentifiers(tx, loserId, survivorId);
      const consentEventIds = await repo.moveConsentEvents(tx, loserId, survivorId);
      await repo.recomputeConsent(tx, survivorId);
      await repo.recomputeConsent(tx, loserId);

      const survivorInfo = personalOf(survivor);
      const loserInfo = personalOf(loser);
      const filledFields: PersonalInput = {};
      for (const f of PERSONAL_FIELDS) if (survivorInfo[f] === null && loserInfo[f] !== null) filledFields[f] = loserInfo[f];
      const patch = Object.keys(filledFields).length ? columnsFor(filledFields, survivorInfo) : {};
      await repo.update(tx, survivorId, { ...patch, updated_at: new Date() });
      await repo.update(tx, loserId, { status: 'merged', merged_into: survivorId, updated_at: new Date() });

      const hooks: Record<string, unknown> = {};
      for (const h of this.lifecycle.all()) {
        if (h.onMerge) hooks[h.name] = (await h.onMerge(tx, { survivorId, loserId })) ?? null;
      }
      const record: MergeRecord = { survivorId, loserId, identifierIds, consentEventIds, filledFields, hooks };
      const mergeId = await this.audit.record(tx, {
        actor,
        action: 'customer.merge',
        customerId: survivorId,
        before: Object.fromEntries(Object.keys(filledFields).map((f) => [f, null])),
        after: { ...filledFields },
        details: { ...record },
      });
      await this.audit.record(tx, {
        actor,
        action: 'customer.merged_into',
        customerId: loserId,
        details: { mergeId, survivorId },
      });
      return { customer: await this.customers.get(survivorId, tx), mergeId };
    });
  }

  /** Reverses a merge from its audit record. Fields the survivor changed since keep their new value. */
  async undo(actor: Actor, mergeId: number): Promise<{ customer: CustomerView; restored: CustomerView }> {
    return this.db.transaction().execute(async (tx) => {
      const entry = await this.audit.get(mergeId, tx);
      if (entry.action !== 'customer.merge' || !entry.details) throw new NotFoundError('merge', mergeId);
      const record = entry.details as unknown as MergeRecord;
      const { survivorId, loserId } = record;
      const rows = await repo.lockByIds(tx, [survivorId, loserId]);
      const survivor = rows.find((r) => r.id === survivorId);
      const loser = rows.find((r) => r.id === loserId);
      if (!survivor || !loser) throw new NotFoundError('customer', !survivor ? survivorId : loserId);
      if (loser.status !== 'merged' || loser.merged_into !== survivorId) {
        throw new ConflictError('merge_already_undone', `Merge ${mergeId} is already undone`);
      }
      if (survivor.status !== 'active') {
        throw new ConflictError('customer_not_active', `Customer ${survivorId} is ${survivor.status}; undo that first`);
      }

      await repo.moveIdentifiersById(tx, record.identifierIds, survivorId, loserId);
      await repo.moveConsentEventsById(tx, record.consentEventIds, loserId);
      await repo.recomputeConsent(tx, survivorId);
      await repo.recomputeConsent(tx, loserId);

      const current = personalOf(survivor);
      const revert: PersonalInput = {};
      for (const [f, v] of Object.entries(record.filledFields) as [keyof PersonalInput, string | null][]) {
        if (current[f] === v) revert[f] = null;
      }
      const patch = Object.keys(revert).length ? columnsFor(revert, current) : {};
      await repo.update(tx, survivorId, { ...patch, updated_at: new Date() });
      await repo.update(tx, loserId, { status: 'active', merged_into: null, updated_at: new Date() });

      for (const h of this.lifecycle.all()) {
        if (h.onUnmerge && h.name in record.hooks) await h.onUnmerge(tx, { survivorId, loserId }, record.hooks[h.name]);
      }
      const restoredFields = Object.keys(revert);
      await this.audit.record(tx, {
        actor,
        action: 'customer.unmerge',
        customerId: survivorId,
        before: Object.fromEntries(restoredFields.map((f) => [f, current[f as keyof PersonalInput]])),
        after: Object.fromEntries(restoredFields.map((f) => [f, null])),
        details: { mergeId, loserId },
      });
      await this.audit.record(tx, { actor, action: 'customer.unmerge', customerId: loserId, details: { mergeId, survivorId } });
      return { customer: await this.customers.get(survivorId, tx), restored: await this.customers.get(loserId, tx) };
    });
  }
}


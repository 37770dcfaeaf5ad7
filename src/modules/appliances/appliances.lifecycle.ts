import type { JobQueue } from '../../platform/jobs.js';
import type { CustomerLifecycleHooks } from '../customers/index.js';
import { billingRepository } from './billing.repository.js';
import { registrationsRepository as regRepo } from './registrations.repository.js';
import { usageRepository } from './usage.repository.js';
import { userRollupsRepository } from './user-rollups.repository.js';

export const JOB_ANNOUNCE_STATES = 'appliances.announce-states';

interface UndoData {
  registrationIds: number[];
  billIds: number[];
}

/**
 * Appliances follow their user through merges (registrations and bills move; the usage
 * rollups are keyed by registration, so they follow without being touched, and the
 * customer-keyed user rollups of both customers are rebuilt), an undo moves them back, an erasure removes the card number and account and unlocks nothing — the
 * appliance asks for a card again — and an export includes appliances, usage and bills.
 * The appliances learn their new state (customer number, or locked) from a job after commit.
 */
export function appliancesLifecycle(jobs: JobQueue): CustomerLifecycleHooks {
  return {
    name: 'appliances',
    async onMerge(tx, { survivorId, loserId }) {
      await regRepo.lockAppliancesOf(tx, [loserId, survivorId]);
      const moved = await regRepo.moveCustomer(tx, loserId, survivorId);
      if (moved.length) await userRollupsRepository.refreshCustomers(tx, [loserId, survivorId]);
      const billIds = await billingRepository.moveCustomer(tx, loserId, survivorId);
      const open = [...new Set(moved.map((m) => m.manufacturing_number))];
      if (open.length) await jobs.send(JOB_ANNOUNCE_STATES, { manufacturingNumbers: open }, { tx });
      return { registrationIds: moved.map((m) => m.id), billIds } satisfies UndoData;
    },
    async onUnmerge(tx, { loserId, survivorId }, data) {
      const undo = data as UndoData;
      await regRepo.lockAppliancesOf(tx, [loserId, survivorId]);
      const moved = await regRepo.moveByIds(tx, undo.registrationIds, loserId);
      if (moved.length) await userRollupsRepository.refreshCustomers(tx, [loserId, survivorId]);
      await billingRepository.moveByIds(tx, undo.billIds, loserId);
      const mfgs = [...new Set(moved.map((m) => m.manufacturing_number))];
      if (mfgs.length) await jobs.send(JOB_ANNOUNCE_STATES, { manufacturingNumbers: mfgs }, { tx });
    },
    async onErase(tx, customerId) {
      const ended = await regRepo.eraseCustomer(tx, customerId);
      if (ended.length) await jobs.send(JOB_ANNOUNCE_STATES, { manufacturingNumbers: ended }, { tx });
    },
    async exportData(db, customerId) {
      const regs = await regRepo.ofCustomer(db, customerId);
      const usage = await usageRepository.usageOfRegistrations(db, regs.map((r) => r.id));
      const bills = await billingRepository.billsOf(db, customerId);
      return {
        appliances: regs.map((r) => ({
          manufacturingNumber: r.manufacturing_number,
          model: r.model,
          cardNumber: r.card_number,
          account: r.account,
          area: r.area || null,
          source: r.source,
          registeredAt: r.registered_at.toISOString(),
          endedAt: r.ended_at?.toISOString() ?? null,
          usage: usage
            .filter((u) => u.registration_id === r.id)
            .map((u) => ({
              function: u.function_code,
              month: u.usage_month.slice(0, 7),
              billMonth: u.bill_month.slice(0, 7),
              uses: u.uses,
              totalSeconds: u.total_sec,
              lastUseAt: u.last_use_at?.toISOString() ?? null,
            })),
        })),
        bills: bills.map((b) => ({ number: b.number, month: b.month.slice(0, 7), totalYen: b.total_yen, paidAt: b.paid_at?.toISOString() ?? null })),
      };
    },
  };
}

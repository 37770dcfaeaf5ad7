import type { CustomerLifecycleHooks } from '../customers/index.js';
import { registrationRepository as repo } from './registration.repository.js';

/** Registered products follow their owner through merges, leave with an erasure, and are exported. */
export const registrationLifecycle: CustomerLifecycleHooks = {
  name: 'registration',
  async onMerge(tx, { survivorId, loserId }) {
    return { registrationIds: await repo.moveCustomer(tx, loserId, survivorId) };
  },
  async onUnmerge(tx, { loserId }, data) {
    await repo.moveCustomerByIds(tx, (data as { registrationIds: number[] }).registrationIds, loserId);
  },
  async onErase(tx, customerId) {
    // Which person owns which product is personal data; erasing it frees the serials for a next owner.
    await repo.deleteForCustomer(tx, customerId);
  },
  async exportData(db, customerId) {
    return (await repo.list(db, { customerId, limit: 10_000 })).map((r) => ({
      serial: r.serial,
      maker: r.maker,
      model: r.model,
      category: r.category,
      registeredAt: r.registered_at.toISOString(),
    }));
  },
};

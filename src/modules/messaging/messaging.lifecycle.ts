import type { CustomerLifecycleHooks } from '../customers/index.js';
import { sendLogRepository } from './messaging.repository.js';

/** The send log follows the customer through merges, loses addresses on erasure, and is exported. */
export const messagingLifecycle: CustomerLifecycleHooks = {
  name: 'messaging',
  async onMerge(tx, { survivorId, loserId }) {
    return { sendLogIds: await sendLogRepository.moveCustomer(tx, loserId, survivorId) };
  },
  async onUnmerge(tx, { loserId }, data) {
    await sendLogRepository.moveCustomerByIds(tx, (data as { sendLogIds: number[] }).sendLogIds, loserId);
  },
  async onErase(tx, customerId) {
    await sendLogRepository.anonymise(tx, customerId);
  },
  async exportData(db, customerId) {
    const rows = await sendLogRepository.search(db, { customerId, limit: 10_000 });
    return rows.map((r) => ({ channel: r.channel, status: r.status, subject: r.subject, campaignId: r.campaign_id, sentAt: r.sent_at?.toISOString() ?? null }));
  },
};

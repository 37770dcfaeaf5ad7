import type { Services } from '../../app.js';
import { JobQueue } from '../../platform/jobs.js';
import { applianceHistory, catalogEntry, FLEET_MODELS, planFleet, productionList } from '../../../clients/appliance/src/simulator.js';
import { addMonths, monthOf } from './appliance-time.js';

export interface ApplianceDemoOptions {
  /** Appliances in the fleet (in homes of 1–4). */
  appliances?: number;
  /** Days of usage history up to now. */
  days?: number;
  seed?: number;
  /** Close the months before last month (their bills issued, most of them paid). */
  closeMonths?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface ApplianceDemoResult {
  appliances: number;
  records: number;
  closedMonths: string[];
  /** A few appliances' credentials, to try the MQTT broker or the HTTP route with. */
  samples: { manufacturingNumber: string; secret: string; model: string }[];
}

/**
 * Demo data for the appliances module, from the fleet simulator (clients/appliance): the five
 * demo models with their tariffs, a production list, and `days` of usage history of every
 * appliance (first use with the home's card, daily patterns, a few card changes), sent through
 * the real ingest path so registrations, customers and rollups are what live traffic would
 * have produced. Refuses nothing: call it on a fresh database.
 */
export async function seedApplianceDemo(services: Services, options: ApplianceDemoOptions = {}): Promise<ApplianceDemoResult> {
  const { catalog, ingest, billing } = services.appliances;
  // Card changes queue a job (moving the manufacturing number identifier). Demo data goes in
  // before the job workers start, possibly into a database pg-boss has not set up yet: set up
  // its schema now; the jobs run once `clientele start` starts the workers.
  const setup = new JobQueue(services.db);
  await setup.start();
  await setup.stop();
  for (const model of FLEET_MODELS) await catalog.upsertModel(catalogEntry(model));
  const plan = planFleet({ appliances: options.appliances ?? 300, seed: options.seed ?? 20261122, prefix: 'DEMO' });
  const rows = productionList(plan);
  for (let i = 0; i < rows.length; i += 5000) {
    const r = await catalog.importProduction(rows.slice(i, i + 5000).map((values, k) => ({ line: i + k + 2, values })));
    if (r.rejected.length) throw new Error(`demo production list rejected: ${JSON.stringify(r.rejected.slice(0, 3))}`);
  }
  const to = new Date(Date.now() - 60_000);
  const from = new Date(to.getTime() - (options.days ?? 150) * 86_400_000);
  let records = 0;
  let done = 0;
  const queue = [...plan.appliances];
  const worker = async () => {
    for (let a = queue.shift(); a; a = queue.shift()) {
      const history = [...applianceHistory(plan, a, from, to)];
      for (let i = 0; i < history.length; i += 500) {
        const outcomes = await ingest.submitMany(a.manufacturingNumber, history.slice(i, i + 500));
        const failed = outcomes.find((o) => o.status === 'failed' || o.status === 'rejected');
        if (failed) throw new Error(`demo record of ${a.manufacturingNumber} not stored: ${JSON.stringify(failed)}`);
      }
      records += history.length;
      options.onProgress?.(++done, plan.appliances.length);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  await ingest.drain();

  const closedMonths: string[] = [];
  if (options.closeMonths ?? true) {
    const lastOpen = addMonths(monthOf(new Date()), -1);
    for (let m = monthOf(from); m < lastOpen; m = addMonths(m, 1)) {
      await billing.close(m, 'demo data');
      closedMonths.push(m.slice(0, 7));
      const bills = (await billing.month(m)).customers;
      for (const [i, b] of bills.entries()) if (b.billId && i % 5 !== 0) await billing.markPaid(b.billId, new Date());
    }
  }
  return {
    appliances: plan.appliances.length,
    records,
    closedMonths,
    samples: plan.appliances.slice(0, 3).map((a) => ({ manufacturingNumber: a.manufacturingNumber, secret: a.secret, model: a.model })),
  };
}

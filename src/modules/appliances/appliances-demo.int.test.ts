import { readFile } from 'node:fs/promises';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/db.js';
import { addMonths, monthOf } from './appliance-time.js';
import { seedApplianceDemo, type ApplianceDemoResult } from './appliances.demo.js';
import { CONSISTENT } from './appliances-test-kit.js';

let db: TestDatabase;
let result: ApplianceDemoResult;

beforeAll(async () => {
  db = await createTestDatabase();
  result = await seedApplianceDemo(db.services, { appliances: 60, days: 75 });
}, 120_000);
afterAll(() => db.drop());

describe('appliance demo data from the fleet simulator', () => {
  it('registers the fleet’s homes as customers and stores their usage history through the ingest', async () => {
    expect(result.appliances).toBe(60);
    expect(result.records).toBeGreaterThan(2000);
    const regs = await db.handle.db.selectFrom('appliance_registrations').select(['source', 'customer_id']).execute();
    expect(regs.length).toBeGreaterThanOrEqual(60);
    expect(regs.some((r) => r.source === 'home_network')).toBe(true);
    // One card per home: appliances of a home share their customer.
    expect(new Set(regs.map((r) => r.customer_id)).size).toBeLessThan(regs.length);
    const stored = await db.handle.db.selectFrom('appliance_records').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(result.records);
  });

  it('gives every product type usage with daily patterns, and rollups equal to a recomputation', async () => {
    const to = monthOf(new Date());
    const washer = await db.services.appliances.analysis.analyse({ productType: 'washer', from: addMonths(to, -3), to });
    expect(washer.totals.uses).toBeGreaterThan(50);
    const hours = washer.hourOfDay.map((h) => h.uses);
    expect(Math.max(...hours.slice(6, 10))).toBeGreaterThan(Math.max(...hours.slice(1, 5))); // mornings, not nights
    const ac = await db.services.appliances.analysis.analyse({ productType: 'air_conditioner', from: addMonths(to, -3), to });
    expect(ac.functions.length).toBeGreaterThan(0);
    expect(await db.services.appliances.recalculation.differences(null)).toEqual(CONSISTENT);
  });

  it('fills the user rollups of an existing installation in the migration that adds them', async () => {
    const migration = await readFile(new URL('../../../migrations/20261201_0060_appliance_user_rollups.sql', import.meta.url), 'utf8');
    const fill = migration.slice(migration.indexOf('-- Existing installations'));
    const users = async () =>
      (await sql<{ key: string }>`select scope || function_code || customer_id || array(select unnest(months) order by 1)::text as key from appliance_function_users order by 1`.execute(db.handle.db)).rows.map((r) => r.key);
    const kept = await users();
    expect(kept.length).toBeGreaterThan(0);
    await sql`truncate appliance_function_users`.execute(db.handle.db);
    await sql.raw(fill).execute(db.handle.db);
    expect(await users()).toEqual(kept);
    expect(await db.services.appliances.recalculation.differences(null)).toEqual(CONSISTENT);
  });

  it('closes the older months, with bills issued and mostly paid', async () => {
    expect(result.closedMonths.length).toBeGreaterThanOrEqual(1);
    const month = await db.services.appliances.billing.month(`${result.closedMonths[0]}-01`);
    expect(month.status).toBe('closed');
    expect(month.customers.length).toBeGreaterThan(0);
    expect(month.customers.filter((c) => c.paidAt).length).toBeGreaterThan(0);
  });
});

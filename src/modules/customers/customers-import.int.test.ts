import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sql } from 'kysely';
import { CLI_ACTOR } from '../../platform/auth/principal.js';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/db.js';
import { isBulkLoad } from './customers-import.service.js';
import { NAME_INDEX_REBUILD_FROM } from './import-limits.js';

// Registration numbers are random; a test can queue the next ones to force a collision.
const drawn = vi.hoisted(() => ({ next: [] as string[] }));
vi.mock('./registration-number.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./registration-number.js')>();
  return { ...actual, generateRegistrationNo: () => drawn.next.shift() ?? actual.generateRegistrationNo() };
});

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

/** Backends holding SHARE UPDATE EXCLUSIVE on customers (what autovacuum needs). */
async function maintenanceLockHolders(): Promise<number> {
  const r = await sql<{ n: number }>`
    select count(*)::int as n from pg_locks l join pg_class c on c.oid = l.relation
    where c.relname = 'customers' and l.mode = 'ShareUpdateExclusiveLock' and l.granted
      and l.database = (select oid from pg_database where datname = current_database())`.execute(db.handle.db);
  return r.rows[0]!.n;
}

const lastAnalyze = async () =>
  (await sql<{ at: Date | null }>`select last_analyze as at from pg_stat_user_tables where relname = 'customers'`.execute(db.handle.db)).rows[0]?.at ?? null;

describe('a bulk import', () => {
  it('keeps autovacuum off the customers tables while it runs, without blocking writes or searches, then analyzes once', async () => {
    const importer = db.services.customers.importer;
    expect(await maintenanceLockHolders()).toBe(0);
    const bulk = await importer.startImport();
    expect(await maintenanceLockHolders()).toBe(1);

    const result = await importer.importBatch(CLI_ACTOR, [
      { line: 2, values: { name: '一括 太郎', name_reading: 'いっかつ たろう', email: 'ikkatsu@example.jp', email_consent: 'yes' } },
      { line: 3, values: { name: '一括 花子', name_reading: 'いっかつ はなこ' } },
    ]);
    expect(result.inserted).toBe(2);
    expect((await db.services.customers.service.search('いっかつ')).length).toBe(2);
    // Maintenance (what autovacuum runs) has to wait for the import.
    await expect(
      db.handle.db.transaction().execute(async (tx) => {
        await sql`set local lock_timeout = '200ms'`.execute(tx);
        await sql`analyze customers`.execute(tx);
      }),
    ).rejects.toThrow(/lock timeout/);

    expect(await lastAnalyze()).toBeNull();
    await bulk.finish();
    expect(await maintenanceLockHolders()).toBe(0);
    expect(await lastAnalyze()).not.toBeNull();
    const pending = await sql<{ pages: string }>`select gin_clean_pending_list('customers_name_keys'::regclass) as pages`.execute(db.handle.db);
    expect(Number(pending.rows[0]!.pages)).toBe(0);
    // Finishing twice changes nothing.
    await bulk.finish();
  });

  it('lets a second import run at the same time, without holding maintenance off twice', async () => {
    const importer = db.services.customers.importer;
    const first = await importer.startImport();
    const started = Date.now();
    const second = await importer.startImport();
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(await maintenanceLockHolders()).toBe(1);
    const result = await importer.importBatch(CLI_ACTOR, [{ line: 2, values: { name: '同時 次郎' } }]);
    expect(result.inserted).toBe(1);
    await second.finish();
    await first.finish();
    expect(await maintenanceLockHolders()).toBe(0);
  }, 30_000);

  it('lets go when abandoned, without analyzing', async () => {
    const before = await lastAnalyze();
    const bulk = await db.services.customers.importer.startImport();
    expect(await maintenanceLockHolders()).toBe(1);
    await bulk.abandon();
    expect(await maintenanceLockHolders()).toBe(0);
    expect(await lastAnalyze()).toEqual(before);
  });

  const nameIndexPresent = async () =>
    (await sql<{ present: boolean }>`select to_regclass('customers_name_keys') is not null as present`.execute(db.handle.db)).rows[0]!.present;
  const searchFinds = async (q: string) => (await db.services.customers.service.search(q)).length;

  it('as a bulk load drops the name index, still finds names meanwhile, and builds the index at the end', async () => {
    const importer = db.services.customers.importer;
    const bulk = await importer.startImport({ nameIndex: 'rebuild' });
    expect(bulk.buildsNameIndex).toBe(true);
    expect(await nameIndexPresent()).toBe(false);
    await importer.importBatch(CLI_ACTOR, [
      { line: 2, values: { name: '大量 一郎', name_reading: 'たいりょう いちろう' } },
      { line: 3, values: { name: '大量 二郎', name_reading: 'たいりょう じろう' } },
    ]);
    expect(await searchFinds('たいりょう')).toBe(2); // by reading the table
    // Typo lookups (a thousand keys, tested row by row without the index) wait for the index.
    expect(await searchFinds('たいりょうじろお')).toBe(0);
    await bulk.finish();
    expect(await nameIndexPresent()).toBe(true);
    expect(await searchFinds('大量')).toBe(2);
    expect(await searchFinds('たいりょうじろお')).toBe(1);
    expect(await maintenanceLockHolders()).toBe(0);
  });

  it('builds the index it dropped when abandoned, and start-up builds it when an import died', async () => {
    const importer = db.services.customers.importer;
    const bulk = await importer.startImport({ nameIndex: 'rebuild' });
    expect(await nameIndexPresent()).toBe(false);
    await bulk.abandon();
    expect(await nameIndexPresent()).toBe(true);

    // Not while a bulk load runs (e.g. from another process): it builds the index itself.
    const running = await importer.startImport({ nameIndex: 'rebuild' });
    expect(await importer.ensureNameIndex()).toBe(false);
    expect(await nameIndexPresent()).toBe(false);
    await running.finish();
    expect(await nameIndexPresent()).toBe(true);

    await sql`drop index customers_name_keys`.execute(db.handle.db); // as a crash between drop and build leaves it
    expect(await importer.ensureNameIndex()).toBe(true);
    expect(await nameIndexPresent()).toBe(true);
    expect(await importer.ensureNameIndex()).toBe(false);
  });

  it('decides on a bulk load by its size and the table’s, and an ordinary import copes with one running', async () => {
    expect(isBulkLoad(NAME_INDEX_REBUILD_FROM - 1, 0)).toBe(false);
    expect(isBulkLoad(NAME_INDEX_REBUILD_FROM, 0)).toBe(true);
    expect(isBulkLoad(NAME_INDEX_REBUILD_FROM, NAME_INDEX_REBUILD_FROM + 1)).toBe(false);
    const importer = db.services.customers.importer;
    expect((await importer.startImport({ expectedRows: 10 }).then(async (b) => (await b.finish(), b))).buildsNameIndex).toBe(false);
    const big = await importer.startImport({ expectedRows: NAME_INDEX_REBUILD_FROM });
    expect(big.buildsNameIndex).toBe(true);
    const small = await importer.startImport({ nameIndex: 'keep' });
    expect(small.buildsNameIndex).toBe(false);
    await small.finish(); // with the index missing: nothing to merge, no error
    await big.finish();
    expect(await nameIndexPresent()).toBe(true);
  }, 30_000);

  it('draws another number for a row whose registration number is taken, keeping every row with its own values', async () => {
    const importer = db.services.customers.importer;
    await importer.importBatch(CLI_ACTOR, [{ line: 2, values: { name: '先客 一人' } }]);
    const taken = (await sql<{ n: string }>`select registration_no as n from customers where name = '先客 一人'`.execute(db.handle.db)).rows[0]!.n;
    drawn.next.push('9000000001', taken, '9000000002');
    const result = await importer.importBatch(CLI_ACTOR, [
      { line: 2, values: { name: '衝突 一郎', email: 'ichi@collide.example' } },
      { line: 3, values: { name: '衝突 二郎', email: 'ni@collide.example', email_consent: 'yes' } },
      { line: 4, values: { name: '衝突 三郎', email: 'san@collide.example' } },
    ]);
    expect(result.inserted).toBe(3);
    expect(drawn.next).toEqual([]);
    const rows = await sql<{ id: number; name: string; email: string; registration_no: string; email_consent: boolean }>`
      select id, name, email, registration_no, email_consent from customers where email like '%@collide.example' order by email`.execute(db.handle.db);
    expect(rows.rows.map((r) => [r.name, r.email, r.email_consent])).toEqual([
      ['衝突 一郎', 'ichi@collide.example', false],
      ['衝突 二郎', 'ni@collide.example', true],
      ['衝突 三郎', 'san@collide.example', false],
    ]);
    const numbers = Object.fromEntries(rows.rows.map((r) => [r.name, r.registration_no]));
    expect(numbers['衝突 一郎']).toBe('9000000001');
    expect(numbers['衝突 二郎']).not.toBe(taken);
    expect(numbers['衝突 三郎']).toBe('9000000002');
    expect((await db.services.customers.service.search('衝突 二郎'))[0]?.email).toBe('ni@collide.example');
    // The batch's audit entry names each customer with its line.
    const second = rows.rows.find((r) => r.name === '衝突 二郎')!;
    const history = await db.services.audit.forCustomer(Number(second.id));
    expect(history.find((e) => e.action === 'customer.create')?.details).toMatchObject({ line: 3 });
  });
});

import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { cliTestEnv, killLeftoverClis, runCli, startCli, stopCli } from './helpers/cli.js';

// Each test spawns the real CLI (tsx compiles it on start): generous on a busy 2-core machine.
vi.setConfig({ testTimeout: 120_000 });
afterAll(() => killLeftoverClis());

let db: TestDatabase;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  db = await createTestDatabase();
  dir = await mkdtemp(path.join(os.tmpdir(), 'clientele-cli-'));
  env = cliTestEnv(db.url, dir);
});
afterAll(() => db.drop());

describe('clientele start', () => {
  it('never adds demo data without --demo, adds it to an empty database with --demo, and not again', async () => {
    const plain = await startCli([], env);
    expect(plain.output()).toMatch(/console\s+http:\/\/127\.0\.0\.1:\d+/);
    expect(await db.services.access.staffCount()).toBe(0);
    const plainExit = await stopCli(plain.child);
    expect(plainExit, plain.output()).toBe(0);

    const demo = await startCli(['--demo', '--demo-customers', '50', '--demo-appliances', '12'], env);
    expect(demo.output()).toContain('Demo logins');
    expect(demo.output()).toMatch(/admin\s+\/ demo-admin-pass/);
    expect(demo.output()).toMatch(/clk_[a-z0-9]{12}\./);
    expect(demo.output()).toMatch(/Demo appliances[^\n]*\n\s+DEMO[A-Z0-9-]+ \/ \S+/);
    const consoleUrl = /console\s+(http:\/\/\S+)/.exec(demo.output())![1]!;
    const login = await fetch(`${consoleUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'demo-admin-pass' }),
    });
    expect(login.status).toBe(200);
    await stopCli(demo.child);
    // 50 imported customers, 20 who registered products through the agent, and the appliance homes' card holders
    const homes = await db.handle.db.selectFrom('appliance_registrations').select((eb) => eb.fn.count<string>('customer_id').distinct().as('n')).executeTakeFirstOrThrow();
    expect(Number(homes.n)).toBeGreaterThan(0);
    expect(await db.services.customers.importer.count()).toBe(70 + Number(homes.n));
    const fleet = await db.handle.db.selectFrom('appliances').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(Number(fleet.n)).toBe(12);
    expect((await db.services.registration.service.countByCategory()).map((c) => c.category)).toEqual(['pc', 'printer']);
    expect(await db.services.messaging.campaigns.list()).toHaveLength(1);

    const again = await startCli(['--demo', '--demo-customers', '50', '--demo-appliances', '12'], env);
    expect(again.output()).toContain('no demo data added');
    await stopCli(again.child);
    expect(await db.services.customers.importer.count()).toBe(70 + Number(homes.n));
  });

  it('builds the name search index at migrate when an interrupted bulk import left it missing', async () => {
    await sql`drop index if exists customers_name_keys`.execute(db.services.db);
    const res = await runCli(['migrate'], env);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/Built the name search index/);
    const present = await sql<{ ok: boolean }>`select to_regclass('customers_name_keys') is not null as ok`.execute(db.services.db);
    expect(present.rows[0]!.ok).toBe(true);
    expect((await runCli(['migrate'], env)).stderr).not.toMatch(/Built the name search index/);
  });

  it('stops with a message naming the setting when configuration is bad', async () => {
    const res = await runCli(['migrate'], { ...env, CLIENTELE_PG_PORT: 'abc' });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('CLIENTELE_PG_PORT');
  });
});

describe('clientele customers import / export', () => {
  it('imports valid rows, reports bad and duplicate rows by line, and exports what it holds', async () => {
    const csv = [
      'name,name_reading,email,phone,postal_code,birth_date,email_consent',
      '取込 一郎,とりこみ いちろう,ichiro@example.jp,03-1234-5678,1000001,1970-01-01,true',
      '取込 二郎,とりこみ じろう,not-an-email,,,,',
      '取込 三郎,とりこみ さぶろう,saburo@example.jp,,,1980-13-01,',
      '取込 四郎,とりこみ しろう,ICHIRO@example.jp,,,,',
      '"取込, 五郎",とりこみ ごろう,goro@example.jp,,,,no',
      '取込 六郎,とりこみ ろくろう,roku@example.jp,,,,,one too many',
    ].join('\n');
    const file = path.join(dir, 'people.csv');
    await writeFile(file, csv);
    const res = await runCli(['customers', 'import', file], env);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/Imported 2 customers/);
    expect(res.stderr).toMatch(/Skipped 4 rows \(1 known e-mail/);
    expect(res.stderr).toMatch(/import: 6\/6 \(100%\)/);
    const rejects = await readFile(`${file}.rejects.csv`, 'utf8');
    expect(rejects).toMatch(/^line,reason,problems/);
    expect(rejects).toMatch(/\n3,invalid,email:/);
    expect(rejects).toMatch(/\n4,invalid,birthDate:/);
    expect(rejects).toMatch(/\n5,duplicate_email,/);
    expect(rejects).toMatch(/\n7,invalid,"row: has 8 fields, the header 7"/);

    // The batches' name keys were merged into the index at the end: nothing is left pending.
    const pending = await sql<{ pages: string }>`select gin_clean_pending_list('customers_name_keys'::regclass) as pages`.execute(db.services.db);
    expect(Number(pending.rows[0]!.pages)).toBe(0);

    const found = await db.services.customers.service.search('とりこみ いちろう');
    expect(found[0]?.email).toBe('ichiro@example.jp');
    const full = await db.services.customers.service.get(Number(found[0]!.customerNumber));
    expect(full.consent.email?.granted).toBe(true);
    expect(full.personal.postalCode).toBe('100-0001');

    // importing the same file again adds nobody
    const again = await runCli(['customers', 'import', file], env);
    expect(again.stderr).toMatch(/Imported 0 customers/);

    const out = path.join(dir, 'export.csv');
    const exported = await runCli(['customers', 'export', '--out', out], env);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stderr).toMatch(/export: (\d+)\/\1 \(100%\)/);
    const text = await readFile(out, 'utf8');
    expect(text.split('\n')[0]).toContain('customer_number,registration_no,name');
    expect(text).toContain('"取込, 五郎"');
    expect(text).toMatch(/取込 一郎,とりこみ いちろう,100-0001/);
  });

  it('refuses a file with unknown columns and imports nothing', async () => {
    const file = path.join(dir, 'wrong.csv');
    await writeFile(file, 'name,shoe_size\n誰か,27\n');
    const before = await db.services.customers.importer.count();
    const res = await runCli(['customers', 'import', file], env);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('shoe_size');
    expect(await db.services.customers.importer.count()).toBe(before);
  });
});

describe('clientele keys and staff', () => {
  it('creates an API key shown once and a staff account that can log in', async () => {
    const key = await runCli(['keys', 'create', '--kind', 'tracker', '--label', 'Shop site'], env);
    expect(key.code, key.stderr).toBe(0);
    expect(key.stdout.trim()).toMatch(/^clk_[a-z0-9]{12}\.[A-Za-z0-9_-]{43}$/);
    const principal = await db.services.access.resolveApiKey(key.stdout.trim());
    expect(principal).toMatchObject({ type: 'api_key', kind: 'tracker' });

    const staff = await runCli(['staff', 'create', '--username', 'cli-sales', '--role', 'sales'], env);
    expect(staff.code, staff.stderr).toBe(0);
    const password = /Password \(shown once\): (\S+)/.exec(staff.stderr)![1]!;
    const login = await db.services.access.loginStaff('console', 'cli-sales', password, '127.0.0.1');
    expect(login.staff.role).toBe('sales');

    const bad = await runCli(['staff', 'create', '--username', 'x', '--role', 'store'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/invalid_input/);
  });
});

describe('clientele products import-shipped', () => {
  it('imports the shipped list with a summary and lists invalid rows', async () => {
    const before = (await db.services.registration.shipped.stats()).count;
    const file = path.join(dir, 'shipped.csv');
    await writeFile(
      file,
      'maker,model,serial,category,ship_date\r\nLenovo, X1 ,sn-001,pc,2026-01-02\r\nCanon,PIXMA,SN-002,printer,\r\nBad,,SN-003,pc,\r\nX,Y,SN-004,toaster,\r\n\r\nY,Z,SN-005\r\n',
    );
    const res = await runCli(['products', 'import-shipped', file], env);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/2 new, 0 updated/);
    expect(res.stderr).toMatch(/Skipped 3 invalid rows/);
    // Not a terminal here: the progress bar reports every tenth of the rows as a line.
    expect(res.stderr).toMatch(/shipped products: 5\/5 \(100%\)/);
    const rejects = (await readFile(`${file}.rejects.csv`, 'utf8')).trim().split('\n');
    expect(rejects.map((r) => r.split(',')[0])).toEqual(['line', '4', '5', '7']);
    expect(rejects[3]).toMatch(/row: has 3 fields, the header 5/);
    expect((await db.services.registration.shipped.stats()).count).toBe(before + 2);
    const again = await runCli(['products', 'import-shipped', file], env);
    expect(again.stderr).toMatch(/0 new, 2 updated/);
  });
});

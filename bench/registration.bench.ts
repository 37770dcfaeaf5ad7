/**
 * `npm run bench -- registration`: product registrations per second through the real HTTP
 * dialogue with 200 concurrent agents, against a database already holding 1,000,000 registered
 * products; p50/p95/p99 latency; and how much of it is the password hash, measured alone in the
 * same run with the same concurrency.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { buildSurfaces } from '../src/app.js';
import { createLogger } from '../src/platform/logger.js';
import { hashPassword } from '../src/platform/auth/passwords.js';
import { progressBar } from '../src/platform/progress.js';
import { openBenchDatabase, startBenchServer } from './lib/bench-db.js';
import { loadPerCpu, machineInfo } from './lib/machine.js';
import { rate, summarise } from './lib/stats.js';
import { fmt, printTable } from './lib/table.js';
import { positiveInt } from './lib/options.js';
import { PG_STATEMENTS_SETTINGS, statementStats } from './lib/pg-statements.js';

interface Options {
  products: number;
  agents: number;
  registrations: number;
  keep: boolean;
  pgStatements: boolean;
}

function parseOptions(argv: string[]): Options | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      products: { type: 'string', default: '1000000' },
      agents: { type: 'string', default: '200' },
      registrations: { type: 'string', default: '3000' },
      keep: { type: 'boolean', default: false },
      'pg-statements': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      'npm run bench -- registration [--products N] [--agents N] [--registrations N] [--pg-statements] [--keep]\n' +
        '  --products       registered products already in the database (default 1,000,000)\n' +
        '  --agents         concurrent agents (default 200)\n' +
        '  --registrations  registrations to make, each a PC plus a printer (default 3,000)\n' +
        '  --keep           reuse .bench-data/registration-pg and its database if present\n' +
        '  --pg-statements  the statements PostgreSQL spent the registrations\' time on (pg_stat_statements)\n',
    );
    return null;
  }
  return {
    products: positiveInt(values.products!, 'products'),
    agents: positiveInt(values.agents!, 'agents'),
    registrations: positiveInt(values.registrations!, 'registrations'),
    keep: values.keep!,
    pgStatements: values['pg-statements']!,
  };
}

/** A million registrations written set-based (as a migration from an old system would be). */
async function seedProducts(db: import('../src/platform/db/database.js').Db, products: number): Promise<number> {
  const existing = Number((await sql<{ n: number }>`select count(*)::bigint as n from product_registrations`.execute(db)).rows[0]!.n);
  if (existing >= products) return 0;
  const owners = Math.ceil(products / 2);
  const bar = progressBar('existing products', products);
  const started = performance.now();
  const step = 100_000;
  for (let from = 0; from < owners; from += step) {
    const to = Math.min(from + step, owners) - 1;
    await sql`
      -- name_keys empty: this benchmark never searches by name
      insert into customers (registration_no, name, name_reading, name_keys, email)
      select lpad((1000000000 + i)::text, 10, '0'), '既存 顧客' || i, 'きそん こきゃく', '{}', 'owner' || i || '@bench.example'
      from generate_series(${from}::int, ${to}::int) i`.execute(db);
  }
  const minId = Number((await sql<{ id: number }>`select min(id) as id from customers`.execute(db)).rows[0]!.id);
  for (let from = 0; from < products; from += step) {
    const to = Math.min(from + step, products) - 1;
    await sql`
      with p as (
        insert into product_registrations (customer_id, serial, maker, model, category, source)
        select ${minId} + i / 2, 'EXIST-' || i, 'Bench', case when i % 2 = 0 then 'BX-1' else 'BP-2' end,
               case when i % 2 = 0 then 'pc' else 'printer' end, 'bench'
        from generate_series(${from}::int, ${to}::int) i
        returning customer_id, serial)
      insert into customer_identifiers (customer_id, kind, value, source)
      select customer_id, 'product_serial', serial, 'bench' from p`.execute(db);
    bar.increment(to - from + 1);
  }
  bar.stop();
  await sql`analyze`.execute(db);
  return performance.now() - started;
}

const person = (i: number) => ({
  name: `計測 太郎${i}`,
  nameReading: 'けいそく たろう',
  postalCode: '100-0001',
  prefecture: '東京都',
  city: '千代田区',
  addressLine1: `${1 + (i % 9)}-1-1`,
  phone: '03-1234-5678',
  email: `agent${i}-${Date.now()}@bench.example`,
});

export async function main(argv: string[]): Promise<void> {
  const options = parseOptions(argv);
  if (!options) return;
  const machine = machineInfo();
  const loadBefore = loadPerCpu();
  const server = await startBenchServer({
    keep: options.keep,
    externalUrl: process.env.DATABASE_URL,
    clusterDir: 'registration-pg',
    ...(options.pgStatements ? { settings: PG_STATEMENTS_SETTINGS } : {}),
  });
  const bench = await openBenchDatabase(server, 'bench_registration', { keep: options.keep });
  try {
    process.stderr.write(`PostgreSQL ${server.version} (${server.kind}); ${machine.cpus} CPUs, ${machine.cpuModel}\n`);
    const seedMs = await seedProducts(bench.handle.db, options.products);
    const surfaces = await buildSurfaces(bench.services, createLogger(bench.config));
    const portalUrl = await surfaces.portal.listen({ host: '127.0.0.1', port: 0 });

    // 1. The hash alone, at the same concurrency the server sees.
    const hashCount = Math.min(options.registrations, 400);
    const hashLatencies: number[] = [];
    const hashStarted = performance.now();
    let nextHash = 0;
    await Promise.all(
      Array.from({ length: options.agents }, async () => {
        while (nextHash < hashCount) {
          nextHash++;
          const t = performance.now();
          await hashPassword('bench-password-123');
          hashLatencies.push(performance.now() - t);
        }
      }),
    );
    const hashMs = performance.now() - hashStarted;
    const singleHash: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      await hashPassword('bench-password-123');
      singleHash.push(performance.now() - t);
    }

    // 2. Registrations through HTTP: 200 agents, each a PC and a printer; one in ten tries a serial that is taken.
    const latencies: number[] = [];
    const statuses = new Map<number, number>();
    const statements = options.pgStatements ? await statementStats(bench.handle.db, (line) => process.stderr.write(`${line}\n`)) : null;
    await statements?.reset();
    const bar = progressBar('registrations', options.registrations);
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: options.agents }, async () => {
        while (next < options.registrations) {
          const i = next++;
          const duplicate = i % 10 === 9;
          const pc = duplicate ? `EXIST-${(i * 7919) % options.products}` : `NEW-PC-${i}-${process.pid}`;
          const body = {
            customer: person(i),
            password: 'bench-password-123',
            emailConsent: i % 2 === 0,
            products: [
              { serial: pc, maker: 'Bench', model: 'BX-1', category: 'pc' },
              { serial: `NEW-PR-${i}-${process.pid}`, maker: 'Bench', model: 'BP-2', category: 'printer', parentSerial: pc },
            ],
          };
          const t = performance.now();
          const res = await fetch(`${portalUrl}/api/registrations`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
            body: JSON.stringify(body),
          });
          await res.arrayBuffer();
          latencies.push(performance.now() - t);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          bar.increment();
        }
      }),
    );
    const totalMs = performance.now() - started;
    bar.stop();
    await statements?.print(statuses.get(201) ?? 0, 'registrations');
    await surfaces.portal.close();

    const ok = statuses.get(201) ?? 0;
    const regRate = rate(ok, totalMs);
    const hashRate = rate(hashCount, hashMs);
    const reg = summarise(latencies);
    const hashAlone = summarise(singleHash);
    process.stdout.write(
      `\nMachine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}, PostgreSQL ${server.version} (${server.kind}); ` +
        `load per CPU before the run ${fmt(loadBefore, 2)}\n`,
    );
    printTable('Setup', ['what', 'value'], [
      ['registered products in the database', fmt(options.products)],
      ['seeding them (set-based SQL)', seedMs ? `${fmt(seedMs / 1000, 1)} s` : 'reused'],
      ['concurrent agents', fmt(options.agents)],
      ['registration attempts (PC + printer each; 1 in 10 with a taken serial)', fmt(options.registrations)],
    ]);
    printTable('Registrations over HTTP', ['figure', 'value'], [
      ['registered (201)', fmt(ok)],
      ['refused serial_already_registered (409)', fmt(statuses.get(409) ?? 0)],
      ['other statuses', [...statuses].filter(([s]) => s !== 201 && s !== 409).map(([s, n]) => `${s}: ${n}`).join(', ') || 'none'],
      ['registrations/s', fmt(regRate, 1)],
      ['latency p50', `${fmt(reg.p50, 0)} ms`],
      ['latency p95', `${fmt(reg.p95, 0)} ms`],
      ['latency p99', `${fmt(reg.p99, 0)} ms`],
    ]);
    printTable('The password hash alone (argon2id, 19 MiB, t=2)', ['figure', 'value'], [
      ['one hash, nothing else running (p50)', `${fmt(hashAlone.p50, 1)} ms`],
      [`hashes/s with ${options.agents} concurrent callers`, fmt(hashRate, 1)],
      ['registrations/s as a share of the hash-only ceiling', `${fmt((regRate / hashRate) * 100, 0)} %`],
      ['hash time per registration at that rate', `${fmt(1000 / hashRate, 1)} ms of ${fmt(1000 / regRate, 1)} ms`],
    ]);
  } finally {
    await bench.close();
    await server.stop();
  }
}

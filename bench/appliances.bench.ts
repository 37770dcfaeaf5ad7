/**
 * `npm run bench -- appliances`: the fleet simulator drives 10,000 appliances (each its own MQTT
 * connection with its own credentials, in a child process) and the benchmark reports, in one run:
 *
 *   1. the broker-only ceiling: the same fleet publishing to a bare aedes broker, one QoS 1
 *      subscriber receiving, nothing stored;
 *   2. usage records per second durably stored through Clientele's embedded broker (PUBACK after
 *      commit), and the p99 delay from a record's creation on the appliance to the commit of the
 *      rollups that include it — at full load, and at half that load;
 *   3. the same two for Debian's Mosquitto: ceiling, then stored through a Clientele node that
 *      consumes a shared subscription;
 *   4. analysis query latency over 50 million raw records (generated in SQL, then the rollups
 *      recomputed from them, which is timed too).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { execSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { Aedes } from 'aedes';
import { sql } from 'kysely';
import mqtt from 'mqtt';
import { buildServices, type Services } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { connectDatabase, type DatabaseHandle } from '../src/platform/db/database.js';
import { migrateToLatest } from '../src/platform/db/migrate.js';
import { freePort } from '../src/platform/free-port.js';
import { applianceAcl, startMosquitto, type RunningMosquitto } from '../src/platform/mqtt/mosquitto.test-helper.js';
import { addMonths, monthOf } from '../src/modules/appliances/appliance-time.js';
import { catalogEntry, FLEET_MODELS, planFleet, productionList, type FleetPlan } from '../clients/appliance/src/simulator.js';
import type { FleetStats } from '../clients/appliance/src/simulator.js';
import { BENCH_DIR, startBenchServer } from './lib/bench-db.js';
import { loadPerCpu, machineInfo } from './lib/machine.js';
import { rate, summarise } from './lib/stats.js';
import { fmt, printTable } from './lib/table.js';
import { positiveInt } from './lib/options.js';
import { PG_STATEMENTS_SETTINGS, statementStats, type StatementStats } from './lib/pg-statements.js';

interface Options {
  appliances: number;
  seconds: number;
  warmup: number;
  records: number;
  window: number;
  queries: number;
  keep: boolean;
  skipMosquitto: boolean;
  skipEmbedded: boolean;
  skipAnalysis: boolean;
  skipThroughput: boolean;
  skipRecalc: boolean;
  pgStatements: boolean;
}

function parseOptions(argv: string[]): Options | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      appliances: { type: 'string', default: '10000' },
      seconds: { type: 'string', default: '20' },
      warmup: { type: 'string', default: '5' },
      records: { type: 'string', default: '50000000' },
      window: { type: 'string', default: '5' },
      queries: { type: 'string', default: '300' },
      keep: { type: 'boolean', default: false },
      'skip-mosquitto': { type: 'boolean', default: false },
      'skip-embedded': { type: 'boolean', default: false },
      'skip-analysis': { type: 'boolean', default: false },
      'skip-throughput': { type: 'boolean', default: false },
      'skip-recalc': { type: 'boolean', default: false },
      'pg-statements': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      'npm run bench -- appliances [--appliances N] [--seconds S] [--warmup S] [--records N] [--window N] [--queries N] [--skip-mosquitto] [--skip-embedded] [--skip-analysis] [--skip-throughput] [--skip-recalc] [--pg-statements] [--keep]\n' +
        '  --appliances  simulated appliances, each its own MQTT connection (default 10,000)\n' +
        '  --seconds     measuring time of each throughput run (default 20), after --warmup seconds (default 5)\n' +
        '  --window      records each appliance has in flight at full load (default 5)\n' +
        '  --records     raw records for the analysis queries (default 50,000,000)\n' +
        '  --queries     analysis queries to time (default 300)\n' +
        '  --keep        reuse .bench-data/appliances-pg and its database if present (the 50M records take minutes)\n' +
        '  --skip-throughput  only the analysis part; --skip-recalc (with --keep) times the queries on the kept rollups\n' +
        '  --skip-embedded    no aedes phases (the Mosquitto phase registers the fleet when no earlier run did)\n' +
        '  --pg-statements    after each stored phase, the statements PostgreSQL spent its time on (pg_stat_statements)\n',
    );
    return null;
  }
  return {
    appliances: positiveInt(values.appliances!, 'appliances'),
    seconds: positiveInt(values.seconds!, 'seconds'),
    warmup: positiveInt(values.warmup!, 'warmup'),
    records: positiveInt(values.records!, 'records'),
    window: positiveInt(values.window!, 'window'),
    queries: positiveInt(values.queries!, 'queries'),
    keep: values.keep!,
    skipMosquitto: values['skip-mosquitto']!,
    skipEmbedded: values['skip-embedded']!,
    skipAnalysis: values['skip-analysis']!,
    skipThroughput: values['skip-throughput']!,
    skipRecalc: values['skip-recalc']!,
    pgStatements: values['pg-statements']!,
  };
}

const say = (line: string) => process.stderr.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const uptime = () => {
  try {
    return execSync('uptime', { encoding: 'utf8' }).trim().replace(/^.*load average/, 'load average');
  } catch {
    return `load per CPU ${loadPerCpu().toFixed(2)}`;
  }
};

// ---- the simulator child ----

interface Child {
  process: ChildProcess;
  stats: FleetStats;
  ready(): Promise<FleetStats>;
  go(): void;
  stop(): Promise<FleetStats>;
}

async function startFleet(planFile: string, url: string, opts: { pace: 'max' | number; window: number; preRegistered: boolean; lastSeq?: number }): Promise<Child> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.resolve('bench/lib/appliances-fleet.child.ts')], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, NODE_OPTIONS: '--max-old-space-size=4096' },
  });
  const waiters = new Map<string, (m: { stats: FleetStats }) => void>();
  const self: Child = {
    process: child,
    stats: { connected: 0, registered: 0, sent: 0, acknowledged: 0, errors: 0 },
    ready: () => new Promise((resolve) => waiters.set('ready', (m) => resolve(m.stats))),
    go: () => child.send({ cmd: 'go' }),
    stop: () =>
      new Promise((resolve) => {
        waiters.set('stopped', (m) => resolve(m.stats ?? self.stats));
        child.send({ cmd: 'stop' });
        setTimeout(() => {
          child.kill('SIGKILL');
          resolve(self.stats);
        }, 30_000).unref();
      }),
  };
  let lastReport = 0;
  child.on('message', (m: { type: string; stats?: FleetStats; message?: string }) => {
    if (m.stats) self.stats = m.stats;
    if (m.type === 'error') say(`simulator: ${m.message}`);
    if (m.type === 'progress' && Date.now() - lastReport > 2000) {
      lastReport = Date.now();
      say(`  appliances connected ${fmt(m.stats!.connected)}, registered ${fmt(m.stats!.registered)}`);
    }
    waiters.get(m.type)?.(m as { stats: FleetStats });
  });
  await new Promise<void>((resolve) => child.once('message', () => resolve()));
  child.send({ cmd: 'start', planFile, url, ...opts });
  return self;
}

// ---- measuring ----

/** CPU seconds used so far by this process, the simulator, PostgreSQL's processes and Mosquitto (Linux /proc). */
function cpuSnapshot(childPid: number | undefined): Record<string, number> {
  const out: Record<string, number> = { clientele: 0, simulator: 0, postgres: 0, mosquitto: 0 };
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return out;
  }
  for (const pid of entries) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue;
    }
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const seconds = (Number(fields[11]) + Number(fields[12])) / 100;
    const n = Number(pid);
    if (n === process.pid) out.clientele! += seconds;
    else if (n === childPid) out.simulator! += seconds;
    else if (comm === 'postgres') out.postgres! += seconds;
    else if (comm === 'mosquitto') out.mosquitto! += seconds;
  }
  return out;
}

interface Counter {
  count: number;
}

/** Count in [warmup, warmup + seconds] of a running fleet, and the CPU each part used meanwhile. */
async function measure(
  counter: Counter,
  warmupSec: number,
  seconds: number,
  childPid?: number,
  onStart?: () => Promise<void>,
): Promise<{ count: number; ms: number; cpu: Record<string, number> }> {
  await sleep(warmupSec * 1000);
  await onStart?.();
  const c0 = counter.count;
  const cpu0 = cpuSnapshot(childPid);
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const cpu1 = cpuSnapshot(childPid);
  const ms = performance.now() - t0;
  const cpu = Object.fromEntries(Object.keys(cpu1).map((k) => [k, (cpu1[k]! - cpu0[k]!) / (ms / 1000)]));
  return { count: counter.count - c0, ms, cpu };
}

/** Records committed by the ingest, and the delay of each from its creation on the appliance to the commit. */
function watchIngest(services: Services) {
  const counter = { count: 0 };
  let delays: number[] = [];
  let collecting = false;
  services.appliances.ingest.observe({
    committed: ({ stored, recordTimes, committedAt }) => {
      counter.count += stored;
      if (collecting) for (const t of recordTimes) delays.push(committedAt - t);
    },
  });
  return {
    counter,
    startDelays: () => {
      delays = [];
      collecting = true;
    },
    stopDelays: () => {
      collecting = false;
      return summarise(delays);
    },
  };
}

/** A bare subscriber on the records topic (the broker-only ceiling): counts QoS 1 messages. */
async function subscriber(url: string): Promise<{ counter: Counter; close(): Promise<void> }> {
  const counter = { count: 0 };
  const client = await mqtt.connectAsync(url, { clientId: `bench-sub-${process.pid}`, clean: true, protocolVersion: 4 });
  client.handleMessage = (_packet, callback) => {
    counter.count++;
    callback();
  };
  await client.subscribeAsync('clientele/appliances/+/records', { qos: 1 });
  return { counter, close: () => client.endAsync(true).then(() => undefined) };
}

/** A bare aedes: no authentication, no storage. */
async function bareAedes(): Promise<{ port: number; close(): Promise<void> }> {
  // Publishes authorised and completed on a fresh stack: with aedes' default synchronous hooks a
  // client's long backlog of pipelined packets recurses through aedes until the stack overflows.
  const broker = await Aedes.createBroker({
    // As in the product's embedded broker: past this many messages in flight mqemitter queues
    // them and drains the queue recursively (stack overflow with 10,000 clients).
    concurrency: 100_000,
    authorizePublish: (_c, _p, done) => queueMicrotask(() => done(null)),
    published: (_packet, _client, done) => setImmediate(done),
  });
  const server = net.createServer((s) => {
    s.setNoDelay(true);
    broker.handle(s);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
  return {
    port,
    close: async () => {
      const closed = new Promise<void>((r) => server.close(() => r()));
      for (const s of sockets) s.destroy();
      await closed;
      await new Promise<void>((r) => broker.close(() => r()));
    },
  };
}

/** Appliances that are registered to a customer (their first-use record was stored). */
async function registeredCount(handle: DatabaseHandle): Promise<number> {
  const r = await sql<{ n: number }>`select count(*)::bigint as n from appliances where registration_id is not null`.execute(handle.db);
  return Number(r.rows[0]!.n);
}

async function maxSeq(handle: DatabaseHandle): Promise<number> {
  const r = await sql<{ m: number }>`select coalesce(max(last_seq), 0)::bigint as m from appliances`.execute(handle.db);
  return Number(r.rows[0]!.m);
}

interface ThroughputRow {
  run: string;
  rate: number;
  ofCeiling: string;
  p50: string;
  p99: string;
  load: string;
}

async function runFleetPhase(
  label: string,
  planFile: string,
  url: string,
  counter: Counter,
  o: Options,
  fleet: { pace: 'max' | number; preRegistered: boolean; lastSeq?: number },
  delays?: ReturnType<typeof watchIngest>,
  statements?: StatementStats | null,
): Promise<{ rate: number; delays: ReturnType<typeof summarise> | null; load: string; fleet: FleetStats; cpu: string }> {
  say(`\n${label}: starting ${fmt(o.appliances)} appliances …  (${uptime()})`);
  const child = await startFleet(planFile, url, { pace: fleet.pace, window: o.window, preRegistered: fleet.preRegistered, ...(fleet.lastSeq !== undefined ? { lastSeq: fleet.lastSeq } : {}) });
  const ready = await child.ready();
  say(`  ${fmt(ready.connected)} connected, ${fmt(ready.registered)} registered; sending for ${o.warmup} + ${o.seconds} s`);
  child.go();
  setTimeout(() => delays?.startDelays(), o.warmup * 1000);
  const load0 = loadPerCpu();
  const m = await measure(counter, o.warmup, o.seconds, child.process.pid, statements ? () => statements.reset() : undefined);
  if (statements) await statements.print(m.count);
  const load = `${load0.toFixed(2)}→${loadPerCpu().toFixed(2)}`;
  const d = delays ? delays.stopDelays() : null;
  const stats = await child.stop();
  const r = rate(m.count, m.ms);
  const cpu = Object.entries(m.cpu)
    .filter(([, v]) => v > 0.005)
    .map(([k, v]) => `${k} ${v.toFixed(2)}`)
    .join(', ');
  say(`  ${fmt(r)} records/s${d ? `, delay p50 ${fmt(d.p50)} ms p99 ${fmt(d.p99)} ms` : ''} (simulator errors: ${stats.errors}); CPUs busy: ${cpu}`);
  return { rate: r, delays: d, load, fleet: stats, cpu };
}

// ---- analysis data ----

async function generateRecords(handle: DatabaseHandle, total: number, plan: FleetPlan): Promise<number> {
  const db = handle.db;
  const existing = Number((await sql<{ n: number }>`select count(*)::bigint as n from appliance_records`.execute(db)).rows[0]!.n);
  if (existing >= total) return 0;
  const need = total - existing;
  const perAppliance = Math.ceil(need / plan.appliances.length);
  const fns = FLEET_MODELS.map((m) => `('${m.model}', array[${m.functions.filter((f) => f.weight > 0).map((f) => `'${f.code}'`).join(',')}])`).join(',');
  say(`\nGenerating ${fmt(perAppliance * plan.appliances.length)} records in SQL (${fmt(perAppliance)} per appliance over the last 12 months) …  (${uptime()})`);
  const started = performance.now();
  const step = Math.max(1, Math.floor(2_000_000 / perAppliance));
  const list = plan.appliances.map((a) => a.manufacturingNumber);
  let written = 0;
  await sql`alter table appliance_records set (autovacuum_enabled = false)`.execute(db);
  for (let i = 0; i < list.length; i += step) {
    const chunk = list.slice(i, i + step);
    // Usage over the past year: pseudo-random minutes, durations of 1–90 minutes, each a use of its own.
    const r = await sql`
      insert into appliance_records (manufacturing_number, seq, kind, at, received_at, function_code, param_code, param_value,
        duration_sec, continued, use_seq, bill_month)
      select a.manufacturing_number, a.last_seq + g, 2, t.at, t.at, f.fns[1 + (g * 7 + a.n) % array_length(f.fns, 1)], null, null,
        60 + ((g * 2654435761::bigint + a.n) % 5340)::int, false, a.last_seq + g, date_trunc('month', t.at at time zone 'Asia/Tokyo')::date
      from (select manufacturing_number, model, last_seq, row_number() over (order by manufacturing_number)::int as n
            from appliances where manufacturing_number = any(${chunk}::text[])) a
      join (values ${sql.raw(fns)}) as f(model, fns) on f.model = a.model
      cross join generate_series(1, ${perAppliance}::int) g
      cross join lateral (select now() - interval '1 minute' - (((g::bigint * 40503 + a.n * 7919) % 525600) * interval '1 minute') as at) t`.execute(db);
    written += Number(r.numAffectedRows ?? 0);
    await sql`
      update appliances a set last_seq = a.last_seq + ${perAppliance}::int where manufacturing_number = any(${chunk}::text[])`.execute(db);
    if ((i / step) % 5 === 0) say(`  ${fmt(written)} records (${fmt(rate(written, performance.now() - started))} rows/s)`);
  }
  await sql`alter table appliance_records reset (autovacuum_enabled)`.execute(db);
  say(`  ${fmt(written)} records in ${fmt((performance.now() - started) / 1000, 1)} s`);
  return written;
}

export async function main(argv: string[]): Promise<void> {
  const o = parseOptions(argv);
  if (!o) return;
  const machine = machineInfo();
  say(`Machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}; ${uptime()}`);
  const server = await startBenchServer({
    keep: o.keep,
    externalUrl: process.env.DATABASE_URL,
    clusterDir: 'appliances-pg',
    ...(o.pgStatements ? { settings: PG_STATEMENTS_SETTINGS } : {}),
  });
  const name = 'clientele_bench_appliances';
  const exists = (await server.admin(`select 1 from pg_database where datname = '${name}'`)).rowCount === 1;
  if (exists && !o.keep) await server.admin(`drop database ${name} with (force)`);
  if (!exists || !o.keep) await server.admin(`create database ${name} template template0 encoding 'UTF8'`);
  const url = server.urlFor(name);
  const handle = connectDatabase(url, 10);
  let mosquitto: RunningMosquitto | null = null;
  try {
    await migrateToLatest(handle.db);
    const env = { CLIENTELE_LOG_LEVEL: 'warn', CLIENTELE_DATA_DIR: path.join(BENCH_DIR, 'data'), DATABASE_URL: url, CLIENTELE_MQTT_PORT: '0' };
    const services = buildServices(handle.db, loadConfig(env));
    for (const m of FLEET_MODELS) await services.appliances.catalog.upsertModel(catalogEntry(m));
    const plan = planFleet({ appliances: o.appliances, seed: 42, prefix: 'BENCH', deterministicSecrets: true });
    const rows = productionList(plan);
    for (let i = 0; i < rows.length; i += 5000) {
      await services.appliances.catalog.importProduction(rows.slice(i, i + 5000).map((values, k) => ({ line: i + k + 2, values })));
    }
    await mkdir(BENCH_DIR, { recursive: true });
    const planFile = path.join(BENCH_DIR, 'appliances-fleet.json');
    await writeFile(planFile, JSON.stringify(plan));
    const ingest = watchIngest(services);
    const statements = o.pgStatements ? await statementStats(handle.db, say) : null;

    const throughput: ThroughputRow[] = [];
    const row = (run: string, r: number, ceiling: number | null, d: ReturnType<typeof summarise> | null, load: string) =>
      throughput.push({
        run,
        rate: Math.round(r),
        ofCeiling: ceiling ? `${Math.round((100 * r) / ceiling)}%` : '',
        p50: d ? `${fmt(d.p50)} ms` : '',
        p99: d ? `${fmt(d.p99)} ms` : '',
        load,
      });

    let registeredAll = o.appliances;
    if (!o.skipThroughput) {
      if (!o.skipEmbedded) {
        // 1. aedes, broker only
        const bare = await bareAedes();
        const sub = await subscriber(`mqtt://127.0.0.1:${bare.port}`);
        const ceilingAedes = await runFleetPhase('aedes, broker only (publish → subscriber, nothing stored)', planFile, `mqtt://127.0.0.1:${bare.port}`, sub.counter, o, {
          pace: 'max',
          preRegistered: true,
        });
        await sub.close();
        await bare.close();
        row('aedes broker only (ceiling)', ceilingAedes.rate, null, null, ceilingAedes.load);

        // 2. Clientele's embedded broker: register the fleet (real first-use records), then full load
        const status = await services.appliances.mqtt.start();
        const stored = await runFleetPhase('Clientele, embedded aedes, stored (PUBACK after commit)', planFile, status.address!, ingest.counter, o, { pace: 'max', preRegistered: false }, ingest, statements);
        row('embedded aedes → PostgreSQL, full load', stored.rate, ceilingAedes.rate, stored.delays, stored.load);
        // … and at half that load, as appliances in use would send (each appliance every N seconds)
        const pace = Math.max(0.05, o.appliances / Math.max(1, stored.rate / 2));
        const paced = await runFleetPhase(
          `Clientele, embedded aedes, half load (each appliance every ${fmt(pace, 2)} s)`,
          planFile,
          status.address!,
          ingest.counter,
          o,
          { pace, preRegistered: true, lastSeq: (await maxSeq(handle)) + 10 },
          ingest,
        );
        row(`embedded aedes → PostgreSQL, half load`, paced.rate, ceilingAedes.rate, paced.delays, paced.load);
        await services.appliances.mqtt.stop();
        registeredAll = stored.fleet.registered;
      }

      // 3. Mosquitto
      let ceilingMosquitto: number | null = null;
      if (!o.skipMosquitto) {
        const svc = { username: 'clientele-bench', password: 'bench-service-password-0123' };
        mosquitto = await startMosquitto({
          users: [svc, ...plan.appliances.map((a) => ({ username: a.manufacturingNumber, password: a.secret }))],
          acl: applianceAcl(svc.username),
        });
        const sub2 = await subscriber(mosquitto.url(svc));
        const c = await runFleetPhase('Mosquitto, broker only', planFile, mosquitto.url(), sub2.counter, o, { pace: 'max', preRegistered: true });
        await sub2.close();
        ceilingMosquitto = c.rate;
        row('Mosquitto broker only (ceiling)', c.rate, null, null, c.load);
        const node = buildServices(handle.db, loadConfig({ ...env, MQTT_URL: mosquitto.url(svc) }));
        const nodeIngest = watchIngest(node);
        await node.appliances.mqtt.start({ clientId: 'clientele-bench-node' });
        // Without the aedes phases (--skip-embedded on a fresh database) nothing has registered the
        // fleet yet: it sends its first-use records through Mosquitto first, or every record would be refused as locked.
        const unregistered = (await registeredCount(handle)) < plan.appliances.length;
        const s = await runFleetPhase('Clientele consuming Mosquitto ($share), stored', planFile, mosquitto.url(), nodeIngest.counter, o, {
          pace: 'max',
          preRegistered: !unregistered,
          lastSeq: (await maxSeq(handle)) + 10,
        }, nodeIngest, statements);
        if (unregistered) registeredAll = s.fleet.registered;
        row('Mosquitto → Clientele ($share) → PostgreSQL, full load', s.rate, ceilingMosquitto, s.delays, s.load);
        const p = await runFleetPhase(
          `Mosquitto → Clientele, half load (each appliance every ${fmt(Math.max(0.05, o.appliances / Math.max(1, s.rate / 2)), 2)} s)`,
          planFile,
          mosquitto.url(),
          nodeIngest.counter,
          o,
          { pace: Math.max(0.05, o.appliances / Math.max(1, s.rate / 2)), preRegistered: true, lastSeq: (await maxSeq(handle)) + 10 },
          nodeIngest,
        );
        row('Mosquitto → Clientele ($share) → PostgreSQL, half load', p.rate, ceilingMosquitto, p.delays, p.load);
        await node.appliances.mqtt.stop();
        await mosquitto.close();
        mosquitto = null;
      }
      const consistency = await services.appliances.recalculation.differences(null);

      printTable(
        `Usage records per second, ${fmt(o.appliances)} appliances (${fmt(registeredAll)} registered through first-use records), ${o.seconds} s after ${o.warmup} s warm-up`,
        ['Run', 'Records/s', 'Of the ceiling', 'Delay p50', 'Delay p99', 'Load/CPU'],
        throughput.map((t) => [t.run, t.rate, t.ofCeiling, t.p50, t.p99, t.load]),
      );
      printTable('Rollups after the runs vs. a recomputation from the raw records', ['Rollup', 'Rows that differ'], Object.entries(consistency).map(([k, v]) => [k, v]));
    }

    // 4. Analysis over many records
    if (!o.skipAnalysis) {
      if (!o.skipRecalc) await generateRecords(handle, o.records, plan);
      const total = Number((await sql<{ n: number }>`select count(*)::bigint as n from appliance_records`.execute(handle.db)).rows[0]!.n);
      let recalcMs = Number.NaN;
      if (!o.skipRecalc) {
        say(`\nRecalculating all rollups from ${fmt(total)} raw records …  (${uptime()})`);
        const t0 = performance.now();
        await services.appliances.recalculation.runNow('benchmark', null);
        recalcMs = performance.now() - t0;
        say(`  done in ${fmt(recalcMs / 1000, 1)} s`);
      }
      await sql`vacuum analyze appliance_usage_monthly, appliance_function_monthly, appliance_duration_histogram, appliance_time_histogram, appliance_registrations,
        appliance_function_users`.execute(handle.db);
      const sizes = await sql<{ rel: string; rows: number; mb: number }>`
        select c.relname as rel, c.reltuples::bigint as rows, (pg_total_relation_size(c.oid) / 1048576)::bigint as mb
        from pg_class c where c.relname in ('appliance_records', 'appliance_usage_monthly', 'appliance_function_monthly', 'appliance_duration_histogram', 'appliance_time_histogram',
          'appliance_function_users')
        order by c.relname`.execute(handle.db);

      const types = [...new Set(FLEET_MODELS.map((m) => m.productType))];
      const now = monthOf(new Date());
      const samples: Record<string, number[]> = { 'analysis, product type, 12 months': [], 'analysis, one function, 12 months': [], 'analysis, one model, 3 months': [] };
      const customers = (await sql<{ c: number }>`select distinct customer_id as c from appliance_registrations limit 500`.execute(handle.db)).rows.map((r) => Number(r.c));
      const customerSamples: number[] = [];
      say(`Timing ${o.queries} analysis queries of each kind …`);
      for (let i = 0; i < o.queries; i++) {
        const type = types[i % types.length]!;
        const model = FLEET_MODELS.find((m) => m.productType === type)!;
        const fn = model.functions.filter((f) => f.weight > 0)[i % model.functions.filter((f) => f.weight > 0).length]!;
        let t = performance.now();
        await services.appliances.analysis.analyse({ productType: type, from: addMonths(now, -11), to: now });
        samples['analysis, product type, 12 months']!.push(performance.now() - t);
        t = performance.now();
        await services.appliances.analysis.analyse({ productType: type, functionCode: fn.code, from: addMonths(now, -11), to: now });
        samples['analysis, one function, 12 months']!.push(performance.now() - t);
        t = performance.now();
        await services.appliances.analysis.analyse({ model: model.model, from: addMonths(now, -2), to: now });
        samples['analysis, one model, 3 months']!.push(performance.now() - t);
        t = performance.now();
        await services.appliances.billing.customerAppliances(customers[i % customers.length]!, now);
        customerSamples.push(performance.now() - t);
      }
      const monthSamples: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t = performance.now();
        await services.appliances.billing.month(addMonths(now, -1));
        monthSamples.push(performance.now() - t);
      }
      const lat = (label: string, s: number[]) => {
        const x = summarise(s);
        return [label, x.n, fmt(x.p50, 1), fmt(x.p95, 1), fmt(x.p99, 1), fmt(x.max, 1)];
      };
      printTable(
        `Analysis over ${fmt(total)} raw records${Number.isNaN(recalcMs) ? ' (kept rollups)' : ` (rollups recomputed from them in ${fmt(recalcMs / 1000, 1)} s)`}; ${uptime()}`,
        ['Query', 'n', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'],
        [
          ...Object.entries(samples).map(([k, v]) => lat(k, v)),
          lat('customer: usage and charge per appliance and function', customerSamples),
          lat(`charge calculation of a month (${fmt(registeredAll)} appliances, all customers)`, monthSamples),
        ],
      );
      printTable('Table sizes', ['Table', 'Rows (estimate)', 'MB'], sizes.rows.map((r) => [r.rel, Number(r.rows), Number(r.mb)]));
    }
    printTable('Machine', ['', ''], [
      ['CPUs', `${machine.cpus} × ${machine.cpuModel}`],
      ['Memory', `${machine.memoryGiB} GiB`],
      ['Node', machine.node],
      ['PostgreSQL', `${server.version} (${server.kind})`],
      ['Load at the end', uptime()],
    ]);
  } finally {
    await mosquitto?.close().catch(() => undefined);
    await handle.close();
    if (!o.keep) await server.admin(`drop database if exists ${name} with (force)`).catch(() => undefined);
    await server.stop();
  }
}

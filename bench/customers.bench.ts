/**
 * `npm run bench -- customers`: generates N fake customers as CSV, imports them exactly the
 * way `clientele customers import` does, attaches identifiers, then measures the search the
 * staff console calls with a mixed set of queries. Each figure is set against the raw limit
 * measured in the same run (plain COPY of the same file into an unindexed table).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { stringify } from 'csv-stringify';
import { sql } from 'kysely';
import { from as copyFrom } from 'pg-copy-streams';
import { buildSurfaces } from '../src/app.js';
import { createLogger } from '../src/platform/logger.js';
import { loadConfig } from '../src/config.js';
import { fakePerson, seededRandom, type FakePerson } from '../src/demo/people.js';
import { importCustomersFile } from '../src/modules/customers/customers-file-import.js';
import { CLI_ACTOR } from '../src/platform/auth/principal.js';
import { progressBar } from '../src/platform/progress.js';
import { ConflictError } from '../src/platform/errors.js';
import { formatRegistrationNo } from '../src/modules/customers/index.js';
import type { IdentifierKind } from '../src/modules/customers/index.js';
import { BENCH_DIR, openBenchDatabase, startBenchServer, type BenchDatabase, type BenchServer } from './lib/bench-db.js';
import { loadPerCpu, machineInfo } from './lib/machine.js';
import { rate, summarise, type LatencySummary } from './lib/stats.js';
import { fmt, printTable, type Cell } from './lib/table.js';
import { PG_STATEMENTS_SETTINGS, statementStats } from './lib/pg-statements.js';

const GOAL_IMPORT_ROWS_PER_S = 20_000;
const GOAL_SEARCH_P95_MS = 50;
const BATCH_SIZE = 8000; // the CLI's default --batch-size
const DATABASE = 'clientele_bench';
const CLI_DATABASE = 'clientele_bench_cli';

const HELP = `Usage: npm run bench -- customers [options]

  --customers <n>      customers to generate and import (default 1000000)
  --queries <n>        measured search queries (default 1000; 10% more run first as warm-up)
  --http-queries <n>   of those, how many to repeat over HTTP (default 200)
  --identifiers <n>    member cards and product serials to attach (default 50000)
  --cli-rows <n>       rows for one run of the real CLI import into a separate database (default 20000, 0: skip)
  --seed <n>           seed of the fake people and the query mix (default 20261122)
  --keep               reuse the cluster, CSV and imported data of an earlier --keep run, and keep them
  --pg-set <k=v>       a server setting for the embedded PostgreSQL (repeatable), e.g. --pg-set wal_buffers=64MB
  --pg-statements      during the import: the statements PostgreSQL spent its time on, and what its backends waited for
  --distinct-names     give nearly every customer a name of their own (the fake names repeat: ~2,500 distinct words
                       and run-together names in a million customers, where real ones would have about one
                       run-together name per customer, each a new row of the dictionary of names)
  --keep-name-index    import as \`clientele customers import --keep-name-index\` does: keys added to the name index row
                       by row, not a bulk load that builds the index at the end

DATABASE_URL=postgres://…  benchmark that server (databases ${DATABASE} and ${CLI_DATABASE}
                           are created on it and dropped afterwards unless --keep) instead of a
                           fresh embedded PostgreSQL in .bench-data/.`;

interface Options {
  customers: number;
  queries: number;
  httpQueries: number;
  identifiers: number;
  cliRows: number;
  seed: number;
  keep: boolean;
  pgStatements: boolean;
  keepNameIndex: boolean;
  distinctNames: boolean;
  pgSettings: Record<string, string>;
}

function parseOptions(argv: string[]): Options | null {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      customers: { type: 'string' },
      queries: { type: 'string' },
      'http-queries': { type: 'string' },
      identifiers: { type: 'string' },
      'cli-rows': { type: 'string' },
      seed: { type: 'string' },
      keep: { type: 'boolean', default: false },
      'pg-statements': { type: 'boolean', default: false },
      'keep-name-index': { type: 'boolean', default: false },
      'distinct-names': { type: 'boolean', default: false },
      'pg-set': { type: 'string', multiple: true, default: [] },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return null;
  const int = (name: string, v: string | undefined, fallback: number, min = 0) => {
    if (v === undefined) return fallback;
    const n = Number(v.replace(/[_,]/g, ''));
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number ≥ ${min} (got "${v}")`);
    return n;
  };
  return {
    customers: int('customers', values.customers, 1_000_000, 1),
    queries: int('queries', values.queries, 1000, 1),
    httpQueries: int('http-queries', values['http-queries'], 200),
    identifiers: int('identifiers', values.identifiers, 50_000),
    cliRows: int('cli-rows', values['cli-rows'], 20_000),
    seed: int('seed', values.seed, 20261122),
    keep: values.keep ?? false,
    pgStatements: values['pg-statements'] ?? false,
    keepNameIndex: values['keep-name-index'] ?? false,
    distinctNames: values['distinct-names'] ?? false,
    pgSettings: Object.fromEntries(
      (values['pg-set'] ?? []).map((kv) => {
        const at = kv.indexOf('=');
        if (at < 1) throw new Error(`--pg-set takes name=value (got "${kv}")`);
        return [kv.slice(0, at), kv.slice(at + 1)];
      }),
    ),
  };
}

const say = (line = '') => process.stderr.write(`${line}\n`);
const now = () => performance.now();
const COLUMNS = Object.keys(fakePerson(seededRandom(1), 0)) as (keyof FakePerson)[];

// ---------------------------------------------------------------------------------------------
// 1. The CSV file

/** Name characters and their readings, two of which make a fake given name nearly one of a kind. */
const NAME_SUFFIXES = [...'一二三四五六七八九十百千万春夏秋冬東西南北山川森林海空星月花雪風雷光明'].map((kanji, i) => ({
  kanji,
  reading: ['いち', 'に', 'さん', 'し', 'ご', 'ろく', 'しち', 'はち', 'く', 'じゅう', 'もも', 'ち', 'まん', 'はる', 'なつ', 'あき', 'ふゆ', 'ひがし', 'にし', 'みなみ', 'きた', 'やま', 'かわ', 'もり', 'はやし', 'うみ', 'そら', 'ほし', 'つき', 'はな', 'ゆき', 'かぜ', 'らい', 'ひかる', 'あきら'][i]!,
}));

/** `person` with its given name (and reading) extended by two characters drawn from its index (--distinct-names). */
function withDistinctName(person: FakePerson, index: number): FakePerson {
  const n = NAME_SUFFIXES.length;
  const a = NAME_SUFFIXES[index % n]!;
  const b = NAME_SUFFIXES[Math.floor(index / n) % n]!;
  return { ...person, name: `${person.name}${a.kanji}${b.kanji}`, name_reading: `${person.name_reading}${a.reading}${b.reading}` };
}

/** Streams `count` fake people (indexes from `firstIndex`) to a CSV file with a header row. */
async function generateCsv(file: string, count: number, seed: number, firstIndex = 0, label = 'generate CSV', distinctNames = false): Promise<number> {
  const started = now();
  const rnd = seededRandom(seed);
  const bar = progressBar(label, count);
  const csv = stringify({ header: true, columns: COLUMNS });
  const done = pipeline(csv, createWriteStream(file));
  let pending = 0;
  for (let i = 0; i < count; i++) {
    const person = fakePerson(rnd, firstIndex + i);
    if (!csv.write(distinctNames ? withDistinctName(person, firstIndex + i) : person)) await once(csv, 'drain');
    if (++pending === 10_000) {
      bar.increment(pending);
      pending = 0;
    }
  }
  csv.end();
  await done;
  bar.increment(pending);
  bar.stop();
  return now() - started;
}

// ---------------------------------------------------------------------------------------------
// 2. Import, exactly as `clientele customers import` does it

interface ImportFigures {
  rows: number;
  inserted: number;
  rejected: number;
  ms: number;
  /** rows/s of each tenth of the file: shows whether the rate falls as the table grows. */
  deciles: number[];
  /** The end of the import after the last batch (name index built or merged, ANALYZE), included in `ms`. */
  endMs: number;
  buildsNameIndex: boolean;
}

async function importLikeTheCli(db: BenchDatabase, file: string, total: number, keepNameIndex: boolean): Promise<ImportFigures> {
  const bar = progressBar('import (as the CLI)', total);
  const started = now();
  const deciles: number[] = [];
  let decileStart = started;
  let decileRows = 0;
  let rows = 0;
  let endStarted = 0;
  let buildsNameIndex = false;
  // The CLI's own import function with the CLI's defaults (8,000 rows a batch, 2 in flight),
  // told the file's rows as the CLI tells it.
  const result = await importCustomersFile(db.services.customers.importer, CLI_ACTOR, file, {
    batchSize: BATCH_SIZE,
    parallel: 2,
    expectedRows: total,
    nameIndex: keepNameIndex ? 'keep' : 'auto',
    onFinishing: (bulk) => {
      endStarted = now();
      buildsNameIndex = bulk.buildsNameIndex;
    },
    onBatch: (n) => {
      rows += n;
      decileRows += n;
      bar.increment(n);
      if (decileRows >= total / 10 || rows === total) {
        const t = now();
        deciles.push(rate(decileRows, t - decileStart));
        decileStart = t;
        decileRows = 0;
      }
    },
  });
  bar.stop();
  const ended = now();
  return { rows: result.rows, inserted: result.inserted, rejected: result.rejected.length, ms: ended - started, deciles, endMs: ended - endStarted, buildsNameIndex };
}

/** The raw limit: one COPY of the same file into an unindexed table of text columns. */
async function rawCopy(db: BenchDatabase, file: string, rows: number): Promise<number> {
  await sql.raw(`drop table if exists bench_raw; create table bench_raw (${COLUMNS.map((c) => `${c} text`).join(', ')})`).execute(db.handle.db);
  const size = (await stat(file)).size;
  const bar = progressBar('raw COPY (MiB)', Math.ceil(size / 2 ** 20));
  let bytes = 0;
  let reported = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      const mib = Math.floor(bytes / 2 ** 20);
      if (mib > reported) {
        bar.increment(mib - reported);
        reported = mib;
      }
      cb(null, chunk);
    },
  });
  const client = await db.handle.pool.connect();
  try {
    const started = now();
    const copy = client.query(copyFrom(`COPY bench_raw (${COLUMNS.join(', ')}) FROM STDIN (FORMAT csv, HEADER true)`));
    await pipeline(createReadStream(file), counter, copy);
    const ms = now() - started;
    bar.stop();
    const copied = Number((await client.query('select count(*) as n from bench_raw')).rows[0].n);
    if (copied !== rows) throw new Error(`raw COPY loaded ${copied} rows, expected ${rows}`);
    await client.query('drop table bench_raw');
    return ms;
  } finally {
    client.release();
  }
}

interface CliFigures {
  rows: number;
  reportedRate: number;
  reportedSeconds: number;
  wallMs: number;
}

/** Runs the real `clientele customers import` once, on a small file, into its own database. */
async function runRealCli(server: BenchServer, file: string, rows: number): Promise<CliFigures> {
  await server.admin(`drop database if exists ${CLI_DATABASE} with (force)`);
  await server.admin(`create database ${CLI_DATABASE} template template0 encoding 'UTF8'`);
  try {
    const started = now();
    const child = spawn(process.execPath, ['--import', 'tsx', path.join('src', 'main.ts'), 'customers', 'import', file], {
      env: { ...process.env, DATABASE_URL: server.urlFor(CLI_DATABASE), CLIENTELE_LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'inherit', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      process.stderr.write(d);
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    const wallMs = now() - started;
    if (code !== 0) throw new Error(`the CLI import failed (exit ${code}):\n${stderr}`);
    const m = /Imported (\d+) customers in ([\d.]+) s \((\d+) rows\/s\)/.exec(stderr);
    if (!m) throw new Error(`unexpected CLI output:\n${stderr}`);
    if (Number(m[1]) !== rows) throw new Error(`the CLI imported ${m[1]} of ${rows} rows`);
    return { rows, reportedSeconds: Number(m[2]), reportedRate: Number(m[3]), wallMs };
  } finally {
    await server.admin(`drop database if exists ${CLI_DATABASE} with (force)`);
  }
}

// ---------------------------------------------------------------------------------------------
// 3. Identifiers

interface BenchIdentifier {
  customerId: number;
  kind: Extract<IdentifierKind, 'member_card' | 'product_serial'>;
  value: string;
}

const LETTERS = 'ABCDEFGHJKLMNPRSTUVWXYZ';

function makeIdentifierValue(kind: BenchIdentifier['kind'], i: number, rnd: () => number): string {
  if (kind === 'member_card') {
    // 16 digits like a point card; the index keeps them unique, the random part spreads them.
    return `2900${String(i).padStart(6, '0')}${String(Math.floor(rnd() * 1e6)).padStart(6, '0')}`;
  }
  const l = () => LETTERS[Math.floor(rnd() * LETTERS.length)]!;
  return `${l()}${l()}${String(Math.floor(rnd() * 100)).padStart(2, '0')}-${String(i).padStart(7, '0')}`;
}

interface IdentifierFigures {
  count: number;
  viaService: number;
  serviceLatency: LatencySummary | null;
  bulkMs: number;
}

/** Attaches member cards and product serials: a few through the service (as staff would), the rest in bulk. */
async function attachIdentifiers(db: BenchDatabase, wanted: number, seed: number): Promise<{ ids: BenchIdentifier[]; figures: IdentifierFigures }> {
  const existing = await sql<{ customer_id: number; kind: BenchIdentifier['kind']; value: string }>`
    select customer_id, kind, value from customer_identifiers
    where kind in ('member_card', 'product_serial') and source in ('bench', 'bench-bulk')`.execute(db.handle.db);
  if (existing.rows.length > 0) {
    say(`Reusing ${existing.rows.length} identifiers attached by an earlier --keep run.`);
    const ids = existing.rows.map((r) => ({ customerId: r.customer_id, kind: r.kind, value: r.value }));
    return { ids, figures: { count: ids.length, viaService: 0, serviceLatency: null, bulkMs: Number.NaN } };
  }
  const all = (await sql<{ id: number }>`select id from customers where status = 'active' order by id`.execute(db.handle.db)).rows.map((r) => r.id);
  const count = Math.min(wanted, all.length);
  const rnd = seededRandom(seed + 7);
  // Partial Fisher–Yates: `count` distinct customers, the same ones for the same seed.
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(rnd() * (all.length - i));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  const ids: BenchIdentifier[] = [];
  for (let i = 0; i < count; i++) {
    const kind = i % 2 === 0 ? 'member_card' : 'product_serial';
    ids.push({ customerId: all[i]!, kind, value: makeIdentifierValue(kind, i, rnd) });
  }

  const viaService = Math.min(200, count);
  const latencies: number[] = [];
  for (const id of ids.slice(0, viaService)) {
    const t = now();
    await db.services.customers.service.addIdentifier(CLI_ACTOR, id.customerId, id.kind, id.value, 'bench');
    latencies.push(now() - t);
  }
  const bar = progressBar('identifiers (bulk)', count - viaService);
  const started = now();
  for (let start = viaService; start < count; start += 10_000) {
    const chunk = ids.slice(start, start + 10_000);
    await sql`
      insert into customer_identifiers (customer_id, kind, value, source)
      select customer_id, kind, value, 'bench-bulk'
      from unnest(${chunk.map((c) => c.customerId)}::bigint[], ${chunk.map((c) => c.kind)}::text[], ${chunk.map((c) => c.value)}::text[])
        as t(customer_id, kind, value)`.execute(db.handle.db);
    bar.increment(chunk.length);
  }
  bar.stop();
  return {
    ids,
    figures: { count, viaService, serviceLatency: viaService ? summarise(latencies) : null, bulkMs: now() - started },
  };
}

// ---------------------------------------------------------------------------------------------
// 4. The query mix

type QueryKind =
  | 'name (kanji)'
  | 'reading (hiragana)'
  | 'reading (katakana)'
  | 'name with a typo'
  | 'phone prefix'
  | 'e-mail prefix'
  | 'e-mail (full)'
  | 'registration no.'
  | 'card / serial';

/** Share of each kind in the mix (per 1,000 queries). */
const MIX: [QueryKind, number][] = [
  ['name (kanji)', 200],
  ['reading (hiragana)', 100],
  ['reading (katakana)', 100],
  ['name with a typo', 100],
  ['phone prefix', 100],
  ['e-mail prefix', 100],
  ['e-mail (full)', 100],
  ['registration no.', 100],
  ['card / serial', 100],
];

interface BenchQuery {
  kind: QueryKind;
  q: string;
  /** The customer the query was made from, when the query pins one person down. */
  expect?: number;
  /** For a typo: the reading it was made from. Found when any result has that reading (many people share a name). */
  expectReading?: string;
}

interface SampleCustomer {
  id: number;
  registration_no: string;
  name: string;
  name_reading: string;
  email: string;
  phone: string;
}

const toKatakana = (s: string) => s.replace(/[\u3041-\u3096]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0x60));
const HIRAGANA = 'あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをん';

function buildQueries(total: number, seed: number, people: SampleCustomer[], identifiers: BenchIdentifier[]): BenchQuery[] {
  const rnd = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
  const weightSum = MIX.reduce((a, [, w]) => a + w, 0);
  const queries: BenchQuery[] = [];
  for (const [kind, weight] of MIX) {
    const n = Math.round((total * weight) / weightSum);
    for (let i = 0; i < n; i++) {
      const p = pick(people);
      const [family = '', given = ''] = p.name.split(' ');
      const [familyReading = '', givenReading = ''] = p.name_reading.split(' ');
      switch (kind) {
        case 'name (kanji)':
          queries.push({
            kind,
            q: pick([family, `${family} ${given}`, `${family}${given}`, `${family} ${[...given][0]}`, given]),
          });
          break;
        case 'reading (hiragana)':
          queries.push({ kind, q: pick([familyReading, p.name_reading, `${familyReading}${givenReading}`, givenReading]) });
          break;
        case 'reading (katakana)':
          queries.push({ kind, q: toKatakana(pick([familyReading, p.name_reading, givenReading])) });
          break;
        case 'name with a typo': {
          const chars = [...`${familyReading}${givenReading}`];
          const at = 1 + Math.floor(rnd() * (chars.length - 1));
          if (rnd() < 0.7) chars[at] = pick([...HIRAGANA].filter((c) => c !== chars[at]));
          else chars.splice(at, 1);
          queries.push({ kind, q: chars.join(''), expectReading: p.name_reading });
          break;
        }
        case 'phone prefix': {
          const digits = 4 + Math.floor(rnd() * 5); // 4–8 digits, typed with or without hyphens
          if (rnd() < 0.5) queries.push({ kind, q: p.phone.replace(/\D/g, '').slice(0, digits) });
          else {
            let seen = 0;
            let cut = 0;
            while (seen < digits && cut < p.phone.length) if (/\d/.test(p.phone[cut++]!)) seen++;
            queries.push({ kind, q: p.phone.slice(0, cut) });
          }
          break;
        }
        case 'e-mail prefix': {
          const local = p.email.split('@')[0]!;
          queries.push({ kind, q: local.slice(0, 5 + Math.floor(rnd() * (local.length - 4))) });
          break;
        }
        case 'e-mail (full)':
          queries.push({ kind, q: rnd() < 0.2 ? p.email.toUpperCase() : p.email, expect: p.id });
          break;
        case 'registration no.':
          queries.push({ kind, q: rnd() < 0.5 ? formatRegistrationNo(p.registration_no) : p.registration_no, expect: p.id });
          break;
        case 'card / serial': {
          if (identifiers.length === 0) break;
          const id = pick(identifiers);
          const q =
            id.kind === 'member_card'
              ? rnd() < 0.5
                ? id.value.replace(/(\d{4})(?=\d)/g, '$1 ')
                : id.value
              : rnd() < 0.5
                ? id.value.toLowerCase()
                : id.value;
          queries.push({ kind, q, expect: id.customerId });
          break;
        }
      }
    }
  }
  // Interleave the kinds, as real traffic would.
  for (let i = queries.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [queries[i], queries[j]] = [queries[j]!, queries[i]!];
  }
  return queries;
}

interface QueryResult {
  query: BenchQuery;
  ms: number;
  results: number;
  found: boolean | null;
}

async function runQueries(db: BenchDatabase, queries: BenchQuery[], label: string): Promise<QueryResult[]> {
  const search = db.services.customers.service;
  const bar = progressBar(label, queries.length);
  const out: QueryResult[] = [];
  for (const query of queries) {
    const t = now();
    const items = await search.search(query.q, { limit: 20 });
    const ms = now() - t;
    out.push({
      query,
      ms,
      results: items.length,
      found:
        query.expect !== undefined
          ? items.some((i) => i.customerNumber === String(query.expect))
          : query.expectReading !== undefined
            ? items.some((i) => i.nameReading === query.expectReading)
            : null,
    });
    bar.increment();
  }
  bar.stop();
  return out;
}

/**
 * The floor under any search: a primary-key lookup of the same summary columns through a plain
 * pg client, one at a time (one round trip, no query building, no ranking).
 */
async function rawLookupFloor(db: BenchDatabase, ids: number[]): Promise<LatencySummary> {
  const client = await db.handle.pool.connect();
  try {
    const latencies: number[] = [];
    for (const id of ids) {
      const t = now();
      await client.query('select id, registration_no, name, name_reading, email, phone, status, updated_at from customers where id = $1', [id]);
      latencies.push(now() - t);
    }
    return summarise(latencies);
  } finally {
    client.release();
  }
}

interface HttpFigures {
  latency: LatencySummary;
  /** Median over the same queries of (HTTP latency − direct service call), run back to back. */
  medianOverheadMs: number;
  mismatches: number;
}

/** The same search through the console surface: a real listening server, a staff session, fetch. */
async function runOverHttp(db: BenchDatabase, sample: QueryResult[]): Promise<HttpFigures> {
  const surfaces = await buildSurfaces(db.services, createLogger(db.config));
  try {
    const username = `bench-${Date.now().toString(36)}`;
    const password = `bench-${Math.random().toString(36).slice(2)}-pw`;
    try {
      await db.services.access.createStaff({ username, password, role: 'sales', displayName: 'Benchmark' });
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
    const base = await surfaces.console.listen({ host: '127.0.0.1', port: 0 });
    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    if (login.status !== 200) throw new Error(`bench staff login failed: ${login.status} ${await login.text()}`);
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const bar = progressBar('search over HTTP', sample.length);
    const latencies: number[] = [];
    const overheads: number[] = [];
    let mismatches = 0;
    const direct = async (q: string) => {
      const t = now();
      const items = await db.services.customers.service.search(q, { limit: 20 });
      return { ms: now() - t, count: items.length };
    };
    const overHttp = async (q: string) => {
      const t = now();
      const res = await fetch(`${base}/api/customers?q=${encodeURIComponent(q)}&limit=20`, { headers: { cookie } });
      const body = (await res.json()) as { items?: unknown[] };
      return { ms: now() - t, count: res.status === 200 ? (body.items?.length ?? -1) : -1 };
    };
    // Each query directly and over HTTP back to back, alternating which goes first, so both
    // see the same cache and the difference is the HTTP layer.
    for (const [i, r] of sample.entries()) {
      const [a, b] = i % 2 === 0 ? [await direct(r.query.q), await overHttp(r.query.q)] : [undefined, await overHttp(r.query.q)];
      const d = a ?? (await direct(r.query.q));
      if (b.count !== d.count) mismatches++;
      latencies.push(b.ms);
      overheads.push(b.ms - d.ms);
      bar.increment();
    }
    bar.stop();
    return { latency: summarise(latencies), medianOverheadMs: summarise(overheads).p50, mismatches };
  } finally {
    await Promise.allSettled(Object.values(surfaces).map((s) => s.close()));
  }
}

// ---------------------------------------------------------------------------------------------

async function tableSizes(db: BenchDatabase) {
  const r = await sql<{ name: string; kind: string; bytes: number }>`
    select c.relname as name, case c.relkind when 'i' then 'index' else 'table' end as kind,
           pg_relation_size(c.oid)::bigint as bytes
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'i')
      and (c.relname like 'customer%' or c.relname like 'audit_log%' or c.relname like 'consent%')
    order by bytes desc`.execute(db.handle.db);
  return r.rows.map((x) => ({ ...x, bytes: Number(x.bytes) }));
}

const ms = (v: number) => (Number.isFinite(v) ? `${v < 10 ? fmt(v, 2) : fmt(v, 1)} ms` : '–');

export async function main(argv: string[]): Promise<void> {
  const options = parseOptions(argv);
  if (!options) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const machine = machineInfo();
  const load = loadPerCpu();
  say(`customers benchmark: ${fmt(options.customers)} customers, ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}`);
  if (load > 0.3) say(`Note: the load average is ${fmt(load * machine.cpus, 2)} before the run: other work on this machine will lower the figures.`);
  await mkdir(BENCH_DIR, { recursive: true });

  const externalUrl = loadConfig().databaseUrl;
  say(externalUrl ? 'Using the server at DATABASE_URL.' : `Starting an embedded PostgreSQL in ${path.join(BENCH_DIR, 'pg')} …`);
  const settings = { ...options.pgSettings, ...(options.pgStatements ? PG_STATEMENTS_SETTINGS : {}) };
  if (Object.keys(options.pgSettings).length) say(`Server settings: ${Object.entries(options.pgSettings).map(([k, v]) => `${k}=${v}`).join(', ')}`);
  const server = await startBenchServer({ keep: options.keep, externalUrl, settings });
  let db: BenchDatabase | undefined;
  try {
    db = await openBenchDatabase(server, DATABASE, { keep: options.keep });
    const started = new Date();
    const csvFile = path.join(BENCH_DIR, `customers-${options.customers}-s${options.seed}${options.distinctNames ? '-distinct' : ''}.csv`);

    const existing = Number(
      (await sql<{ n: number }>`select count(*) as n from customers`.execute(db.handle.db)).rows[0]?.n ?? 0,
    );
    let imported: ImportFigures | null = null;
    let copyMs = Number.NaN;
    let cli: CliFigures | null = null;
    let generateMs = Number.NaN;
    if (existing > 0) {
      if (existing !== options.customers) {
        throw new Error(`the kept database has ${existing} customers, not ${options.customers}: run without --keep to start afresh`);
      }
      say(`Reusing the ${fmt(existing)} customers imported by an earlier --keep run (import not measured).`);
    } else {
      if (options.keep && existsSync(csvFile)) say(`Reusing ${csvFile}.`);
      else generateMs = await generateCsv(csvFile, options.customers, options.seed, 0, 'generate CSV', options.distinctNames);

      if (options.cliRows > 0) {
        const cliFile = path.join(BENCH_DIR, `customers-cli-${options.cliRows}.csv`);
        // Indexes after the main file's, so e-mail addresses and phones do not collide.
        await generateCsv(cliFile, options.cliRows, options.seed + 1, options.customers, 'generate CLI CSV', options.distinctNames);
        say(`Running the real CLI: clientele customers import ${path.relative(process.cwd(), cliFile)} (own database) …`);
        cli = await runRealCli(server, cliFile, options.cliRows);
        await rm(cliFile, { force: true });
        await rm(`${cliFile}.rejects.csv`, { force: true });
      }

      const statements = options.pgStatements ? await statementStats(db.handle.db, say) : null;
      await statements?.reset();
      imported = await importLikeTheCli(db, csvFile, options.customers, options.keepNameIndex);
      await statements?.print(imported.inserted, 'customers imported');
      if (imported.rejected > 0) say(`Warning: ${imported.rejected} rows were rejected by the importer.`);
      say(`Imported ${fmt(imported.inserted)} customers in ${fmt(imported.ms / 1000, 1)} s.`);
      // The raw limit, measured now, on the same server and file.
      await sql`checkpoint`.execute(db.handle.db);
      copyMs = await rawCopy(db, csvFile, options.customers);
      say(`Raw COPY: ${fmt(rate(options.customers, copyMs))} rows/s.`);
    }

    const { ids, figures: idFigures } = await attachIdentifiers(db, options.identifiers, options.seed);

    // Searches are timed on the steady state a server reaches once autovacuum has seen the
    // import: right after a million inserts, every heap page still lacks its hint bits (the first
    // reads set them, and write) and an insert-triggered autovacuum of customers is due.
    const analyzeStart = now();
    await sql`vacuum (analyze)`.execute(db.handle.db);
    await sql`checkpoint`.execute(db.handle.db);
    const analyzeMs = now() - analyzeStart;

    // Real people to build queries from: a repeatable sample of about 3,000 customers.
    const percent = Math.min(100, (3000 / options.customers) * 100);
    const people = (
      await sql<SampleCustomer>`
        select id, registration_no, name, name_reading, email::text as email, phone
        from customers tablesample bernoulli (${sql.lit(percent)}) repeatable (${sql.lit(options.seed)})
        where status = 'active' and name is not null and name_reading is not null and email is not null and phone is not null`.execute(
        db.handle.db,
      )
    ).rows;
    if (people.length === 0) throw new Error('no customers to build queries from');
    const warmup = buildQueries(Math.ceil(options.queries / 10), options.seed + 3, people, ids);
    const queries = buildQueries(options.queries, options.seed + 2, people, ids);
    await runQueries(db, warmup, 'search warm-up');
    const results = await runQueries(db, queries, 'search (service)');
    const floor = await rawLookupFloor(db, people.slice(0, options.queries).map((p) => p.id));

    const httpSample = results.slice(0, Math.min(options.httpQueries, results.length));
    const http = httpSample.length ? await runOverHttp(db, httpSample) : null;
    const sizes = await tableSizes(db);

    // ---- figures ----
    const figures = {
      date: started.toISOString(),
      machine,
      loadPerCpuBefore: load,
      postgres: { kind: server.kind, version: server.version },
      options,
      generateMs,
      import: imported && {
        ...imported,
        rowsPerSecond: rate(imported.inserted, imported.ms),
        rawCopyMs: copyMs,
        rawCopyRowsPerSecond: rate(options.customers, copyMs),
      },
      cli,
      identifiers: idFigures,
      analyzeMs,
      search: {} as Record<string, LatencySummary & { results: number; found: number | null }>,
      rawLookupFloor: floor,
      http,
      sizes,
      loadPerCpuAfter: loadPerCpu(),
    };

    process.stdout.write(
      `\n## customers benchmark — ${started.toISOString().slice(0, 10)}\n\n` +
        `${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}, ` +
        `PostgreSQL ${server.version} (${server.kind}), ${fmt(options.customers)} customers${options.distinctNames ? " (--distinct-names)" : ""}, seed ${options.seed}; ` +
        `load average per CPU ${fmt(load, 2)} before, ${fmt(figures.loadPerCpuAfter, 2)} after\n`,
    );

    if (imported) {
      const ours = rate(imported.inserted, imported.ms);
      const raw = rate(options.customers, copyMs);
      const importRows: Cell[][] = [
        [`the CLI’s import: ${fmt(BATCH_SIZE)}-row batches, 2 in flight`, fmt(imported.inserted), `${fmt(imported.ms / 1000, 1)} s`, fmt(ours), `${fmt(ours / raw, 3)}×`],
        ['raw COPY into unindexed text table', fmt(options.customers), `${fmt(copyMs / 1000, 1)} s`, fmt(raw), '1.000×'],
      ];
      if (cli) {
        importRows.push([
          `real CLI on ${fmt(cli.rows)} rows, empty database (its own figure)`,
          fmt(cli.rows),
          `${fmt(cli.reportedSeconds, 1)} s`,
          fmt(cli.reportedRate),
          `${fmt(cli.reportedRate / raw, 3)}×`,
        ]);
      }
      printTable('Import', ['what', 'rows', 'time', 'rows/s', 'vs raw'], importRows);
      process.stdout.write(
        `\nrows/s by tenth of the file: ${imported.deciles.map((d) => fmt(d)).join(', ')}\n` +
          `after the last batch (included above): ${fmt(imported.endMs / 1000, 1)} s — ${imported.buildsNameIndex ? 'name index built (a bulk load)' : 'name index pending entries merged'}, ANALYZE\n` +
          `Goal ≥ ${fmt(GOAL_IMPORT_ROWS_PER_S)} rows/s: ${ours >= GOAL_IMPORT_ROWS_PER_S ? 'MET' : 'MISSED'} (${fmt(ours)} rows/s)\n`,
      );
    }

    const kinds = MIX.map(([k]) => k);
    const searchRows: Cell[][] = [];
    const line = (label: string, rs: QueryResult[]) => {
      const s = summarise(rs.map((r) => r.ms));
      const pinned = rs.filter((r) => r.found !== null);
      const found = pinned.length ? pinned.filter((r) => r.found).length / pinned.length : null;
      const nonEmpty = rs.filter((r) => r.results > 0).length / rs.length;
      figures.search[label] = { ...s, results: nonEmpty, found };
      searchRows.push([
        label,
        s.n,
        ms(s.p50),
        ms(s.p95),
        ms(s.p99),
        ms(s.max),
        `${fmt(nonEmpty * 100)}%`,
        found === null ? '–' : `${fmt(found * 100)}%`,
      ]);
    };
    for (const k of kinds) {
      const rs = results.filter((r) => r.query.kind === k);
      if (rs.length) line(k, rs);
    }
    line('all', results);
    searchRows.push([
      'floor: primary-key lookup, plain pg client',
      floor.n,
      ms(floor.p50),
      ms(floor.p95),
      ms(floor.p99),
      ms(floor.max),
      '',
      '',
    ]);
    printTable(
      `Search: ${fmt(results.length)} mixed queries, services.customers.service.search(q, { limit: 20 }), one at a time`,
      ['query kind', 'n', 'p50', 'p95', 'p99', 'max', 'with results', 'target found'],
      searchRows,
    );
    const overall = figures.search.all!;
    process.stdout.write(
      `\nGoal p95 ≤ ${GOAL_SEARCH_P95_MS} ms: ${overall.p95 <= GOAL_SEARCH_P95_MS ? 'MET' : 'MISSED'} (${ms(overall.p95)}); ` +
        `${fmt(warmup.length)} warm-up queries ran first and are not counted.\n`,
    );

    const slowest = [...results].sort((a, b) => b.ms - a.ms).slice(0, 8);
    printTable(
      'Slowest queries',
      ['query', 'kind', 'latency', 'results'],
      slowest.map((r) => [JSON.stringify(r.query.q), r.query.kind, ms(r.ms), r.results]),
    );

    if (http) {
      printTable(`Search over HTTP: GET /api/customers on the console surface, ${fmt(http.latency.n)} of the same queries`, ['n', 'p50', 'p95', 'p99', 'max', 'median overhead vs direct', 'answers differing'], [
        [http.latency.n, ms(http.latency.p50), ms(http.latency.p95), ms(http.latency.p99), ms(http.latency.max), ms(http.medianOverheadMs), http.mismatches],
      ]);
    }

    const otherRows: Cell[][] = [];
    if (Number.isFinite(generateMs)) otherRows.push(['generate CSV (fakePerson + csv-stringify)', `${fmt(generateMs / 1000, 1)} s`, `${fmt(rate(options.customers, generateMs))} rows/s`]);
    if (idFigures.serviceLatency) {
      otherRows.push([`addIdentifier through the service (${idFigures.viaService})`, `p50 ${ms(idFigures.serviceLatency.p50)}`, `p95 ${ms(idFigures.serviceLatency.p95)}`]);
    }
    if (Number.isFinite(idFigures.bulkMs)) {
      otherRows.push([`bulk identifiers (${fmt(idFigures.count - idFigures.viaService)}, unnest)`, `${fmt(idFigures.bulkMs / 1000, 1)} s`, `${fmt(rate(idFigures.count - idFigures.viaService, idFigures.bulkMs))} rows/s`]);
    }
    otherRows.push(['VACUUM (ANALYZE) + CHECKPOINT', `${fmt(analyzeMs / 1000, 1)} s`, '']);
    printTable('Other steps', ['step', 'time', 'rate'], otherRows);

    printTable(
      'Sizes on disk',
      ['relation', 'kind', 'MiB'],
      sizes.filter((s) => s.bytes > 2 ** 20).map((s) => [s.name, s.kind, fmt(s.bytes / 2 ** 20)]),
    );

    const resultsFile = path.join(BENCH_DIR, 'customers-results.json');
    await writeFile(resultsFile, JSON.stringify(figures, null, 2));
    say(`\nFigures also written to ${resultsFile}.`);
    if (!options.keep) await rm(csvFile, { force: true });
  } finally {
    await db?.close().catch((err: unknown) => say(`closing the bench database: ${String(err)}`));
    await server.stop();
  }
}

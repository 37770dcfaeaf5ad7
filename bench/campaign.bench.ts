/**
 * `npm run bench -- campaign`: one e-mail campaign to a segment of 1,000,000 customers (70 %
 * consenting), delivered over SMTP to a local counting sink in another process. Reports segment
 * evaluation time, messages rendered/s, mails delivered/s, peak memory, and the raw ceiling of
 * the same SMTP pool sending a fixed message with no database in the same run.
 */
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { EmailSender } from '../src/modules/messaging/email-sender.js';
import { buildServices } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { progressBar } from '../src/platform/progress.js';
import { renderTemplate } from '../src/modules/messaging/template-renderer.js';
import { openBenchDatabase, startBenchServer } from './lib/bench-db.js';
import { loadPerCpu, machineInfo } from './lib/machine.js';
import { startSinkProcess } from './lib/smtp-sink.js';
import { rate } from './lib/stats.js';
import { fmt, printTable } from './lib/table.js';
import { positiveInt } from './lib/options.js';

interface Options {
  customers: number;
  keep: boolean;
  connections: number;
  workers: number;
}

function parseOptions(argv: string[]): Options | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      customers: { type: 'string', default: '1000000' },
      connections: { type: 'string', default: '16' },
      workers: { type: 'string', default: '6' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      'npm run bench -- campaign [--customers N] [--connections N] [--workers N] [--keep]\n' +
        '  --customers    customers in the database, 70 % consenting to e-mail (default 1,000,000)\n' +
        '  --connections  SMTP connections (CLIENTELE_SMTP_CONNECTIONS, default 16)\n' +
        '  --workers      delivery jobs at once (CLIENTELE_SEND_WORKERS, default 6)\n',
    );
    return null;
  }
  return { customers: positiveInt(values.customers!, 'customers'), connections: positiveInt(values.connections!, 'connections'), workers: positiveInt(values.workers!, 'workers'), keep: values.keep! };
}

async function seed(db: import('../src/platform/db/database.js').Db, n: number): Promise<void> {
  const existing = Number((await sql<{ n: number }>`select count(*)::bigint as n from customers`.execute(db)).rows[0]!.n);
  if (existing >= n) return;
  const bar = progressBar('customers', n);
  const step = 100_000;
  for (let from = 0; from < n; from += step) {
    const to = Math.min(from + step, n) - 1;
    await sql`
      with c as (
        -- name_keys empty: this benchmark never searches by name
        insert into customers (registration_no, name, name_reading, name_keys, email, prefecture, city, email_consent)
        select lpad((1000000000 + i)::text, 10, '0'), '配信 太郎' || i, 'はいしん たろう', '{}',
               'user' || i || '@bench.example', '東京都', '千代田区', i % 10 < 7
        from generate_series(${from}::int, ${to}::int) i
        returning id, email_consent)
      insert into consent_events (customer_id, channel, granted, source, surface)
      select id, 'email', true, 'bench', 'cli' from c where email_consent`.execute(db);
    bar.increment(to - from + 1);
  }
  bar.stop();
  await sql`analyze`.execute(db);
}

export async function main(argv: string[]): Promise<void> {
  const options = parseOptions(argv);
  if (!options) return;
  const machine = machineInfo();
  const loadBefore = loadPerCpu();
  const sink = await startSinkProcess();
  const server = await startBenchServer({ keep: options.keep, externalUrl: process.env.DATABASE_URL, clusterDir: 'campaign-pg' });
  const bench = await openBenchDatabase(server, 'bench_campaign', { keep: options.keep });
  try {
    await seed(bench.handle.db, options.customers);

    // Raw ceiling: the same SMTP pool, a fixed message, no database.
    const ceilingCount = 20_000;
    // The same transport the product builds (pooled, no-delay sockets), without the database.
    const transport = new EmailSender({ smtpUrl: sink.url, from: 'bench@example.jp', connections: options.connections, dataDir: '.bench-data/data' });
    const ceilingStart = performance.now();
    let sentRaw = 0;
    await Promise.all(
      Array.from({ length: options.connections * 2 }, async () => {
        while (sentRaw < ceilingCount) {
          sentRaw++;
          await transport.send({ to: 'x@example.jp', subject: '件名', text: '本文です。', html: null, messageId: `<raw.${sentRaw}@bench>`, headers: {} });
        }
      }),
    );
    const ceilingRate = rate(ceilingCount, performance.now() - ceilingStart);
    transport.close();

    // Rendering alone.
    const template = { subject: '{{customer.name}} 様　秋のセール', bodyText: '{{customer.name}} 様\n\nいつもありがとうございます。\n{{unsubscribeUrl}}\n', bodyHtml: '<p>{{customer.name}} 様</p><p>ご案内です。</p>' };
    const renderStart = performance.now();
    for (let i = 0; i < 100_000; i++) renderTemplate(template, { customer: { name: `配信 太郎${i}` }, unsubscribeUrl: 'https://x/u/1' });
    const renderRate = rate(100_000, performance.now() - renderStart);

    // The campaign, as the product runs it (jobs in PostgreSQL, consent checked at send time).
    const config = loadConfig({
      CLIENTELE_LOG_LEVEL: 'silent',
      DATABASE_URL: bench.url,
      CLIENTELE_DATA_DIR: '.bench-data/data',
      SMTP_URL: sink.url,
      CLIENTELE_SMTP_CONNECTIONS: String(options.connections),
      CLIENTELE_SEND_WORKERS: String(options.workers),
    });
    const services = buildServices(bench.handle.db, config);
    const messaging = services.messaging;
    const t = await messaging.templates.create({ name: `bench ${Date.now()}`, channel: 'email', ...template });
    const definition = { match: 'all' as const, criteria: [{ criterion: 'attribute', params: { field: 'prefecture', op: 'eq', value: '東京都' } }] };
    const counted = await messaging.segments.count(definition);
    const consenting = await messaging.segments.count({ match: 'all', criteria: [...definition.criteria, { criterion: 'consent', params: { channel: 'email' } }] });
    const segment = await messaging.segments.create(`bench ${Date.now()}`, definition);
    const campaign = await messaging.campaigns.create({ name: 'bench', templateId: t.id, segmentId: segment.id, kind: 'one_off' }, 'bench');

    let peakRss = process.memoryUsage().rss;
    const memory = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 250);
    const sinkBefore = await sink.count();
    await services.jobs.start();
    const started = performance.now();
    await messaging.campaigns.start(campaign.id);
    let run = (await messaging.campaigns.runs(campaign.id))[0]!;
    while (run.status === 'preparing') {
      await new Promise((r) => setTimeout(r, 100));
      run = await messaging.campaigns.run(run.id);
    }
    const preparedMs = performance.now() - started;
    const bar = progressBar('delivered', consenting.count);
    let delivered = 0;
    const sendStart = performance.now();
    while (run.status !== 'done') {
      await new Promise((r) => setTimeout(r, 1000));
      const now = (await sink.count()) - sinkBefore;
      bar.increment(now - delivered);
      delivered = now;
      run = await messaging.campaigns.run(run.id);
    }
    const sendMs = performance.now() - sendStart;
    bar.stop();
    clearInterval(memory);
    delivered = (await sink.count()) - sinkBefore;
    await services.jobs.stop();
    messaging.close();
    const deliveredRate = rate(delivered, sendMs);

    process.stdout.write(
      `\nMachine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}, PostgreSQL ${server.version} (${server.kind}); ` +
        `load per CPU before the run ${fmt(loadBefore, 2)}\n`,
    );
    printTable('Campaign to 1 segment', ['figure', 'value', 'goal'], [
      ['customers in the segment', fmt(counted.count), ''],
      ['of them consenting to e-mail', fmt(consenting.count), ''],
      ['segment evaluation (count)', `${fmt(counted.ms)} ms`, '≤ 2,000 ms'],
      ['preparing the run (segment → queued send log)', `${fmt(run.segmentMs ?? 0)} ms (of ${fmt(preparedMs)} ms until sending began)`, ''],
      ['messages rendered/s (renderer alone)', fmt(renderRate), ''],
      ['mails delivered', fmt(delivered), ''],
      ['mails delivered/s', fmt(deliveredRate), '≥ 2,000'],
      ['raw SMTP ceiling, same pool, no database', `${fmt(ceilingRate)}/s`, ''],
      ['delivered rate as a share of the ceiling', `${fmt((deliveredRate / ceilingRate) * 100)} %`, ''],
      ['peak RSS of the sending process', `${fmt(peakRss / 2 ** 20)} MB`, 'flat'],
      ['send log', JSON.stringify(run.progress), ''],
    ]);
  } finally {
    await bench.close();
    await server.stop();
    await sink.stop();
  }
}

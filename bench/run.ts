/**
 * Benchmark runner: `npm run bench -- <name> [options]`. Each benchmark lives in its own
 * module, loaded only when asked for, and prints its figures as tables at the end.
 */
interface BenchEntry {
  summary: string;
  load(): Promise<{ main(argv: string[]): Promise<void> }>;
}

const BENCHMARKS: Record<string, BenchEntry> = {
  campaign: {
    summary: 'one e-mail campaign to 1,000,000 customers (70 % consenting) over SMTP (goal: segment ≤ 2 s, ≥ 2,000 mails/s)',
    load: () => import('./campaign.bench.js'),
  },
  registration: {
    summary: 'registrations/s with 200 concurrent agents against 1,000,000 products; p99; the hash alone',
    load: () => import('./registration.bench.js'),
  },
  customers: {
    summary: 'generate customers, import them as the CLI does, search them (goal: ≥ 20,000 rows/s, p95 ≤ 50 ms)',
    load: () => import('./customers.bench.js'),
  },
  appliances: {
    summary: '10,000 simulated appliances over MQTT: stored records/s vs the broker-only ceiling (aedes, Mosquitto), p99 record-to-rollup delay, analysis p95 at 50M records',
    load: () => import('./appliances.bench.js'),
  },
};

function usage(): string {
  const names = Object.entries(BENCHMARKS).map(([name, b]) => `  ${name.padEnd(12)} ${b.summary}`);
  return [
    'Usage: npm run bench -- <benchmark> [options]',
    '',
    'Benchmarks:',
    ...names,
    '',
    'Options of a benchmark: npm run bench -- <benchmark> --help',
    'DATABASE_URL=postgres://… benchmarks that server instead of a fresh embedded PostgreSQL in .bench-data/.',
  ].join('\n');
}

const [name, ...rest] = process.argv.slice(2);
const entry = name ? BENCHMARKS[name] : undefined;
if (!entry) {
  if (name && name !== '--help' && name !== '-h') process.stderr.write(`Unknown benchmark "${name}".\n\n`);
  process.stderr.write(`${usage()}\n`);
  process.exit(name === '--help' || name === '-h' ? 0 : 2);
}
try {
  await (await entry.load()).main(rest);
} catch (err) {
  process.stderr.write(`bench ${name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
}

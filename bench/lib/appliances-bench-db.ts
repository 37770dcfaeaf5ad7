import { rm } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '../../src/platform/free-port.js';
import { startEmbeddedPg } from '../../src/platform/db/embedded.js';
import { BENCH_DIR, type BenchServer } from './bench-db.js';

/**
 * Like startBenchServer, but in a cluster directory of its own (.bench-data/appliances-pg), so
 * the appliances benchmark never removes or shares the cluster another benchmark is using.
 */
export async function startAppliancesBenchServer(opts: { keep: boolean; externalUrl?: string | undefined }): Promise<BenchServer> {
  let adminUrl: string;
  let stop: () => Promise<void> = async () => undefined;
  let kind: BenchServer['kind'];
  if (opts.externalUrl) {
    kind = 'external';
    adminUrl = opts.externalUrl;
  } else {
    kind = 'embedded';
    const dir = path.join(BENCH_DIR, 'appliances-pg');
    if (!opts.keep) await rm(dir, { recursive: true, force: true });
    const embedded = await startEmbeddedPg({ dir, port: await freePort(), ephemeral: !opts.keep });
    adminUrl = embedded.url('postgres');
    let stopped = false;
    stop = async () => {
      if (stopped) return;
      stopped = true;
      await embedded.stop();
    };
    process.once('SIGINT', () => {
      process.stderr.write('\nInterrupted: stopping the benchmark PostgreSQL …\n');
      void stop().finally(() => process.exit(130));
    });
  }
  const urlFor = (database: string) => {
    const u = new URL(adminUrl);
    u.pathname = `/${database}`;
    return u.toString();
  };
  const admin = async (text: string) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      return await client.query(text);
    } finally {
      await client.end();
    }
  };
  const version = String((await admin('show server_version')).rows[0]?.server_version ?? 'unknown');
  return { kind, version, urlFor, admin, stop };
}

import { rm } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { buildServices, type Services } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { connectDatabase, type DatabaseHandle } from '../../src/platform/db/database.js';
import { freePort } from '../../src/platform/free-port.js';
import { startEmbeddedPg } from '../../src/platform/db/embedded.js';
import { migrateToLatest } from '../../src/platform/db/migrate.js';

/** Where benchmarks keep their PostgreSQL cluster and generated files (gitignored). */
export const BENCH_DIR = path.resolve('.bench-data');

export interface BenchServer {
  kind: 'embedded' | 'external';
  /** e.g. "18.4" */
  version: string;
  urlFor(database: string): string;
  /** One statement on the server's maintenance database (create/drop databases). */
  admin(text: string): Promise<pg.QueryResult>;
  /** Stops the embedded server (deleting its cluster unless kept); nothing for an external one. */
  stop(): Promise<void>;
}


/**
 * The PostgreSQL a benchmark runs against: the server of `externalUrl` (DATABASE_URL), or a
 * fresh embedded cluster in .bench-data/pg (or `clusterDir`), exactly as the product starts it. With `keep`, an
 * existing cluster is reused and left in place afterwards; without, it starts empty and is
 * deleted when stopped. Ctrl-C stops the server rather than leaving it running.
 */
export async function startBenchServer(opts: {
  keep: boolean;
  externalUrl?: string | undefined;
  /** Cluster directory under .bench-data: a benchmark that keeps large data uses its own, so others never remove it. */
  clusterDir?: string;
  /** Extra settings of the embedded server (ignored for an external one). */
  settings?: Record<string, string>;
}): Promise<BenchServer> {
  let adminUrl: string;
  let stop: () => Promise<void> = async () => undefined;
  let kind: BenchServer['kind'];
  if (opts.externalUrl) {
    kind = 'external';
    adminUrl = opts.externalUrl;
  } else {
    kind = 'embedded';
    const dir = path.join(BENCH_DIR, opts.clusterDir ?? 'pg');
    if (!opts.keep) await rm(dir, { recursive: true, force: true });
    const embedded = await startEmbeddedPg({ dir, port: await freePort(), ephemeral: !opts.keep, ...(opts.settings ? { settings: opts.settings } : {}) });
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

export interface BenchDatabase {
  name: string;
  url: string;
  /** True when the database was there already (--keep) and was reused as it was. */
  reused: boolean;
  handle: DatabaseHandle;
  config: Config;
  services: Services;
  /** Closes the pool; drops the database unless it is kept. */
  close(): Promise<void>;
}

/**
 * A migrated database on the bench server with the services wired as the product wires them
 * (same pool size default, same config loader). Without `keep` it is dropped and created anew.
 */
export async function openBenchDatabase(server: BenchServer, name: string, opts: { keep: boolean }): Promise<BenchDatabase> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad database name ${name}`);
  const exists = (await server.admin(`select 1 from pg_database where datname = '${name}'`)).rowCount === 1;
  if (exists && !opts.keep) await server.admin(`drop database ${name} with (force)`);
  if (!exists || !opts.keep) await server.admin(`create database ${name} template template0 encoding 'UTF8'`);
  const url = server.urlFor(name);
  const config = loadConfig({ CLIENTELE_LOG_LEVEL: 'silent', CLIENTELE_DATA_DIR: path.join(BENCH_DIR, 'data'), DATABASE_URL: url });
  const handle = connectDatabase(url, config.dbPoolSize);
  try {
    await migrateToLatest(handle.db);
  } catch (err) {
    await handle.close();
    throw err;
  }
  return {
    name,
    url,
    reused: exists && opts.keep,
    handle,
    config,
    services: buildServices(handle.db, config),
    close: async () => {
      await handle.close();
      if (!opts.keep) await server.admin(`drop database if exists ${name} with (force)`);
    },
  };
}

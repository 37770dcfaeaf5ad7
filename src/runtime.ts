import path from 'node:path';
import pg from 'pg';
import type { Config } from './config.js';
import { connectDatabase, type DatabaseHandle } from './platform/db/database.js';
import { startEmbeddedPg } from './platform/db/embedded.js';
import { migrateToLatest } from './platform/db/migrate.js';

export interface OpenDatabase {
  handle: DatabaseHandle;
  embedded: boolean;
  /** Migrations applied by this open. */
  applied: string[];
  close(): Promise<void>;
}

const DATABASE_NAME = 'clientele';

async function ensureDatabase(serverUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const exists = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (exists.rowCount === 0) {
      // template0 so the database gets the cluster's UTF-8 builtin locale regardless of template1.
      await client.query(`create database ${name} template template0 encoding 'UTF8'`).catch((err: { code?: string }) => {
        if (err.code !== '42P04') throw err; // created concurrently by another node: fine
      });
    }
  } finally {
    await client.end();
  }
}

/**
 * Opens the system of record: the PostgreSQL at DATABASE_URL, or the embedded one under
 * CLIENTELE_DATA_DIR (started here, stopped by close()). Migrations run before it is returned.
 */
export async function openDatabase(config: Config, log: (line: string) => void = () => undefined): Promise<OpenDatabase> {
  let url = config.databaseUrl;
  let stopEmbedded: (() => Promise<void>) | undefined;
  if (!url) {
    const embedded = await startEmbeddedPg({
      dir: path.join(config.dataDir, 'postgres'),
      port: config.embeddedPgPort,
      log,
      ...(config.embeddedPgSharedBuffersMb ? { sharedBuffersMb: config.embeddedPgSharedBuffersMb } : {}),
    });
    stopEmbedded = () => embedded.stop();
    try {
      await ensureDatabase(embedded.url('postgres'), DATABASE_NAME);
    } catch (err) {
      await stopEmbedded();
      throw err;
    }
    url = embedded.url(DATABASE_NAME);
  }
  const handle = connectDatabase(url, config.dbPoolSize);
  try {
    const applied = await migrateToLatest(handle.db);
    return {
      handle,
      embedded: !!stopEmbedded,
      applied,
      close: async () => {
        await handle.close();
        await stopEmbedded?.();
      },
    };
  } catch (err) {
    await handle.close();
    await stopEmbedded?.();
    throw err;
  }
}

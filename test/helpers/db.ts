import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { buildServices, type Services } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { connectDatabase, type DatabaseHandle } from '../../src/platform/db/database.js';

export interface TestDatabase {
  url: string;
  name: string;
  handle: DatabaseHandle;
  config: Config;
  services: Services;
  drop(): Promise<void>;
}

/** Settings for tests: everything default except what a test passes. */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ CLIENTELE_LOG_LEVEL: 'silent', CLIENTELE_DATA_DIR: '.test-data/data', ...env });
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: inject('pgServerUrl') });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A fresh, migrated database cloned from the run's template, with the services wired on it. */
export async function createTestDatabase(env: Record<string, string> = {}): Promise<TestDatabase> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  await adminQuery(`create database ${name} template ${inject('pgTemplate')}`);
  const url = new URL(inject('pgServerUrl'));
  url.pathname = `/${name}`;
  const config = testConfig({ DATABASE_URL: url.toString(), ...env });
  const handle = connectDatabase(url.toString(), 5);
  return {
    url: url.toString(),
    name,
    handle,
    config,
    services: buildServices(handle.db, config),
    drop: async () => {
      await handle.close();
      await adminQuery(`drop database if exists ${name} with (force)`);
    },
  };
}

import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { freePort } from '../src/platform/free-port.js';
import { startEmbeddedPg, type EmbeddedPg } from '../src/platform/db/embedded.js';
import { connectDatabase } from '../src/platform/db/database.js';
import { migrateToLatest } from '../src/platform/db/migrate.js';
import { JobQueue } from '../src/platform/jobs.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgServerUrl: string;
    pgTemplate: string;
  }
}

export { freePort };

export const TEMPLATE = 'clientele_template';


let server: EmbeddedPg | undefined;
let dir: string | undefined;

/**
 * One real PostgreSQL for the whole run (the embedded one, or TEST_DATABASE_URL's server).
 * A template database is migrated once; each test file clones it into a fresh database.
 */
export async function setup(project: TestProject): Promise<void> {
  let serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    dir = path.resolve('.test-data', `pg-${process.pid}`);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    server = await startEmbeddedPg({ dir, port: await freePort(), ephemeral: true });
    serverUrl = server.url('postgres');
  }
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${TEMPLATE}`);
  await admin.query(`create database ${TEMPLATE} template template0 encoding 'UTF8'`);
  await admin.end();
  const templateUrl = new URL(serverUrl);
  templateUrl.pathname = `/${TEMPLATE}`;
  const handle = connectDatabase(templateUrl.toString(), 2);
  await migrateToLatest(handle.db);
  // pg-boss creates its schema on first start: do it once in the template, not in every test database.
  const jobs = new JobQueue(handle.db);
  await jobs.start();
  await jobs.stop();
  await handle.close();
  project.provide('pgServerUrl', serverUrl);
  project.provide('pgTemplate', TEMPLATE);
}

export async function teardown(): Promise<void> {
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}

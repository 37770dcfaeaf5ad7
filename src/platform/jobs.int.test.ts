import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/db.js';
import { JobQueue } from './jobs.js';

let db: TestDatabase;
let jobs: JobQueue;
const seen: string[] = [];
let failures = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  jobs = new JobQueue(db.handle.db);
  jobs.define('record', async (data: { word: string }) => {
    seen.push(data.word);
  });
  jobs.define('flaky', async () => {
    failures++;
    throw new Error('temporary trouble');
  }, { retryLimit: 1, retryDelay: 1, retryBackoff: false });
  await jobs.start();
});
afterAll(async () => {
  await jobs.stop();
  await db.drop();
});

async function eventually(check: () => boolean | Promise<boolean>, ms = 15_000) {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the job queue', () => {
  it('runs a job queued in a transaction only if the transaction commits', async () => {
    await db.handle.db
      .transaction()
      .execute(async (tx) => {
        await jobs.send('record', { word: 'rolled-back' }, { tx });
        throw new Error('abort');
      })
      .catch(() => undefined);
    await db.handle.db.transaction().execute(async (tx) => {
      await sql`select 1`.execute(tx);
      await jobs.send('record', { word: 'committed' }, { tx });
    });
    await eventually(() => seen.includes('committed'));
    await new Promise((r) => setTimeout(r, 1500));
    expect(seen).not.toContain('rolled-back');
  });

  it('retries a failing job and keeps it visible as failed', async () => {
    await jobs.send('flaky', {});
    await eventually(async () => (await jobs.jobsInState('flaky', 'failed')).length === 1, 20_000);
    expect(failures).toBe(2);
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../../test/global-setup.js';
import { sharedBuffersForMachine, startEmbeddedPg } from './embedded.js';

describe('the embedded PostgreSQL', () => {
  it('gets a quarter of the memory for shared buffers, between 128 MB and 2 GB', () => {
    const gib = 2 ** 30;
    expect(sharedBuffersForMachine(24 * gib)).toBe(2048);
    expect(sharedBuffersForMachine(4 * gib)).toBe(1024);
    expect(sharedBuffersForMachine(256 * 2 ** 20)).toBe(128);
  });


  it('starts (as root too), keeps its data across restarts, and explains why a second start fails', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'clientele-pg-'));
    try {
      const port = await freePort();
      const first = await startEmbeddedPg({ dir, port });
      const client = new pg.Client({ connectionString: first.url() });
      await client.connect();
      // sized to the machine, not PostgreSQL's 128 MB for any machine
      const buffers = await client.query("select setting::bigint * 8 / 1024 as mb from pg_settings where name = 'shared_buffers'");
      expect(Number(buffers.rows[0].mb)).toBe(sharedBuffersForMachine());
      await client.query('create table kept (v text)');
      await client.query("insert into kept values ('still here')");
      await client.end();

      // a second server on the same data directory must fail with PostgreSQL's own reason
      await expect(startEmbeddedPg({ dir, port: await freePort() })).rejects.toThrow(/lock file|already running|postmaster\.pid/i);

      await first.stop();
      const again = await startEmbeddedPg({ dir, port });
      const c2 = new pg.Client({ connectionString: again.url() });
      await c2.connect();
      expect((await c2.query('select v from kept')).rows).toEqual([{ v: 'still here' }]);
      await c2.end();
      await again.stop();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

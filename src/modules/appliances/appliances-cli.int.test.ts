import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/db.js';
import { cliTestEnv, killLeftoverClis, runCli, startCli, stopCli } from '../../../test/helpers/cli.js';
import { TEST_MODELS } from './appliances-test-kit.js';

// Each test spawns the real CLI (tsx compiles it on start): generous on a busy 2-core machine.
vi.setConfig({ testTimeout: 120_000 });
afterAll(() => killLeftoverClis());

let db: TestDatabase;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  db = await createTestDatabase();
  dir = await mkdtemp(path.join(os.tmpdir(), 'clientele-appliances-cli-'));
  env = cliTestEnv(db.url, dir);
  for (const m of TEST_MODELS) await db.services.appliances.catalog.upsertModel(m);
});
afterAll(async () => {
  await db.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('clientele appliances import', () => {
  it('imports the production list with a summary, lists invalid rows, and replaces secrets on a second import', async () => {
    const file = path.join(dir, 'production.csv');
    await writeFile(
      file,
      'manufacturing_number,model,secret\nCLI-0001,NW-700,first-secret-0123456789\ncli-0002,MW-20,second-secret-0123456789\nCLI-0003,NOPE,third-secret-0123456789\nCLI 4,NW-700,x\n',
    );
    const res = await runCli(['appliances', 'import', file], env);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/2 new, 0 updated/);
    expect(res.stderr).toMatch(/Skipped 2 invalid rows/);
    const rejects = await readFile(`${file}.rejects.csv`, 'utf8');
    expect(rejects).toMatch(/^4,model: is not in the model catalog/m);
    expect(rejects).toMatch(/^5,.*secret/m);
    expect(await db.services.appliances.deviceAuth.verify('CLI-0002', 'second-secret-0123456789')).toBe('CLI-0002');

    await writeFile(file, 'manufacturing_number,model,secret\nCLI-0001,NW-700,rotated-secret-0123456789\n');
    const again = await runCli(['appliances', 'import', file], env);
    expect(again.stderr).toMatch(/0 new, 1 updated/);
    db.services.appliances.deviceAuth.forget();
    expect(await db.services.appliances.deviceAuth.verify('CLI-0001', 'first-secret-0123456789')).toBeNull();
    expect(await db.services.appliances.deviceAuth.verify('CLI-0001', 'rotated-secret-0123456789')).toBe('CLI-0001');
  });

  it('refuses a file with unknown columns', async () => {
    const file = path.join(dir, 'bad.csv');
    await writeFile(file, 'serial,model,secret\nX,NW-700,aaaaaaaaaaaaaaaaaaaaaa\n');
    const res = await runCli(['appliances', 'import', file], env);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/Unknown column\(s\).*serial/);
  });
});

describe('clientele start', () => {
  it('runs the embedded MQTT broker and says where', async () => {
    const started = await startCli([], env);
    try {
      const m = /mqtt\s+mqtt:\/\/([\d.]+):(\d+)\s+\(embedded broker/.exec(started.output());
      expect(m, started.output()).not.toBeNull();
      const client = await mqtt.connectAsync(`mqtt://${m![1]}:${m![2]}`, { username: 'CLI-0002', password: 'second-secret-0123456789', reconnectPeriod: 0 });
      const state = new Promise<string>((resolve) => client.on('message', (_t, p) => resolve(p.toString())));
      await client.subscribeAsync('clientele/appliances/CLI-0002/state', { qos: 1 });
      expect(JSON.parse(await state)).toEqual({ state: 'locked' });
      await client.endAsync();
    } finally {
      await stopCli(started.child);
    }
  });
});

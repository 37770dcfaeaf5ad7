import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/server.js';
import { closedPort, json, newCustomerAnswers, runAgent, serial, writeInventory, writeJson } from './run-agent.js';

let server: TestServer;
let dir: string;
let portal: string;

beforeAll(async () => {
  server = await startTestServer();
  portal = server.urls.portal;
  dir = await mkdtemp(path.join(os.tmpdir(), 'pc-agent-int-'));
});

afterAll(async () => {
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const REGISTRATION_NUMBER = /^\d{4}-\d{4}-\d{2}$/;

describe('clientele-agent register (zero-touch)', () => {
  const pc = serial('PF');
  const printer = serial('KMZ');
  let registrationNumber: string;

  it('registers a captured inventory from an answers file and prints the registration number', async () => {
    await writeInventory(path.join(dir, 'inv.json'), { pc, printer });
    await writeJson(path.join(dir, 'answers.json'), newCustomerAnswers('taro.register@example.jp'));
    const state = path.join(dir, 'a', 'state.json');
    const res = await runAgent(['register', '--server', portal, '--from-file', path.join(dir, 'inv.json'), '--answers', path.join(dir, 'answers.json'), '--state-file', state, '--json']);
    expect(res.code, res.stderr).toBe(0);
    const out = json(res);
    expect(out.registrationNumber).toMatch(REGISTRATION_NUMBER);
    expect(out.customerNumber).toBeTruthy();
    registrationNumber = out.registrationNumber;
    const products = out.products as { serial: string; category: string; parentSerial: string | null }[];
    expect(products.map((p) => p.serial).sort()).toEqual([pc, printer].sort());
    // The printer was found on this PC: the server links it to the PC.
    expect(products.find((p) => p.serial === printer)?.parentSerial).toBe(pc);
    // Recorded for --first-boot, and nothing left pending.
    const recorded = JSON.parse(await readFile(state, 'utf8'));
    expect(recorded).toMatchObject({ registered: true, registrationNoFormatted: registrationNumber });
    await expect(stat(path.join(dir, 'a', 'pending.json'))).rejects.toThrow();
  });

  it('prints the registration number for people without --json', async () => {
    const inv = path.join(dir, 'inv-human.json');
    await writeInventory(inv, { pc: serial('PF'), printer: serial('KMZ') });
    await writeJson(path.join(dir, 'answers-human.json'), newCustomerAnswers('human@example.jp'));
    const res = await runAgent(['register', '--server', portal, '--from-file', inv, '--answers', path.join(dir, 'answers-human.json'), '--state-file', path.join(dir, 'h', 'state.json')]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/Registration number: \d{4}-\d{4}-\d{2}/);
  });

  it('refuses the same products again with serial_already_registered and exit code 1', async () => {
    const res = await runAgent([
      'register', '--server', portal, '--from-file', path.join(dir, 'inv.json'), '--answers', path.join(dir, 'answers.json'),
      '--state-file', path.join(dir, 'b', 'state.json'), '--json',
    ]);
    expect(res.code).toBe(1);
    const out = json(res);
    expect(out.error.code).toBe('serial_already_registered');
    expect(out.error.details.serials).toEqual(expect.arrayContaining([pc]));
    // A refusal of a scripted run leaves nothing pending: the answers file still has everything.
    await expect(stat(path.join(dir, 'b', 'pending.json'))).rejects.toThrow();
  });

  it('adds new products to an existing registration, leaving out the PC that is registered already', async () => {
    const scanner = serial('A1BC');
    await writeInventory(path.join(dir, 'inv2.json'), { pc, printer, scanner });
    await writeJson(path.join(dir, 'existing.json'), { mode: 'existing', registrationNo: registrationNumber, password: 'correct horse battery' });
    const res = await runAgent([
      'register', '--server', portal, '--from-file', path.join(dir, 'inv2.json'), '--answers', path.join(dir, 'existing.json'),
      '--peripherals', 'usb:1-3', '--state-file', path.join(dir, 'c', 'state.json'), '--json',
    ]);
    expect(res.code, res.stdout + res.stderr).toBe(0);
    const out = json(res);
    expect(out.registrationNumber).toBe(registrationNumber);
    expect(out.products.map((p: { serial: string }) => p.serial)).toEqual([scanner]);
    expect(out.skipped.map((s: { serial: string }) => s.serial)).toEqual([pc]);
  });

  it('changes personal info, identified by the PC serial, sending only what changed', async () => {
    await writeJson(path.join(dir, 'update.json'), { mode: 'update', password: 'correct horse battery', changes: { phone: '090-1111-2222', city: '千代田区' } });
    const res = await runAgent(['register', '--server', portal, '--from-file', path.join(dir, 'inv.json'), '--answers', path.join(dir, 'update.json'), '--state-file', path.join(dir, 'd', 'state.json'), '--json']);
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(json(res)).toMatchObject({ registrationNumber, changed: ['phone'], personal: { phone: '090-1111-2222' } });
  });

  it('refuses a wrong password with invalid_credentials', async () => {
    await writeJson(path.join(dir, 'wrong.json'), { mode: 'update', password: 'not the password', changes: { phone: '090-0000-0000' } });
    const res = await runAgent(['register', '--server', portal, '--from-file', path.join(dir, 'inv.json'), '--answers', path.join(dir, 'wrong.json'), '--state-file', path.join(dir, 'e', 'state.json'), '--json']);
    expect(res.code).toBe(1);
    expect(json(res).error.code).toBe('invalid_credentials');
  });

  it('reports a bad answers file as a usage error (exit 2) naming the field', async () => {
    await writeJson(path.join(dir, 'bad.json'), { mode: 'existing', registrationNo: '12-34', password: 'x' });
    const res = await runAgent(['register', '--server', portal, '--from-file', path.join(dir, 'inv.json'), '--answers', path.join(dir, 'bad.json'), '--json']);
    expect(res.code).toBe(2);
    expect(json(res).error.message).toContain('registrationNo');
  });
});

describe('against a maker’s shipped-products list', () => {
  // A server of its own: once the list holds anything, the server refuses every serial not on it.
  let shipped: TestServer;
  const pc = serial('PF');
  const printer = serial('KMZ');

  beforeAll(async () => {
    shipped = await startTestServer();
    const result = await shipped.services.registration.shipped.importBatch([
      { line: 2, values: { maker: 'Lenovo', model: 'ThinkPad X1 Carbon', serial: pc, category: 'pc', ship_date: '2025-04-01' } },
    ]);
    expect(result).toMatchObject({ inserted: 1, rejected: [] });
  });

  afterAll(async () => {
    await shipped?.close();
  });

  it('refuses a product the maker never shipped with serial_unknown, naming it, and exit code 1', async () => {
    const inv = path.join(dir, 'inv-shipped.json');
    await writeInventory(inv, { pc, printer });
    await writeJson(path.join(dir, 'answers-shipped.json'), newCustomerAnswers('shipped@example.jp'));
    const stateDir = path.join(dir, 'shipped');
    const args = ['register', '--server', shipped.urls.portal, '--from-file', inv, '--answers', path.join(dir, 'answers-shipped.json'), '--state-file', path.join(stateDir, 'state.json')];

    const res = await runAgent([...args, '--json']);
    expect(res.code, res.stdout + res.stderr).toBe(1);
    expect(json(res)).toMatchObject({ error: { code: 'serial_unknown', details: { serials: [printer] } } });
    // Nothing registered, nothing left pending (the answers file still has everything).
    await expect(stat(path.join(stateDir, 'state.json'))).rejects.toThrow();
    await expect(stat(path.join(stateDir, 'pending.json'))).rejects.toThrow();

    // For people: the refusal on stderr, nothing on stdout.
    const human = await runAgent(args);
    expect(human.code).toBe(1);
    expect(human.stdout).toBe('');
    expect(human.stderr).toMatch(/Refused \(serial_unknown\):.*never shipped/);

    // Without the printer, the PC on the list registers.
    const pcOnly = await runAgent([...args, '--peripherals', 'none', '--json']);
    expect(pcOnly.code, pcOnly.stdout + pcOnly.stderr).toBe(0);
    expect(json(pcOnly).products.map((p: { serial: string }) => p.serial)).toEqual([pc]);
  });
});

describe('when the network fails', () => {
  it('keeps the answers (without the password) in the pending file, and a later run completes the registration', async () => {
    const inv = path.join(dir, 'inv-net.json');
    await writeInventory(inv, { pc: serial('PF'), printer: serial('KMZ') });
    const answers = path.join(dir, 'answers-net.json');
    await writeJson(answers, newCustomerAnswers('net@example.jp', 'secret-password-123'));
    const stateDir = path.join(dir, 'net');
    const args = ['register', '--from-file', inv, '--answers', answers, '--state-file', path.join(stateDir, 'state.json'), '--json'];

    const down = await runAgent([...args, '--server', `http://127.0.0.1:${await closedPort()}`, '--retries', '1', '--timeout', '2']);
    expect(down.code).toBe(2);
    expect(json(down).error.code).toBe('network_error');
    const pendingFile = path.join(stateDir, 'pending.json');
    const text = await readFile(pendingFile, 'utf8');
    expect(text).not.toContain('secret-password-123');
    expect(text).not.toMatch(/password/i);
    expect((await stat(pendingFile)).mode & 0o777).toBe(0o600);
    const pending = JSON.parse(text);
    expect(pending.request.customer.email).toBe('net@example.jp');
    expect(pending.idempotencyKey).toBeTruthy();

    const up = await runAgent([...args, '--server', portal]);
    expect(up.code, up.stdout + up.stderr).toBe(0);
    expect(json(up)).toMatchObject({ registrationNumber: expect.stringMatching(REGISTRATION_NUMBER), resumed: true });
    await expect(stat(pendingFile)).rejects.toThrow();
  });

  it('resends a registration whose answer was lost with the same Idempotency-Key, and it registers once', async () => {
    const target = new URL(portal);
    const keys: string[] = [];
    let cut = false;
    // A proxy that lets the first registration reach the server, then drops the answer.
    const proxy = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const isRegistration = req.method === 'POST' && req.url === '/api/registrations';
        if (isRegistration) keys.push(String(req.headers['idempotency-key']));
        const upstream = http.request(
          { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
          (up) => {
            const body: Buffer[] = [];
            up.on('data', (c: Buffer) => body.push(c));
            up.on('end', () => {
              if (isRegistration && !cut) {
                cut = true;
                req.socket.destroy();
                return;
              }
              res.writeHead(up.statusCode ?? 502, up.headers);
              res.end(Buffer.concat(body));
            });
          },
        );
        upstream.end(Buffer.concat(chunks));
      });
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const port = (proxy.address() as { port: number }).port;
    try {
      const inv = path.join(dir, 'inv-lost.json');
      await writeInventory(inv, { pc: serial('PF'), printer: serial('KMZ') });
      await writeJson(path.join(dir, 'answers-lost.json'), newCustomerAnswers('lost@example.jp'));
      const res = await runAgent([
        'register', '--server', `http://127.0.0.1:${port}`, '--from-file', inv, '--answers', path.join(dir, 'answers-lost.json'),
        '--state-file', path.join(dir, 'lost', 'state.json'), '--json', '--retries', '2',
      ]);
      expect(res.code, res.stdout + res.stderr).toBe(0);
      expect(json(res).registrationNumber).toMatch(REGISTRATION_NUMBER);
      // Two requests, one key: had the second been a new registration, its serials would have been taken.
      expect(keys).toHaveLength(2);
      expect(new Set(keys).size).toBe(1);
    } finally {
      await new Promise((r) => proxy.close(r));
    }
  });
});

describe('clientele-agent --first-boot', () => {
  it('registers once from an answers file, then does nothing (silently) until --force', async () => {
    const inv = path.join(dir, 'inv-boot.json');
    await writeInventory(inv, { pc: serial('PF'), printer: serial('KMZ') });
    await writeJson(path.join(dir, 'answers-boot.json'), newCustomerAnswers('boot@example.jp'));
    const args = ['--first-boot', '--server', portal, '--from-file', inv, '--answers', path.join(dir, 'answers-boot.json'), '--state-file', path.join(dir, 'boot', 'state.json')];
    const first = await runAgent([...args, '--json']);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(json(first).registrationNumber).toMatch(REGISTRATION_NUMBER);
    const state = JSON.parse(await readFile(path.join(dir, 'boot', 'state.json'), 'utf8'));
    expect(state).toMatchObject({ registered: true, registrationNoFormatted: json(first).registrationNumber });
    expect(state.serials).toHaveLength(2);

    const again = await runAgent(args);
    expect(again).toMatchObject({ code: 0, stdout: '', stderr: '' });

    const forced = await runAgent([...args, '--force', '--json']);
    expect(forced.code).toBe(1);
    expect(json(forced).error.code).toBe('serial_already_registered');
  });

  it('says why when there is no terminal and no answers file (exit 2)', async () => {
    const res = await runAgent(['--first-boot', '--server', portal, '--state-file', path.join(dir, 'boot2', 'state.json')]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('not registered yet');
  });
});

import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ProductInput } from '../../../src/modules/registration/index.js';
import { CLI_ACTOR } from '../../../src/platform/auth/principal.js';
import { startTestServer, type TestServer } from '../../../test/helpers/server.js';
import { AGENT_BIN, closedPort, serial, writeInventory } from './run-agent.js';
import { TmuxSession } from './tmux.js';

const hasTmux = (() => {
  try {
    execFileSync('tmux', ['-V']);
    return true;
  } catch {
    return false;
  }
})();

// `npm test` installs tmux (scripts/ensure-test-deps.mjs); a run without it must say what it skipped.
const NO_TMUX = 'tmux cannot be found (or does not run): the dialogue tests in a real terminal are SKIPPED. Install it with `apt-get install -y tmux` (or run `node scripts/ensure-test-deps.mjs`).';
if (!hasTmux) console.warn(`\n⚠ clients/pc-agent/test/interactive.int.test.ts: ${NO_TMUX}\n`);

let server: TestServer;
let dir: string;
const sessions: TmuxSession[] = [];

beforeAll(async () => {
  server = await startTestServer();
  dir = await mkdtemp(path.join(os.tmpdir(), 'pc-agent-tty-'));
});

afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.kill()));
});

afterAll(async () => {
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function agent(args: string[]): string[] {
  return [process.execPath, AGENT_BIN, ...args];
}

async function session(args: string[]): Promise<TmuxSession> {
  const s = new TmuxSession();
  sessions.push(s);
  await s.start(agent(args));
  return s;
}

/** Walks the update form keeping every field but the phone, which becomes `phone`. */
async function changePhoneOnly(s: TmuxSession, phone: string): Promise<void> {
  for (const label of ['Name *', 'Name reading (kana) *', 'Postal code *', 'Prefecture *', 'City *', 'Street address *', 'Building, room']) {
    await s.waitFor(label);
    await s.type('');
  }
  await s.waitFor('Phone *');
  await s.type(phone);
  for (const label of ['E-mail *', 'Birth date', 'Occupation']) {
    await s.waitFor(label);
    await s.type('');
  }
}

/**
 * A TCP relay to the server that can be cut: the agent talks to the real server through it until
 * `cut()`, then finds nobody listening (connection refused), as when the network goes away.
 */
async function cuttableRelay(target: string): Promise<{ url: string; cut(): Promise<void> }> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<net.Socket>();
  const relay = net.createServer((inbound) => {
    const outbound = net.connect(Number(port), hostname);
    const end = () => {
      inbound.destroy();
      outbound.destroy();
    };
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on('error', end).on('close', () => (end(), sockets.delete(s)));
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const address = relay.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    cut: () =>
      new Promise<void>((resolve) => {
        relay.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

/** The personal questions, answered in the order the server's form asks them. */
/** Someone who registered a product earlier, straight through the service (Tokyo address). */
function registerEarlier(
  person: { name: string; nameReading: string; addressLine1: string; phone: string; email: string; password: string },
  product: ProductInput,
) {
  const { password, ...customer } = person;
  return server.services.registration.service.register(
    CLI_ACTOR,
    { customer: { postalCode: '100-0001', prefecture: '東京都', city: '千代田区', ...customer }, password, products: [product] },
    '127.0.0.1',
  );
}

async function answerPersonal(s: TmuxSession, email: string): Promise<void> {
  await s.waitFor('Name *');
  await s.type('山田 花子');
  await s.waitFor('Name reading (kana) *');
  await s.type('ヤマダ ハナコ');
  await s.waitFor('Postal code *');
  await s.type('1000001');
  await s.waitFor('Prefecture *');
  await s.type('東京都');
  await s.waitFor('City *');
  await s.type('千代田区');
  await s.waitFor('Street address *');
  await s.type('千代田1-1');
  await s.waitFor('Building, room');
  await s.type('');
  await s.waitFor('Phone *');
  await s.type('03-1234-5678');
  await s.waitFor('E-mail *');
  // A mistake is pointed out at once, and the same question is asked again.
  await s.type('not-an-email');
  await s.waitFor('Not a valid e-mail address');
  await s.waitFor('E-mail *');
  await s.type(email);
  await s.waitFor('Birth date');
  await s.type('1990-05-06');
  await s.waitFor('Occupation');
  await s.type('');
}

describe.skipIf(!hasTmux)(`the interactive dialogue in a terminal${hasTmux ? '' : ` (${NO_TMUX})`}`, () => {
  it('registers a new customer end to end and shows the registration number', async () => {
    const inv = path.join(dir, 'inv.json');
    const pc = serial('PF');
    await writeInventory(inv, { pc, printer: serial('KMZ'), scanner: serial('A1BC') });
    const s = await session(['--server', server.urls.portal, '--from-file', inv, '--state-file', path.join(dir, 'new', 'state.json')]);

    await s.waitFor('Choose [1]');
    await s.type('1');
    await s.waitFor('ThinkPad X1 Carbon');
    await s.waitFor('Enter = continue');
    // Leave the scanner (3rd) out: the list shows it unticked, Enter accepts.
    await s.type('3');
    await s.waitFor('[ ] 3.');
    await s.waitFor('Enter = continue');
    await s.type('');
    await answerPersonal(s, 'hanako@example.jp');
    await s.waitFor('by e-mail [y/N]'); // the consent question, in the server's words
    await s.type('y');
    await s.waitFor('Password (at least 8 characters)');
    await s.type('short');
    await s.waitFor('Use at least 8 characters');
    await s.waitFor('Password (at least 8 characters)');
    await s.type('hanako-password');
    await s.waitFor('Type it again');
    await s.type('hanako-password');
    await s.waitFor('Register these?');
    await s.type('');
    const screen = await s.waitFor(/Registration number: \d{4}-\d{4}-\d{2}/);
    await s.waitFor('[exit 0]');

    expect(screen).toContain('Registration complete');
    expect(screen).toContain('█'); // the number, large
    // The password was never echoed.
    expect(screen).not.toContain('hanako-password');
    const number = /Registration number: (\d{4}-\d{4}-\d{2})/.exec(screen)![1];
    const state = JSON.parse(await readFile(path.join(dir, 'new', 'state.json'), 'utf8'));
    expect(state.registrationNoFormatted).toBe(number);
    expect(state.serials).toHaveLength(2);
  });

  it('offers to leave out a product that is already registered, then registers the rest', async () => {
    const inv = path.join(dir, 'inv-taken.json');
    const printer = serial('KMZ');
    await writeInventory(inv, { pc: serial('PF'), printer });
    // Someone registers the printer between the check and the send (the collate step said "available").
    const s = await session(['interactive', '--server', server.urls.portal, '--from-file', inv, '--state-file', path.join(dir, 'taken', 'state.json')]);
    await s.waitFor('Choose [1]');
    await s.type('1');
    await s.waitFor('Enter = continue');
    await s.type('');
    await registerEarlier({ name: 'Other', nameReading: 'アザー', addressLine1: '1', phone: '0312345678', email: 'other@example.jp', password: 'other-password' }, { serial: printer, maker: 'Canon', model: 'PIXMA TS8330', category: 'printer' });
    await answerPersonal(s, 'taken@example.jp');
    await s.waitFor('[y/N]');
    await s.type('');
    await s.waitFor('Password (at least 8 characters)');
    await s.type('taken-password');
    await s.waitFor('Type it again');
    await s.type('taken-password');
    await s.waitFor('Register these?');
    await s.type('');
    await s.waitFor('already registered');
    await s.waitFor('Leave them out and continue?');
    await s.type('y');
    await s.waitFor('Register these?');
    await s.type('');
    const screen = await s.waitFor(/Registration number: \d{4}-\d{4}-\d{2}/);
    await s.waitFor('[exit 0]');
    expect(screen).toContain('ThinkPad X1 Carbon  S/N');
  });

  it('keeps the answers when the server cannot be reached, and the next run resumes asking only the password', async () => {
    const inv = path.join(dir, 'inv-resume.json');
    await writeInventory(inv, { pc: serial('PF'), printer: serial('KMZ') });
    const stateFile = path.join(dir, 'resume', 'state.json');

    // The form and the serial check succeed; then the server goes away before the send.
    const shortLived = await startTestServer();
    const s = await session(['--server', shortLived.urls.portal, '--from-file', inv, '--state-file', stateFile, '--retries', '0', '--timeout', '2']);
    await s.waitFor('Choose [1]');
    await s.type('1');
    await s.waitFor('Enter = continue');
    await s.type('');
    await answerPersonal(s, 'resume@example.jp');
    await s.waitFor('[y/N]');
    await s.type('n');
    await s.waitFor('Password (at least 8 characters)');
    await s.type('resume-password');
    await s.waitFor('Type it again');
    await s.type('resume-password');
    await s.waitFor('Register these?');
    await shortLived.close();
    await s.type('');
    await s.waitFor('Cannot reach the server');
    await s.waitFor('Try again now?');
    await s.type('n');
    await s.waitFor('[exit 2]');
    const pending = await readFile(path.join(dir, 'resume', 'pending.json'), 'utf8');
    expect(pending).toContain('resume@example.jp');
    expect(pending).not.toContain('resume-password');

    const again = await session(['--server', server.urls.portal, '--from-file', inv, '--state-file', stateFile]);
    await again.waitFor('An earlier registration was not finished');
    await again.waitFor('resume@example.jp');
    await again.waitFor('Resume it?');
    await again.type('');
    await again.waitFor('Password (at least 8 characters)');
    await again.type('resume-password');
    await again.waitFor('Type it again');
    await again.type('resume-password');
    await again.waitFor('Register these?');
    await again.type('');
    await again.waitFor(/Registration number: \d{4}-\d{4}-\d{2}/);
    await again.waitFor('[exit 0]');
    await expect(stat(path.join(dir, 'resume', 'pending.json'))).rejects.toThrow();
  });

  it('updates personal info: serial read from the machine, password, Enter keeps, only changes are sent', async () => {
    const inv = path.join(dir, 'inv-update.json');
    const pc = serial('PF');
    await writeInventory(inv, { pc, printer: serial('KMZ') });
    await registerEarlier({ name: '佐藤 一郎', nameReading: 'サトウ イチロウ', addressLine1: '2-2', phone: '0311112222', email: 'ichiro@example.jp', password: 'ichiro-password' }, { serial: pc, maker: 'Lenovo', model: 'ThinkPad X1 Carbon', category: 'pc' });
    const s = await session(['--server', server.urls.portal, '--from-file', inv, '--state-file', path.join(dir, 'update', 'state.json')]);
    await s.waitFor('Choose [1]');
    await s.type('3');
    await s.waitFor('Password');
    await s.type('wrong-password');
    await s.waitFor('Wrong password');
    await s.waitFor('Password');
    await s.type('ichiro-password');
    await s.waitFor('Registered now');
    await s.waitFor('佐藤 一郎');
    await changePhoneOnly(s, '090-9999-8888');
    await s.waitFor('0311112222 → 090-9999-8888');
    await s.waitFor('Save these changes?');
    await s.type('');
    const screen = await s.waitFor('Phone: 090-9999-8888');
    await s.waitFor('[exit 0]');
    expect(screen).toContain('Saved');
  });

  it('keeps changed information when the server cannot be reached, and the next run sends it', async () => {
    const inv = path.join(dir, 'inv-update-net.json');
    const pc = serial('PF');
    await writeInventory(inv, { pc, printer: serial('KMZ') });
    const registered = await registerEarlier({ name: '鈴木 次郎', nameReading: 'スズキ ジロウ', addressLine1: '3-3', phone: '0322223333', email: 'jiro@example.jp', password: 'jiro-password' }, { serial: pc, maker: 'Lenovo', model: 'ThinkPad X1 Carbon', category: 'pc' });
    const stateFile = path.join(dir, 'update-net', 'state.json');
    const pendingFile = path.join(dir, 'update-net', 'pending-update.json');

    // Logged in and the changes typed through the relay; then the network goes before "save".
    const relay = await cuttableRelay(server.urls.portal);
    const s = await session(['--server', relay.url, '--from-file', inv, '--state-file', stateFile, '--retries', '0', '--timeout', '2']);
    await s.waitFor('Choose [1]');
    await s.type('3');
    await s.waitFor('Password');
    await s.type('jiro-password');
    await s.waitFor('Registered now');
    await changePhoneOnly(s, '090-7777-6666');
    await s.waitFor('Save these changes?');
    await relay.cut();
    await s.type('');
    await s.waitFor('Cannot reach the server');
    await s.waitFor('Your changes are kept on this PC');
    await s.waitFor('Try again now?');
    await s.type('n');
    await s.waitFor('[exit 2]');
    const kept = await readFile(pendingFile, 'utf8');
    expect(JSON.parse(kept)).toMatchObject({ serial: pc, changes: { phone: '090-7777-6666' } });
    expect(kept).not.toContain('jiro-password');
    expect((await stat(pendingFile)).mode & 0o777).toBe(0o600);
    const customerId = Number(registered.customerNumber);
    expect((await server.services.customers.service.get(customerId)).personal.phone).toBe('0322223333');

    // The next run offers the kept changes, asks only the password, and sends them.
    const again = await session(['--server', server.urls.portal, '--from-file', inv, '--state-file', stateFile]);
    await again.waitFor('Changes to your registered information were not saved yet');
    await again.waitFor('phone: 090-7777-6666');
    await again.waitFor('Send them now?');
    await again.type('');
    await again.waitFor('Password');
    await again.type('jiro-password');
    await again.waitFor('0322223333 → 090-7777-6666');
    await again.waitFor('Save these changes?');
    await again.type('');
    await again.waitFor('Phone: 090-7777-6666');
    await again.waitFor('[exit 0]');
    await expect(stat(pendingFile)).rejects.toThrow();
    expect((await server.services.customers.service.get(customerId)).personal.phone).toBe('090-7777-6666');
  });

  it('offers to leave out a product the maker never shipped (serial_unknown), then registers the rest', async () => {
    // A server of its own: once a shipped-products list exists, it refuses every serial not on it.
    const shippedServer = await startTestServer();
    try {
      const inv = path.join(dir, 'inv-unknown.json');
      const pc = serial('PF');
      const printer = serial('KMZ');
      await writeInventory(inv, { pc, printer });
      const s = await session(['--server', shippedServer.urls.portal, '--from-file', inv, '--state-file', path.join(dir, 'unknown', 'state.json')]);
      await s.waitFor('Choose [1]');
      await s.type('1');
      await s.waitFor('Enter = continue');
      await s.type('');
      // The maker's list arrives after the check: it has the PC, not the printer.
      const imported = await shippedServer.services.registration.shipped.importBatch([{ line: 2, values: { maker: 'Lenovo', model: 'ThinkPad X1 Carbon', serial: pc, category: 'pc' } }]);
      expect(imported).toMatchObject({ inserted: 1, rejected: [] });
      await answerPersonal(s, 'unknown@example.jp');
      await s.waitFor('[y/N]');
      await s.type('');
      await s.waitFor('Password (at least 8 characters)');
      await s.type('unknown-password');
      await s.waitFor('Type it again');
      await s.type('unknown-password');
      await s.waitFor('Register these?');
      await s.type('');
      await s.waitFor('The maker has no record of shipping these');
      await s.waitFor(`S/N ${printer}`);
      await s.waitFor('Leave them out and continue?');
      await s.type('y');
      await s.waitFor('Register these?');
      await s.type('');
      const screen = await s.waitFor(/Registration number: \d{4}-\d{4}-\d{2}/);
      await s.waitFor('[exit 0]');
      const registered = screen.slice(screen.lastIndexOf('Registered products'));
      expect(registered).toContain(`S/N ${pc}`);
      expect(registered).not.toContain(printer);
    } finally {
      await shippedServer.close();
    }
  });

  it('shows a clear message when the server is down before anything is asked', async () => {
    const inv = path.join(dir, 'inv-down.json');
    await writeInventory(inv, { pc: serial('PF'), printer: serial('KMZ') });
    const s = await session(['--server', `http://127.0.0.1:${await closedPort()}`, '--from-file', inv, '--state-file', path.join(dir, 'down', 'state.json'), '--retries', '0']);
    await s.waitFor('Choose [1]');
    await s.type('1');
    await s.waitFor('connection refused');
    await s.waitFor('[exit 2]');
  });

  it('register --server-led: the server asks, the agent registers what it found and shows the number', async () => {
    const inv = path.join(dir, 'inv-server-led.json');
    const [pc, printer, scanner] = [serial('PF'), serial('KMZ'), serial('A1BC')];
    await writeInventory(inv, { pc, printer, scanner });
    // The scanner is someone else's already: the server offers it, but not to be chosen.
    await registerEarlier({ name: 'Other', nameReading: 'アザー', addressLine1: '1', phone: '0312345678', email: 'other-led@example.jp', password: 'other-password' }, { serial: scanner, maker: 'PFU', model: 'ScanSnap iX1600', category: 'scanner' });
    const stateFile = path.join(dir, 'server-led', 'state.json');
    const s = await session(['register', '--server-led', '--server', server.urls.portal, '--from-file', inv, '--state-file', stateFile]);

    await s.waitFor('(1/13) 登録する製品 / Products to register');
    await s.waitFor(`[-] 3. PFU ScanSnap iX1600 (S/N ${scanner})  — 登録済み / already registered`);
    await s.waitFor('Enter = continue');
    await s.type('3');
    await s.waitFor('3. cannot be chosen');
    await s.waitFor('Enter = continue');
    await s.type('');
    const answers: [prompt: string, answer: string][] = [
      ['(2/13) 氏名 / Name *', '山田 三郎'],
      ['(3/13) フリガナ / Name reading (kana) *', 'ヤマダ サブロウ'],
      ['(4/13) 郵便番号 / Postal code *', '1000001'],
      ['(5/13) 都道府県 / Prefecture *', '東京都'],
      ['(6/13) 市区町村 / City *', '千代田区'],
      // A required field left empty: the server says so and asks it again.
      ['(7/13) 番地 / Street address *', ''],
      ['is required', '千代田1-1'],
      ['(8/13) 建物名・部屋番号 / Building, room', ''],
      ['(9/13) 電話番号 / Phone *', '03-1234-5678'],
      ['(10/13) メールアドレス / E-mail *', 'not-an-email'],
      ['is not a valid e-mail address', 'saburo@example.jp'],
      ['(11/14) 生年月日 / Birth date', ''],
      ['(12/14) 職業 / Occupation', ''],
      ['(13/14) 製品情報やサポートのお知らせをメールで受け取る / Send me product news and support notices by e-mail [y/N]', 'y'],
      ['(14/14) パスワード（8文字以上） / Password (at least 8 characters)', 'saburo-password'],
      ['Type it again', 'saburo-password'],
    ];
    for (const [prompt, answer] of answers) {
      await s.waitFor(prompt);
      await s.type(answer);
    }
    await s.waitFor(`S/N ${printer}  (このPCに接続 / on this PC)`);
    await s.waitFor('Register these?');
    await s.type('');
    const screen = await s.waitFor(/Registration number: \d{4}-\d{4}-\d{2}/);
    await s.waitFor('[exit 0]');
    expect(screen).not.toContain('saburo-password');

    // What the server holds: the customer with the number shown, the PC and the printer linked to it.
    const number = /Registration number: (\d{4}-\d{4}-\d{2})/.exec(screen)![1];
    const [registered] = await server.services.registration.service.list({ serial: pc, limit: 1 });
    const customerId = Number(registered!.customerNumber);
    const customer = await server.services.customers.service.get(customerId);
    expect(customer.registrationNoFormatted).toBe(number);
    expect(customer.personal).toMatchObject({ name: '山田 三郎', addressLine1: '千代田1-1', email: 'saburo@example.jp' });
    expect(customer.consent.email?.granted).toBe(true);
    const products = await server.services.registration.service.productsOf(customerId);
    expect(products.map((x) => [x.serial, x.parentSerial]).sort()).toEqual([[pc, null], [printer, pc]].sort());
    // With the password typed in the dialogue, the portal opens on the PC's serial.
    const login = await fetch(`${server.urls.portal}/api/auth/serial-login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ serial: pc, password: 'saburo-password' }),
    });
    expect(login.status).toBe(200);
    expect(((await login.json()) as { customer: { registrationNoFormatted: string } }).customer.registrationNoFormatted).toBe(number);
    const state = JSON.parse(await readFile(stateFile, 'utf8'));
    expect(state).toMatchObject({ registered: true, registrationNoFormatted: number });
    await expect(stat(path.join(dir, 'server-led', 'pending.json'))).rejects.toThrow();
  });

  it('at first boot, "don’t ask again" is remembered and later runs end at once, silently', async () => {
    const inv = path.join(dir, 'inv-boot.json');
    await writeInventory(inv, { pc: serial('PF'), printer: serial('KMZ') });
    const stateFile = path.join(dir, 'boot', 'state.json');
    const args = ['--first-boot', '--server', server.urls.portal, '--from-file', inv, '--state-file', stateFile];
    const s = await session(args);
    await s.waitFor('no serial numbers to type');
    await s.waitFor('Register now? [Y/n]');
    await s.type('n');
    await s.waitFor('Ask again next time? [Y/n]');
    await s.type('n');
    await s.waitFor('[exit 0]');
    expect(JSON.parse(await readFile(stateFile, 'utf8'))).toMatchObject({ registered: false, declinedAt: expect.any(String) });

    const again = await session(args);
    const screen = await again.waitFor('[exit 0]');
    expect(screen.trim()).toBe('[exit 0]');
  });
});

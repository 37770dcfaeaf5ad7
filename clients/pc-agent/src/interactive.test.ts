import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runInteractive } from './interactive.js';
import { parseInventory, type Inventory } from './inventory.js';
import { loadPending, loadPendingUpdate, resolveStatePaths, savePending, savePendingUpdate, type StatePaths } from './pending-store.js';
import { ServerClient } from './server-client.js';
import { CancelledError, type Prompter } from './terminal.js';

/** Answers questions from a script, checking each question is the expected one. */
class ScriptedPrompter implements Prompter {
  transcript: string[] = [];
  constructor(private readonly script: [expected: string, answer: string][]) {}
  say(text = '') {
    this.transcript.push(text);
  }
  private next(question: string): string {
    this.transcript.push(`? ${question}`);
    const step = this.script.shift();
    if (!step) throw new CancelledError();
    if (!question.includes(step[0])) throw new Error(`expected a question containing "${step[0]}", got "${question}"\n${this.transcript.join('\n')}`);
    return step[1];
  }
  async ask(question: string, opts: { default?: string } = {}) {
    const answer = this.next(question);
    return answer === '' && opts.default !== undefined ? opts.default : answer;
  }
  async secret(question: string) {
    return this.next(question);
  }
  close() {}
  get remaining() {
    return this.script.length;
  }
}

const FORM = {
  fields: [
    { name: 'name', label: { ja: '氏名', en: 'Name' }, required: true, type: 'text', maxLength: 100 },
    { name: 'email', label: { ja: 'メールアドレス', en: 'E-mail' }, required: true, type: 'email', maxLength: 254 },
    { name: 'phone', label: { ja: '電話番号', en: 'Phone' }, required: false, type: 'tel', maxLength: 30 },
  ],
  password: { minLength: 8 },
  categories: ['pc', 'printer', 'scanner', 'terminal_adapter', 'storage', 'other'],
  consent: { email: { ja: 'お知らせを受け取る', en: 'Send me news' } },
};

const RESULT = (serials: string[]) => ({
  registrationNo: '1234567890',
  registrationNoFormatted: '1234-5678-90',
  customerNumber: '100001',
  products: serials.map((serial, i) => ({ id: i + 1, serial, maker: 'M', model: 'X', category: 'pc', parentSerial: null })),
});

type Handler = (method: string, url: string, body: any, headers: Record<string, string>) => { status: number; body?: unknown } | Error;

function fakeServer(handler: Handler) {
  const posts: { body: any; key: string | undefined }[] = [];
  const fetchImpl = (async (url: string | URL | Request, init?: RequestInit) => {
    const u = new URL(String(url));
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    const headers = (init?.headers ?? {}) as Record<string, string>;
    if (u.pathname === '/api/registrations') posts.push({ body, key: headers['idempotency-key'] });
    const reply = handler(init?.method ?? 'GET', u.pathname, body, headers);
    if (reply instanceof Error) throw reply;
    return new Response(reply.body === undefined ? null : JSON.stringify(reply.body), { status: reply.status });
  }) as typeof fetch;
  return { client: new ServerClient('http://server.test', { fetch: fetchImpl, retry: { retries: 0 }, sleep: async () => {} }), posts };
}

const inventory: Inventory = parseInventory({
  machine: { maker: 'Lenovo', model: 'ThinkPad X1', serial: 'PF1', category: 'pc' },
  peripherals: [
    { id: 'usb:1-2', maker: 'Canon', model: 'TS8330', serial: 'KMZ1', category: 'printer' },
    { id: 'usb:1-3', maker: 'PFU', model: 'iX1600', serial: 'SC1', category: 'scanner' },
    { id: 'usb:1-4', maker: 'Logitech', model: 'Receiver', serial: null, category: 'other' },
  ],
});

const common = (method: string, url: string) => {
  if (method === 'GET' && url === '/api/registration/form') return { status: 200, body: FORM };
  return null;
};

let dir: string;
let paths: StatePaths;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pc-agent-dialogue-'));
  paths = await resolveStatePaths(path.join(dir, 'state.json'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const NEW_CUSTOMER: [string, string][] = [
  ['Name *', '山田 太郎'],
  ['E-mail *', 'taro@example'],
  ['E-mail *', 'taro@example.jp'],
  ['Phone', ''],
  ['Send me news', 'y'],
  ['Password', 'pw'],
  ['Password', 'password-1'],
  ['Type it again', 'password-2'],
  ['Password', 'password-1'],
  ['Type it again', 'password-1'],
];

describe('the registration dialogue', () => {
  it('registers the chosen products, checking each answer as it is typed', async () => {
    const { client, posts } = fakeServer((method, url, body) => {
      const c = common(method, url);
      if (c) return c;
      if (url === '/api/registration/collate') return { status: 200, body: { results: body.products.map((p: { serial: string }) => ({ serial: p.serial, status: 'available', message: '' })) } };
      if (url === '/api/registrations') return { status: 201, body: RESULT(body.products.map((p: { serial: string }) => p.serial)) };
      return { status: 404 };
    });
    const p = new ScriptedPrompter([['Choose', '1'], ['Numbers toggle', '3'], ['Numbers toggle', ''], ...NEW_CUSTOMER, ['Register these?', '']]);
    const outcome = await runInteractive({ prompter: p, client, paths, loadInventory: async () => inventory });
    expect(outcome).toMatchObject({ kind: 'registered', result: { registrationNoFormatted: '1234-5678-90' } });
    expect(posts).toHaveLength(1);
    expect(posts[0]!.body).toEqual({
      customer: { name: '山田 太郎', email: 'taro@example.jp' },
      password: 'password-1',
      emailConsent: true,
      products: [
        { serial: 'PF1', maker: 'Lenovo', model: 'ThinkPad X1', category: 'pc', details: {} },
        { serial: 'KMZ1', maker: 'Canon', model: 'TS8330', category: 'printer', parentSerial: 'PF1', details: { foundAt: 'usb:1-2' } },
      ],
    });
    const text = p.transcript.join('\n');
    expect(text).toContain('Not a valid e-mail address');
    expect(text).toContain('Use at least 8 characters');
    expect(text).toContain('The two did not match');
    expect(text).toContain('1234-5678-90');
    expect(p.remaining).toBe(0);
    expect(await loadPending(paths)).toBeNull();
  });

  it('does not offer what the server says is registered already', async () => {
    const { client } = fakeServer((method, url, body) => {
      const c = common(method, url);
      if (c) return c;
      if (url === '/api/registration/collate') {
        return { status: 200, body: { results: body.products.map((p: { serial: string }) => ({ serial: p.serial, status: p.serial === 'PF1' ? 'already_registered' : 'available', message: '' })) } };
      }
      if (url === '/api/registrations') return { status: 201, body: RESULT(body.products.map((p: { serial: string }) => p.serial)) };
      return { status: 404 };
    });
    const p = new ScriptedPrompter([['Choose', '2'], ['Numbers toggle', '1'], ['Numbers toggle', ''], ['Registration number', '1234-5678-9'], ['Registration number', '１２３４ー５６７８ー９０'], ['Password', 'pw'], ['Register these?', '']]);
    const outcome = await runInteractive({ prompter: p, client, paths, loadInventory: async () => inventory });
    expect(outcome.kind).toBe('registered');
    const text = p.transcript.join('\n');
    expect(text).toContain('[-] 1. Lenovo ThinkPad X1 (this PC)');
    expect(text).toContain('1. cannot be chosen');
    expect(text).toContain('A registration number has 10 digits');
  });

  it('offers to leave out a product the server refuses as taken, then sends the rest with a new key', async () => {
    const { client, posts } = fakeServer((method, url, body) => {
      const c = common(method, url);
      if (c) return c;
      if (url === '/api/registration/collate') return { status: 200, body: { results: [] } };
      if (url === '/api/registrations') {
        if (body.products.some((p: { serial: string }) => p.serial === 'KMZ1')) {
          return { status: 409, body: { error: { code: 'serial_already_registered', message: 'Already registered: KMZ1', details: { serials: ['KMZ1'] } } } };
        }
        return { status: 201, body: RESULT(body.products.map((p: { serial: string }) => p.serial)) };
      }
      return { status: 404 };
    });
    const p = new ScriptedPrompter([['Choose', '1'], ['Numbers toggle', ''], ...NEW_CUSTOMER, ['Register these?', ''], ['Leave them out and continue?', 'y'], ['Register these?', '']]);
    const outcome = await runInteractive({ prompter: p, client, paths, loadInventory: async () => inventory });
    expect(outcome.kind).toBe('registered');
    expect(posts.map((x) => x.body.products.map((y: { serial: string }) => y.serial))).toEqual([
      ['PF1', 'KMZ1', 'SC1'],
      ['PF1', 'SC1'],
    ]);
    expect(posts[0]!.key).not.toBe(posts[1]!.key);
    expect(p.transcript.join('\n')).toContain('Canon TS8330 S/N KMZ1');
  });

  it('goes back to the field the server names in invalid_input', async () => {
    let first = true;
    const { client, posts } = fakeServer((method, url, body) => {
      const c = common(method, url);
      if (c) return c;
      if (url === '/api/registration/collate') return { status: 200, body: { results: [] } };
      if (url === '/api/registrations') {
        if (first) {
          first = false;
          return { status: 400, body: { error: { code: 'invalid_input', message: 'customer.email: is taken', details: { fields: [{ field: 'customer.email', message: 'is not accepted here' }] } } } };
        }
        return { status: 201, body: RESULT(body.products.map((p: { serial: string }) => p.serial)) };
      }
      return { status: 404 };
    });
    const p = new ScriptedPrompter([['Choose', '1'], ['Numbers toggle', ''], ...NEW_CUSTOMER, ['Register these?', ''], ['E-mail *', 'hanako@example.jp'], ['Register these?', '']]);
    const outcome = await runInteractive({ prompter: p, client, paths, loadInventory: async () => inventory });
    expect(outcome.kind).toBe('registered');
    expect(posts[1]!.body.customer.email).toBe('hanako@example.jp');
    expect(p.transcript.join('\n')).toContain('E-mail: is not accepted here');
  });

  it('keeps the answers after a network failure, retries with the same key, and resumes later asking only the password', async () => {
    let up = false;
    const { client, posts } = fakeServer((method, url, body) => {
      const c = common(method, url);
      if (c) return c;
      if (url === '/api/registration/collate') return { status: 200, body: { results: [] } };
      if (url === '/api/registrations') {
        if (!up) return Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
        return { status: 201, body: RESULT(body.products.map((p: { serial: string }) => p.serial)) };
      }
      return { status: 404 };
    });
    const p = new ScriptedPrompter([['Choose', '1'], ['Numbers toggle', ''], ...NEW_CUSTOMER, ['Register these?', ''], ['Try again now?', 'y'], ['Try again now?', 'n']]);
    const outcome = await runInteractive({ prompter: p, client, paths, loadInventory: async () => inventory });
    expect(outcome).toEqual({ kind: 'stopped', code: 2 });
    expect(posts).toHaveLength(2);
    expect(posts[0]!.key).toBe(posts[1]!.key);
    const text = await readFile(paths.pendingFile, 'utf8');
    expect(text).not.toContain('password-1');
    expect(JSON.parse(text).idempotencyKey).toBe(posts[0]!.key);

    up = true;
    const again = new ScriptedPrompter([['Resume it?', ''], ['Password', 'password-1'], ['Type it again', 'password-1'], ['Register these?', '']]);
    const resumed = await runInteractive({ prompter: again, client, paths, loadInventory: async () => inventory });
    expect(resumed.kind).toBe('registered');
    expect(posts[2]!.key).toBe(posts[0]!.key);
    expect(posts[2]!.body.customer).toEqual({ name: '山田 太郎', email: 'taro@example.jp' });
    expect(await loadPending(paths)).toBeNull();
  });

  it('update: logs in with the machine serial, Enter keeps, "-" clears, only changes are sent', async () => {
    const customer = { customerNumber: '100001', registrationNo: '1234567890', registrationNoFormatted: '1234-5678-90', personal: { name: '山田 太郎', email: 'taro@example.jp', phone: '0312345678' } };
    const seen: { login?: any; patch?: any } = {};
    const { client } = fakeServer((method, url, body) => {
      const c = common(method, url);
      if (c) return c;
      if (url === '/api/auth/serial-login') {
        seen.login = body;
        return body.password === 'right-password'
          ? { status: 200, body: { customer, csrfToken: 't' } }
          : { status: 401, body: { error: { code: 'invalid_credentials', message: 'Wrong number or password' } } };
      }
      if (url === '/api/me/products') return { status: 200, body: { items: [{ id: 1, serial: 'PF1', maker: 'Lenovo', model: 'ThinkPad X1', category: 'pc', parentSerial: null }] } };
      if (method === 'PATCH' && url === '/api/me') {
        seen.patch = body;
        return { status: 200, body: { ...customer, personal: { ...customer.personal, ...body } } };
      }
      return { status: 404 };
    });
    const p = new ScriptedPrompter([
      ['Choose', '3'],
      ['Password', 'wrong'],
      ['Password', 'right-password'],
      ['Name *', ''],
      ['E-mail *', 'new@example.jp'],
      ['Phone', '-'],
      ['Save these changes?', ''],
    ]);
    const outcome = await runInteractive({ prompter: p, client, paths, loadInventory: async () => inventory });
    expect(outcome).toMatchObject({ kind: 'updated', changed: ['email', 'phone'] });
    expect(seen.login).toEqual({ serial: 'PF1', password: 'right-password' });
    expect(seen.patch).toEqual({ email: 'new@example.jp', phone: null });
    const text = p.transcript.join('\n');
    expect(text).toContain('taro@example.jp → new@example.jp');
    expect(text).toContain('Wrong password');
  });

  describe('update after a network failure', () => {
    const customer = { customerNumber: '100001', registrationNo: '1234567890', registrationNoFormatted: '1234-5678-90', personal: { name: '山田 太郎', email: 'taro@example.jp', phone: '0312345678' } as Record<string, string | null> };
    function updateServer(state: { up: boolean; personal: Record<string, string | null> }) {
      const patches: any[] = [];
      const logins: any[] = [];
      const { client } = fakeServer((method, url, body) => {
        const c = common(method, url);
        if (c) return c;
        if (url === '/api/auth/serial-login') {
          logins.push(body);
          return body.password === 'right-password'
            ? { status: 200, body: { customer: { ...customer, personal: { ...state.personal } }, csrfToken: 't' } }
            : { status: 401, body: { error: { code: 'invalid_credentials', message: 'Wrong number or password' } } };
        }
        if (url === '/api/me/products') return { status: 200, body: { items: [] } };
        if (method === 'PATCH' && url === '/api/me') {
          patches.push(body);
          if (!state.up) return Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
          Object.assign(state.personal, body);
          return { status: 200, body: { ...customer, personal: { ...state.personal } } };
        }
        return { status: 404 };
      });
      return { client, patches, logins };
    }

    it('keeps the changes (never the password) until the server has them, and the next run sends them', async () => {
      const state = { up: false, personal: { ...customer.personal } };
      const { client, patches, logins } = updateServer(state);
      // A registration left pending earlier has its own file: the update must not touch it.
      await savePending(paths, { server: 'http://server.test', idempotencyKey: 'k', request: { kind: 'existing', registrationNo: '1234567890', products: [] } });
      const first = new ScriptedPrompter([
        ['Resume it?', 'n'],
        ['Choose', '3'],
        ['Password', 'right-password'],
        ['Name *', ''],
        ['E-mail *', 'new@example.jp'],
        ['Phone', '-'],
        ['Save these changes?', ''],
        ['Try again now?', 'y'],
        ['Try again now?', 'n'],
      ]);
      expect(await runInteractive({ prompter: first, client, paths, loadInventory: async () => inventory })).toEqual({ kind: 'stopped', code: 2 });
      expect(patches).toEqual([{ email: 'new@example.jp', phone: null }, { email: 'new@example.jp', phone: null }]);
      expect(first.transcript.join('\n')).toContain(paths.pendingUpdateFile);
      const text = await readFile(paths.pendingUpdateFile, 'utf8');
      expect(text).not.toContain('right-password');
      expect(text).not.toMatch(/password/i);
      expect(await loadPendingUpdate(paths)).toMatchObject({ server: 'http://server.test', serial: 'PF1', changes: { email: 'new@example.jp', phone: null } });
      expect(await loadPending(paths)).not.toBeNull();

      state.up = true;
      const again = new ScriptedPrompter([
        ['Resume it?', 'n'],
        ['Send them now?', ''],
        ['Password', 'right-password'],
        ['Save these changes?', ''],
      ]);
      const outcome = await runInteractive({ prompter: again, client, paths, loadInventory: async () => inventory });
      expect(outcome).toMatchObject({ kind: 'updated', changed: ['email', 'phone'], customer: { personal: { email: 'new@example.jp', phone: null } } });
      expect(logins.at(-1)).toEqual({ serial: 'PF1', password: 'right-password' });
      expect(patches).toHaveLength(3);
      expect(patches[2]).toEqual({ email: 'new@example.jp', phone: null });
      expect(again.transcript.join('\n')).toContain('email: new@example.jp');
      expect(await loadPendingUpdate(paths)).toBeNull();
      expect(await loadPending(paths)).not.toBeNull();
    });

    it('on resume sends only what the server does not have yet, and forgets changes it has', async () => {
      // The lost attempt did save the e-mail; the phone was changed back meanwhile.
      const state = { up: true, personal: { ...customer.personal, email: 'new@example.jp' } };
      const { client, patches } = updateServer(state);
      await savePendingUpdate(paths, { server: 'http://server.test', serial: 'PF1', changes: { email: 'new@example.jp', phone: '090-1111-2222' } });
      const p = new ScriptedPrompter([['Send them now?', 'y'], ['Password', 'right-password'], ['Save these changes?', 'y']]);
      expect(await runInteractive({ prompter: p, client, paths, loadInventory: async () => inventory })).toMatchObject({ kind: 'updated', changed: ['phone'] });
      expect(patches).toEqual([{ phone: '090-1111-2222' }]);
      expect(await loadPendingUpdate(paths)).toBeNull();

      await savePendingUpdate(paths, { server: 'http://server.test', serial: 'PF1', changes: { phone: '090-1111-2222' } });
      const done = new ScriptedPrompter([['Send them now?', ''], ['Password', 'right-password']]);
      expect(await runInteractive({ prompter: done, client, paths, loadInventory: async () => inventory })).toMatchObject({ kind: 'updated', changed: [] });
      expect(done.transcript.join('\n')).toContain('These changes were saved already');
      expect(patches).toHaveLength(1);
      expect(await loadPendingUpdate(paths)).toBeNull();
    });
  });

  it('says so when nothing can be registered, with the sudo hint', async () => {
    const { client } = fakeServer((method, url) => common(method, url) ?? { status: 404 });
    const bare: Inventory = { machine: null, peripherals: [], warnings: ['product_serial needs root: run with sudo to read it'] };
    const p = new ScriptedPrompter([['Choose', '1']]);
    expect(await runInteractive({ prompter: p, client, paths, loadInventory: async () => bare })).toEqual({ kind: 'stopped', code: 1 });
    expect(p.transcript.join('\n')).toContain('sudo');
  });
});

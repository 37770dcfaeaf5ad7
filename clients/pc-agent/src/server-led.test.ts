import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseInventory, type Inventory, type ProductInput } from './inventory.js';
import { loadPending, resolveStatePaths, type StatePaths } from './pending-store.js';
import { ServerClient, type DialogueAnswers, type DialogueStep } from './server-client.js';
import { runServerLed } from './server-led.js';
import { CancelledError, type Prompter } from './terminal.js';

/** Answers questions from a script, checking each question is the expected one. */
class ScriptedPrompter implements Prompter {
  transcript: string[] = [];
  constructor(private readonly script: [expected: string, answer: string][]) {}
  say(text = '') {
    this.transcript.push(text);
  }
  private next(question: string, shownDefault?: string): string {
    this.transcript.push(`? ${question}${shownDefault ? ` [${shownDefault}]` : ''}`);
    const step = this.script.shift();
    if (!step) throw new CancelledError();
    if (!question.includes(step[0])) throw new Error(`expected a question containing "${step[0]}", got "${question}"\n${this.transcript.join('\n')}`);
    return step[1];
  }
  async ask(question: string, opts: { default?: string } = {}) {
    const answer = this.next(question, opts.default);
    return answer === '' && opts.default !== undefined ? opts.default : answer;
  }
  async secret(question: string) {
    return this.next(question);
  }
  close() {}
  get remaining() {
    return this.script.length;
  }
  get text() {
    return this.transcript.join('\n');
  }
}

const inventory: Inventory = parseInventory({
  machine: { maker: 'Lenovo', model: 'ThinkPad X1', serial: 'PF1', category: 'pc' },
  peripherals: [
    { id: 'usb:1-2', maker: 'Canon', model: 'TS8330', serial: 'KMZ1', category: 'printer' },
    { id: 'usb:1-3', maker: 'PFU', model: 'iX1600', serial: 'SC1', category: 'scanner' },
  ],
});

const LABEL = (en: string) => ({ ja: `${en}（日本語）`, en });

/**
 * A small stand-in for POST /api/registration/dialogue with the server's shape: the scanner is
 * registered already, the name is required, the e-mail needs an @, the password 8 characters.
 */
function dialogueOf(products: ProductInput[], answers: DialogueAnswers, taken: string[]): DialogueStep {
  const total = 5;
  const options = products.map((p) => ({
    value: p.serial,
    label: `${p.maker} ${p.model} (S/N ${p.serial})`,
    status: taken.includes(p.serial) ? 'already_registered' : 'available',
    message: taken.includes(p.serial) ? 'This product is already registered' : 'Can be registered',
    selectable: !taken.includes(p.serial),
  }));
  if (!options.some((o) => o.selectable)) return { step: 'refused', error: { code: 'nothing_to_register', message: 'None of these products can be registered: PF1: taken' } };
  const choose = { key: 'products', type: 'choose' as const, label: LABEL('Products to register'), required: true, options };
  if (!answers.products) return { step: 'ask', question: choose, answered: 0, total };
  const refused = answers.products.filter((s) => taken.includes(s));
  if (refused.length) return { step: 'ask', question: { ...choose, value: answers.products, problem: `${refused.join(', ')}: This product is already registered` }, answered: 0, total };
  const name = answers.customer?.name;
  const nameQ = { key: 'customer.name', type: 'text' as const, label: LABEL('Name'), required: true, maxLength: 100 };
  if (name === undefined) return { step: 'ask', question: nameQ, answered: 1, total };
  if (!name.trim()) return { step: 'ask', question: { ...nameQ, value: name, problem: 'is required' }, answered: 1, total };
  const email = answers.customer?.email;
  const emailQ = { key: 'customer.email', type: 'email' as const, label: LABEL('E-mail'), required: true, maxLength: 254 };
  if (email === undefined) return { step: 'ask', question: emailQ, answered: 2, total };
  if (!email.includes('@')) return { step: 'ask', question: { ...emailQ, value: email, problem: 'is not an e-mail address' }, answered: 2, total };
  if (answers.emailConsent === undefined) return { step: 'ask', question: { key: 'emailConsent', type: 'yesno', label: LABEL('Send me news by e-mail'), required: true, value: false }, answered: 3, total };
  const passwordQ = { key: 'password', type: 'password' as const, label: LABEL('Password (at least 8 characters)'), required: true, minLength: 8, maxLength: 200 };
  if (answers.password === undefined) return { step: 'ask', question: passwordQ, answered: 4, total };
  const chosen = new Set(answers.products);
  return {
    step: 'ready',
    request: {
      customer: { name, email },
      password: answers.password,
      emailConsent: answers.emailConsent,
      products: products
        .filter((p) => chosen.has(p.serial))
        .map((p) => ({ ...p, parentSerial: p.parentSerial && chosen.has(p.parentSerial) ? p.parentSerial : null })),
    },
  };
}

interface Fake {
  taken: string[];
  /** Makes the next n calls to this path fail as if the network were down. */
  down: Map<string, number>;
  registrationReply?: (body: any) => { status: number; body: unknown } | null;
}

function fakeServer(fake: Fake) {
  const dialogueCalls: DialogueAnswers[] = [];
  const registrations: { body: any; key: string | undefined }[] = [];
  const fetchImpl = (async (url: string | URL | Request, init?: RequestInit) => {
    const u = new URL(String(url));
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    const headers = (init?.headers ?? {}) as Record<string, string>;
    const down = fake.down.get(u.pathname) ?? 0;
    if (u.pathname === '/api/registrations') registrations.push({ body, key: headers['idempotency-key'] });
    if (down > 0) {
      fake.down.set(u.pathname, down - 1);
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    }
    let reply: { status: number; body: unknown };
    if (u.pathname === '/api/registration/dialogue') {
      dialogueCalls.push(structuredClone(body.answers));
      reply = { status: 200, body: dialogueOf(body.products, body.answers, fake.taken) };
    } else if (u.pathname === '/api/registrations') {
      reply = fake.registrationReply?.(body) ?? {
        status: 201,
        body: {
          registrationNo: '1234567890',
          registrationNoFormatted: '1234-5678-90',
          customerNumber: '100001',
          products: body.products.map((p: { serial: string }, i: number) => ({ id: i + 1, serial: p.serial, maker: 'M', model: 'X', category: 'pc', parentSerial: null })),
        },
      };
    } else reply = { status: 404, body: { error: { code: 'not_found', message: u.pathname } } };
    return new Response(JSON.stringify(reply.body), { status: reply.status });
  }) as typeof fetch;
  return { client: new ServerClient('http://server.test', { fetch: fetchImpl, retry: { retries: 0 }, sleep: async () => {} }), dialogueCalls, registrations };
}

let dir: string;
let paths: StatePaths;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pc-agent-server-led-'));
  paths = await resolveStatePaths(path.join(dir, 'state.json'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const TO_THE_END: [string, string][] = [
  ['(2/5) Name（日本語） / Name *', '山田 太郎'],
  ['(3/5) E-mail（日本語） / E-mail *', 'taro@example.jp'],
  ['Send me news by e-mail [y/N]', 'y'],
  ['(5/5) Password', 'password-1'],
  ['Type it again', 'password-1'],
  ['Register these?', ''],
];

describe('the dialogue led by the server (--server-led)', () => {
  it('asks what the server asks, again with the server’s reason, and sends the request the server hands back', async () => {
    const { client, dialogueCalls, registrations } = fakeServer({ taken: ['SC1'], down: new Map() });
    const p = new ScriptedPrompter([
      // The scanner is shown but cannot be ticked; the printer is left out.
      ['Numbers toggle', '3'],
      ['Numbers toggle', '2'],
      ['Numbers toggle', ''],
      ['(2/5) Name（日本語） / Name *', ''],
      ['(2/5) Name（日本語） / Name *', '山田 太郎'],
      ['(3/5) E-mail', 'taro.example.jp'],
      // Asked again with the answer as the default and the server's reason before it.
      ['(3/5) E-mail', 'taro@example.jp'],
      ['Send me news by e-mail [y/N]', 'y'],
      ['(5/5) Password', 'short'],
      ['(5/5) Password', 'password-1'],
      ['Type it again', 'password-1'],
      ['Register these?', ''],
    ]);
    const outcome = await runServerLed({ prompter: p, client, paths, loadInventory: async () => inventory });

    expect(outcome).toMatchObject({ kind: 'registered', result: { registrationNoFormatted: '1234-5678-90' } });
    expect(p.remaining).toBe(0);
    const text = p.text;
    expect(text).toContain('(1/5) Products to register（日本語） / Products to register');
    expect(text).toMatch(/\[-\] 3\. PFU iX1600 \(S\/N SC1\)  — .*already registered/);
    expect(text).toContain('3. cannot be chosen');
    expect(text).toContain('✗ Name（日本語） / Name: is required');
    // The reason first, then the same question with the answer given as the default.
    const reason = p.transcript.indexOf('  ✗ E-mail（日本語） / E-mail: is not an e-mail address');
    expect(reason).toBeGreaterThan(0);
    expect(p.transcript[reason + 1]).toBe('? (3/5) E-mail（日本語） / E-mail * [taro.example.jp]');
    expect(text).toContain('Use at least 8 characters');
    expect(text).toContain('Registration number: 1234-5678-90');
    // Every call carries every answer so far; the printer (2) was toggled off, the scanner never on.
    expect(dialogueCalls.at(-1)).toEqual({ products: ['PF1'], customer: { name: '山田 太郎', email: 'taro@example.jp' }, emailConsent: true, password: 'password-1' });
    expect(dialogueCalls[2]).toEqual({ products: ['PF1'], customer: { name: '' } });
    // What the server asked for is what the agent found, the PC named as the peripherals' parent.
    expect(registrations).toHaveLength(1);
    expect(registrations[0]!.body).toEqual({
      customer: { name: '山田 太郎', email: 'taro@example.jp' },
      password: 'password-1',
      emailConsent: true,
      products: [{ serial: 'PF1', maker: 'Lenovo', model: 'ThinkPad X1', category: 'pc', details: {} }],
    });
    expect(registrations[0]!.key).toMatch(/^[0-9a-f-]{36}$/);
    expect(await loadPending(paths)).toBeNull();
  });

  it('sends the agent’s products with the PC as the peripherals’ parent', async () => {
    const products: unknown[] = [];
    const { client } = fakeServer({ taken: [], down: new Map() });
    const spy = client.dialogue.bind(client);
    client.dialogue = async (p, a) => (products.push(p), spy(p, a));
    const prompter = new ScriptedPrompter([['Numbers toggle', ''], ...TO_THE_END]);
    await runServerLed({ prompter, client, paths, loadInventory: async () => inventory });
    expect(products[0]).toEqual([
      { serial: 'PF1', maker: 'Lenovo', model: 'ThinkPad X1', category: 'pc', details: {} },
      { serial: 'KMZ1', maker: 'Canon', model: 'TS8330', category: 'printer', parentSerial: 'PF1', details: { foundAt: 'usb:1-2' } },
      { serial: 'SC1', maker: 'PFU', model: 'iX1600', category: 'scanner', parentSerial: 'PF1', details: { foundAt: 'usb:1-3' } },
    ]);
  });

  it('says why when the server refuses, and ends with exit code 1 without asking anything', async () => {
    const { client, registrations } = fakeServer({ taken: ['PF1', 'KMZ1', 'SC1'], down: new Map() });
    const p = new ScriptedPrompter([]);
    const outcome = await runServerLed({ prompter: p, client, paths, loadInventory: async () => inventory });
    expect(outcome).toEqual({ kind: 'stopped', code: 1 });
    expect(p.text).toContain('Nothing can be registered: None of these products can be registered: PF1: taken');
    expect(registrations).toHaveLength(0);
  });

  it('keeps the answers typed so far when the network fails during the dialogue, and goes on after a retry', async () => {
    const fake: Fake = { taken: [], down: new Map() };
    const { client, dialogueCalls } = fakeServer(fake);
    const p = new ScriptedPrompter([['Numbers toggle', ''], ['(2/5) Name', '山田 太郎'], ['Try again now?', ''], ...TO_THE_END.slice(1)]);
    // The network goes away after the name has been typed.
    let cut = false;
    const original = client.dialogue.bind(client);
    client.dialogue = async (products, answers) => {
      if (answers.customer?.name && !cut) {
        cut = true;
        fake.down.set('/api/registration/dialogue', 1);
      }
      return original(products, answers);
    };
    const outcome = await runServerLed({ prompter: p, client, paths, loadInventory: async () => inventory });
    expect(outcome.kind).toBe('registered');
    expect(p.text).toContain('Cannot reach the server');
    expect(p.text).toContain('Your answers so far are kept');
    // After the retry the name was sent again, not asked again.
    expect(p.transcript.filter((l) => l.includes('Name *'))).toHaveLength(1);
    expect(dialogueCalls.find((a) => a.customer?.name)).toMatchObject({ customer: { name: '山田 太郎' } });
  });

  it('sends through the pending store: kept without the password, the same Idempotency-Key on a retry', async () => {
    const fake: Fake = { taken: [], down: new Map([['/api/registrations', 1]]) };
    const { client, registrations } = fakeServer(fake);
    let pendingDuringFailure = '';
    const p = new ScriptedPrompter([['Numbers toggle', ''], ...TO_THE_END, ['Try again now?', '']]);
    const ask = p.ask.bind(p);
    p.ask = async (question, opts) => {
      if (question.includes('Try again now?')) pendingDuringFailure = await readFile(paths.pendingFile, 'utf8');
      return ask(question, opts);
    };
    const outcome = await runServerLed({ prompter: p, client, paths, loadInventory: async () => inventory });
    expect(outcome.kind).toBe('registered');
    expect(JSON.parse(pendingDuringFailure)).toMatchObject({ request: { kind: 'new', customer: { email: 'taro@example.jp' }, emailConsent: true } });
    expect(pendingDuringFailure).not.toContain('password-1');
    expect(registrations).toHaveLength(2);
    expect(registrations[1]!.key).toBe(registrations[0]!.key);
    expect(await loadPending(paths)).toBeNull();
  });

  it('goes back to the server’s dialogue when a product was taken before the send, offering it no more', async () => {
    const fake: Fake = { taken: [], down: new Map() };
    fake.registrationReply = (body) => {
      if (!body.products.some((x: { serial: string }) => x.serial === 'KMZ1')) return null;
      fake.taken.push('KMZ1');
      return { status: 409, body: { error: { code: 'serial_already_registered', message: 'already registered', details: { serials: ['KMZ1'] } } } };
    };
    const { client, registrations } = fakeServer(fake);
    const p = new ScriptedPrompter([
      ['Numbers toggle', ''],
      ...TO_THE_END,
      // The products question again, the printer now blocked and unticked: Enter accepts the rest.
      ['Numbers toggle', ''],
      ['Register these?', ''],
    ]);
    const outcome = await runServerLed({ prompter: p, client, paths, loadInventory: async () => inventory });
    expect(outcome.kind).toBe('registered');
    expect(p.text).toContain('These products are already registered');
    expect(p.text).toContain('KMZ1: This product is already registered');
    expect(registrations.map((r) => r.body.products.map((x: { serial: string }) => x.serial))).toEqual([
      ['PF1', 'KMZ1', 'SC1'],
      ['PF1', 'SC1'],
    ]);
    // Nothing typed twice: the personal answers and the password went back with the products.
    expect(registrations[1]!.body).toMatchObject({ password: 'password-1', customer: { name: '山田 太郎' } });
  });

  it('lets an answer be changed before sending: the server asks it again, the old answer as the default', async () => {
    const { client, registrations } = fakeServer({ taken: [], down: new Map() });
    const p = new ScriptedPrompter([
      ['Numbers toggle', ''],
      ...TO_THE_END.slice(0, -1),
      ['Register these?', 'n'],
      ['Number of the item to change', '2'],
      ['Name *', '山田 次郎'],
      ['Register these?', ''],
    ]);
    const outcome = await runServerLed({ prompter: p, client, paths, loadInventory: async () => inventory });
    expect(outcome.kind).toBe('registered');
    expect(p.transcript.filter((l) => l.includes('Name *')).at(-1)).toBe('? (2/5) Name（日本語） / Name * [山田 太郎]');
    expect(p.text).toMatch(/2\. Name（日本語） \/ Name: 山田 太郎/);
    expect(registrations).toHaveLength(1);
    expect(registrations[0]!.body.customer.name).toBe('山田 次郎');
  });
});

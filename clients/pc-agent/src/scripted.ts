import { readFile } from 'node:fs/promises';
import { candidatesOf, productsFor, withoutSerials, type Candidate, type Inventory } from './inventory.js';
import { clearPending, loadPending, readState, sameRequest, writeState, type PendingRequest, type StatePaths } from './pending-store.js';
import { registrationNoOf } from './personal-form.js';
import { ApiError, TransportError, type ServerClient } from './server-client.js';
import { submitRegistration } from './submit.js';

/** A mistake in how the agent was called or in a file it was given: exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly problems: string[] = [],
  ) {
    super(problems.length ? `${message}\n${problems.map((p) => `  - ${p}`).join('\n')}` : message);
    this.name = 'UsageError';
  }
}

export type Answers =
  | { mode: 'new'; customer: Record<string, string>; password: string; emailConsent: boolean }
  | { mode: 'existing'; registrationNo: string; password: string }
  | { mode: 'update'; password: string; changes: Record<string, string | null>; serial?: string };

export const ANSWERS_HELP = `Answers file (--answers), one of:
  {"mode": "new", "customer": {"name": "山田 太郎", "nameReading": "ヤマダ タロウ", "postalCode": "100-0001",
     "prefecture": "東京都", "city": "千代田区", "addressLine1": "千代田1-1", "phone": "03-1234-5678",
     "email": "taro@example.jp"}, "password": "at least 8 characters", "emailConsent": true}
  {"mode": "existing", "registrationNo": "1234-5678-90", "password": "…"}     add products to a registration
  {"mode": "update", "password": "…", "changes": {"phone": "090-1234-5678"}}  change personal info
     (identified by this PC's serial, or "serial": "…" of another registered product)
  Personal fields: name, nameReading, postalCode, prefecture, city, addressLine1, addressLine2,
  phone, birthDate (YYYY-MM-DD), occupation, email, nickname. The password is never stored by the agent.`;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringMap(v: unknown, path: string, problems: string[], allowNull: boolean): Record<string, string | null> {
  if (!isObject(v)) {
    problems.push(`${path}: must be an object of fields`);
    return {};
  }
  const out: Record<string, string | null> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x === 'string') out[k] = x;
    else if (x === null && allowNull) out[k] = null;
    else problems.push(`${path}.${k}: must be a string${allowNull ? ' or null' : ''}`);
  }
  return out;
}

export function parseAnswers(data: unknown): Answers {
  const problems: string[] = [];
  if (!isObject(data)) throw new UsageError('The answers file must be a JSON object');
  const password = data.password;
  if (typeof password !== 'string' || !password) problems.push('password: is required');
  const mode = data.mode;
  let answers: Answers | undefined;
  if (mode === 'new') {
    const customer = stringMap(data.customer, 'customer', problems, true);
    const clean: Record<string, string> = {};
    for (const [k, v] of Object.entries(customer)) if (v !== null && v.trim()) clean[k] = v;
    if (data.emailConsent !== undefined && typeof data.emailConsent !== 'boolean') problems.push('emailConsent: must be true or false');
    answers = { mode, customer: clean, password: String(password ?? ''), emailConsent: data.emailConsent === true };
  } else if (mode === 'existing') {
    const registrationNo = typeof data.registrationNo === 'string' ? registrationNoOf(data.registrationNo) : null;
    if (!registrationNo) problems.push('registrationNo: must be a 10-digit registration number such as "1234-5678-90"');
    answers = { mode, registrationNo: registrationNo ?? '', password: String(password ?? '') };
  } else if (mode === 'update') {
    const changes = stringMap(data.changes, 'changes', problems, true);
    if (data.serial !== undefined && typeof data.serial !== 'string') problems.push('serial: must be a string');
    answers = { mode, password: String(password ?? ''), changes, ...(typeof data.serial === 'string' ? { serial: data.serial } : {}) };
  } else problems.push('mode: must be "new", "existing" or "update"');
  if (problems.length || !answers) throw new UsageError('The answers file is not valid:', problems);
  return answers;
}

export async function loadAnswersFile(file: string): Promise<Answers> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`Cannot read the answers file ${file}: ${(err as Error).message}`);
  }
  try {
    return parseAnswers(JSON.parse(text));
  } catch (err) {
    if (err instanceof UsageError) throw new UsageError(err.message.replace('The answers file', `The answers file ${file}`), err.problems);
    throw new UsageError(`The answers file ${file} is not valid JSON: ${(err as Error).message}`);
  }
}

/** `all`, `none`, or a comma-separated list of peripheral ids (`usb:1-2,block:sda`). */
export function selectCandidates(inv: Inventory, peripherals: string, includeMachine: boolean): Candidate[] {
  const candidates = candidatesOf(inv);
  const machine = includeMachine ? candidates.filter((c) => c.isMachine) : [];
  const others = candidates.filter((c) => !c.isMachine);
  const spec = peripherals.trim();
  if (spec === 'all') return [...machine, ...others];
  if (spec === 'none' || spec === '') return machine;
  const problems: string[] = [];
  const chosen: Candidate[] = [];
  for (const id of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const device = inv.peripherals.find((p) => p.id === id);
    const candidate = others.find((c) => c.id === id);
    if (!device) problems.push(`${id}: no such peripheral (see \`clientele-agent inventory\`)`);
    else if (!candidate) problems.push(`${id}: cannot be registered (${device.reason ?? 'no serial number'})`);
    else if (!chosen.includes(candidate)) chosen.push(candidate);
  }
  if (problems.length) throw new UsageError('--peripherals names devices that cannot be registered:', problems);
  return [...machine, ...chosen];
}

export interface ScriptedOptions {
  client: ServerClient;
  paths: StatePaths;
  inventory: Inventory;
  answers: Answers;
  peripherals: string;
  includeMachine: boolean;
  warn: (message: string) => void;
}

/** What a scripted run ends with: the exit code, the JSON document, and lines for people. */
export interface ScriptedOutcome {
  code: 0 | 1 | 2;
  output: Record<string, unknown>;
  lines: string[];
}

function refusal(err: ApiError, extra: Record<string, unknown> = {}): ScriptedOutcome {
  return {
    code: 1,
    output: { error: { code: err.code, message: err.message, details: err.details, ...extra } },
    lines: [`Refused (${err.code}): ${err.message}`],
  };
}

function unreachable(err: TransportError, pendingFile?: string): ScriptedOutcome {
  return {
    code: 2,
    output: { error: { code: 'network_error', message: err.message, ...(pendingFile ? { pendingFile } : {}) } },
    lines: [err.message, ...(pendingFile ? [`The answers (without the password) are kept in ${pendingFile}; run the same command again to finish.`] : [])],
  };
}

/** `register --answers`: the zero-touch registration. Never asks anything. */
export async function runScripted(opts: ScriptedOptions): Promise<ScriptedOutcome> {
  const { answers } = opts;
  if (answers.mode === 'update') return runUpdate(opts, answers);

  let products = productsFor(selectCandidates(opts.inventory, opts.peripherals, opts.includeMachine));
  const skipped: { serial: string; status: string; message: string }[] = [];
  try {
    if (answers.mode === 'existing' && products.length) {
      // Adding to a registration: what is registered already (the PC, usually) is left out.
      const results = await opts.client.collate(products);
      skipped.push(...results.filter((r) => r.status === 'already_registered'));
      products = withoutSerials(products, skipped.map((r) => r.serial));
    }
  } catch (err) {
    if (err instanceof TransportError) return unreachable(err);
    throw err;
  }
  if (!products.length) {
    return {
      code: 1,
      output: { error: { code: 'nothing_to_register', message: 'No product with a readable serial number was selected', details: { skipped } } },
      lines: ['Nothing to register: no product with a readable serial number was selected.', ...opts.inventory.warnings],
    };
  }

  const request: PendingRequest =
    answers.mode === 'new'
      ? { kind: 'new', customer: answers.customer, emailConsent: answers.emailConsent, products }
      : { kind: 'existing', registrationNo: answers.registrationNo, products };
  // The same answers as an attempt whose answer was lost: resend it under its key.
  const pending = await loadPending(opts.paths).catch(() => null);
  const resumeKey = pending && sameRequest(pending.request, request) ? pending.idempotencyKey : undefined;
  try {
    const result = await submitRegistration({ client: opts.client, paths: opts.paths, warn: opts.warn }, request, answers.password, resumeKey);
    return {
      code: 0,
      output: {
        registrationNumber: result.registrationNoFormatted,
        registrationNo: result.registrationNo,
        customerNumber: result.customerNumber,
        products: result.products,
        ...(skipped.length ? { skipped } : {}),
        ...(resumeKey ? { resumed: true } : {}),
      },
      lines: [
        `Registration number: ${result.registrationNoFormatted}`,
        `Customer number: ${result.customerNumber}`,
        ...result.products.map((x) => `Registered: ${x.maker} ${x.model} (S/N ${x.serial})`),
      ],
    };
  } catch (err) {
    if (err instanceof TransportError) return unreachable(err, opts.paths.pendingFile);
    if (err instanceof ApiError) {
      // The answers file still has everything: nothing to keep for a later run.
      await clearPending(opts.paths).catch(() => undefined);
      return refusal(err);
    }
    throw err;
  }
}

async function runUpdate(opts: ScriptedOptions, answers: Extract<Answers, { mode: 'update' }>): Promise<ScriptedOutcome> {
  const candidates = candidatesOf(opts.inventory);
  const serial = answers.serial ?? candidates.find((c) => c.isMachine)?.product.serial ?? candidates[0]?.product.serial;
  if (!serial) {
    return {
      code: 1,
      output: { error: { code: 'no_serial', message: 'No serial number could be read to identify the customer; give "serial" in the answers file' } },
      lines: ['No serial number could be read to identify the customer (try sudo, or give "serial" in the answers file).'],
    };
  }
  try {
    const customer = await opts.client.serialLogin(serial, answers.password);
    const changes: Record<string, string | null> = {};
    for (const [k, v] of Object.entries(answers.changes)) {
      const value = v === null || v.trim() === '' ? null : v.trim();
      if ((customer.personal[k] ?? null) !== value) changes[k] = value;
    }
    const saved = Object.keys(changes).length ? await opts.client.updateMe(changes) : customer;
    const personal = Object.fromEntries(Object.keys(changes).map((k) => [k, saved.personal?.[k] ?? null]));
    const previous = await readState(opts.paths).catch(() => null);
    await writeState(opts.paths, {
      registered: true,
      registrationNo: saved.registrationNo,
      registrationNoFormatted: saved.registrationNoFormatted,
      customerNumber: saved.customerNumber,
      registeredAt: new Date().toISOString(),
      server: opts.client.baseUrl,
      serials: [...new Set([...(previous?.serials ?? []), serial])],
    }).catch((err: Error) => opts.warn(`Could not record the state in ${opts.paths.stateFile}: ${err.message}`));
    return {
      code: 0,
      output: { registrationNumber: saved.registrationNoFormatted, customerNumber: saved.customerNumber, changed: Object.keys(changes), personal },
      lines: Object.keys(changes).length ? Object.entries(personal).map(([k, v]) => `Saved ${k}: ${v ?? '(cleared)'}`) : ['Nothing changed.'],
    };
  } catch (err) {
    if (err instanceof TransportError) return unreachable(err);
    if (err instanceof ApiError) return refusal(err);
    throw err;
  }
}

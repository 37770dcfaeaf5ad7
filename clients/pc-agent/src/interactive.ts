import { candidatesOf, canonicalSerial, formatInventory, productsFor, withoutSerials, type Candidate, type Inventory, type ProductInput } from './inventory.js';
import {
  clearPendingUpdate,
  loadPending,
  loadPendingUpdate,
  savePendingUpdate,
  type PendingRegistration,
  type PendingRequest,
  type PendingUpdate,
  type StatePaths,
} from './pending-store.js';
import { checkField, labelOf, personalFieldOf, registrationNoOf } from './personal-form.js';
import {
  ApiError,
  TransportError,
  type CollateResult,
  type Customer,
  type FormField,
  type RegistrationForm,
  type RegistrationResult,
  type ServerClient,
} from './server-client.js';
import { submitRegistration, type SubmitContext } from './submit.js';
import { chooseSeveral, confirm, type Prompter } from './terminal.js';
import { bigText, box, table } from './text.js';

export interface DialogueDeps {
  prompter: Prompter;
  client: ServerClient;
  paths: StatePaths;
  loadInventory: () => Promise<Inventory>;
  sleep?: (ms: number) => Promise<void>;
}

export type DialogueOutcome =
  | { kind: 'registered'; result: RegistrationResult }
  | { kind: 'updated'; customer: Customer; changed: string[] }
  /** Nothing was registered; `code` is the exit code (1 refused or nothing to do, 2 no network). */
  | { kind: 'stopped'; code: number };

/** What every step of a dialogue works with; the server-led dialogue (server-led.ts) shares it. */
export interface DialogueContext extends DialogueDeps {
  submit: SubmitContext;
  form?: RegistrationForm;
}
type Ctx = DialogueContext;

export function dialogueContext(deps: DialogueDeps): DialogueContext {
  return { ...deps, submit: { client: deps.client, paths: deps.paths, warn: (m) => deps.prompter.say(`  ! ${m}`) } };
}

export function sayTitle(p: Prompter, title: string): void {
  p.say(RULE);
  p.say(title);
  p.say(RULE);
}

const RULE = '─'.repeat(60);

/**
 * The terminal dialogue: new registration, products added to an existing registration, or a
 * change of personal info. Every question comes from the server's form; every refusal is
 * explained and can be corrected on the spot.
 */
export async function runInteractive(deps: DialogueDeps): Promise<DialogueOutcome> {
  const p = deps.prompter;
  const ctx = dialogueContext(deps);
  sayTitle(p, 'Clientele 製品登録 / Product registration');

  const pending = await loadPending(deps.paths).catch(() => null);
  let defaults: Record<string, string> = {};
  if (pending) {
    p.say('前回の登録が完了していません。/ An earlier registration was not finished:');
    p.say(describePending(pending));
    if (await confirm(p, '続きから登録しますか？ / Resume it?', true)) return resume(ctx, pending);
    if (pending.request.kind === 'new') defaults = pending.request.customer;
  }
  const pendingUpdate = await loadPendingUpdate(deps.paths).catch(() => null);
  if (pendingUpdate) {
    p.say('登録情報の変更がまだ保存されていません。/ Changes to your registered information were not saved yet:');
    p.say(describePendingUpdate(pendingUpdate));
    if (await confirm(p, '今送信しますか？ / Send them now?', true)) return resumeUpdate(ctx, pendingUpdate);
  }

  p.say('');
  p.say('  1) 新規登録 / New registration');
  p.say('  2) 登録済みの方：製品を追加 / Already registered: add products');
  p.say('  3) 登録情報の変更 / Change my registered information');
  for (;;) {
    const choice = (await p.ask('番号を選んでください / Choose', { default: '1' })).normalize('NFKC');
    if (choice === '1') return newRegistration(ctx, defaults);
    if (choice === '2') return addProducts(ctx);
    if (choice === '3') return updateInfo(ctx);
    p.say('  1、2、3 のどれかを入力してください / Please type 1, 2 or 3');
  }
}

export function describePending(pending: PendingRegistration): string {
  const r = pending.request;
  const lines = [`  保存日時 / Saved: ${new Date(pending.savedAt).toLocaleString()}`];
  if (r.kind === 'new') lines.push(`  氏名 / Name: ${r.customer.name ?? '-'}   E-mail: ${r.customer.email ?? '-'}`);
  else lines.push(`  登録番号 / Registration number: ${r.registrationNo}`);
  for (const prod of r.products) lines.push(`  - ${prod.maker} ${prod.model} (${prod.serial})`);
  return lines.join('\n');
}

function describePendingUpdate(pending: PendingUpdate): string {
  const lines = [`  保存日時 / Saved: ${new Date(pending.savedAt).toLocaleString()}`, `  本人確認 / Identified by: S/N ${pending.serial}`];
  for (const [name, value] of Object.entries(pending.changes)) lines.push(`  - ${name}: ${value ?? '(消去 / cleared)'}`);
  return lines.join('\n');
}

async function getForm(ctx: Ctx): Promise<RegistrationForm> {
  ctx.form ??= await ctx.client.form();
  return ctx.form;
}

// ---- products ----------------------------------------------------------------------------------

export async function inventoryAndCandidates(ctx: Ctx): Promise<{ inv: Inventory; candidates: Candidate[] } | null> {
  const p = ctx.prompter;
  p.say('');
  p.say('このPCと接続機器を調べています… / Looking at this PC and its devices…');
  const inv = await ctx.loadInventory();
  p.say(formatInventory(inv));
  const candidates = candidatesOf(inv);
  if (!candidates.length) {
    p.say('');
    p.say('登録できる製品が見つかりませんでした（シリアル番号が読めません）。/ No product with a readable serial number was found.');
    if (inv.warnings.some((w) => /root|sudo/.test(w))) p.say('  sudo で実行するとシリアル番号を読めることがあります。/ Running with sudo may let the agent read the serial numbers.');
    return null;
  }
  return { inv, candidates };
}

export const STATUS_TEXT: Record<string, string> = {
  already_registered: '登録済み / already registered',
  unknown: 'メーカーの出荷記録にありません / not in the maker’s shipping list',
  invalid: 'シリアル番号が正しくありません / not a valid serial number',
};

/** A checkbox list by number; the default is everything the server says can be registered. */
async function selectProducts(ctx: Ctx, candidates: Candidate[], collate: CollateResult[]): Promise<Candidate[]> {
  const p = ctx.prompter;
  const statusOf = new Map(collate.map((r) => [canonicalSerial(r.serial), r]));
  const blocked = (c: Candidate) => {
    const s = statusOf.get(canonicalSerial(c.product.serial));
    return s && s.status !== 'available' ? (STATUS_TEXT[s.status] ?? s.message) : null;
  };
  if (candidates.every(blocked)) {
    p.say('');
    p.say('登録できる製品がありません / There is nothing left to register:');
    for (const c of candidates) p.say(`  - ${c.label} (${c.product.serial}): ${blocked(c)}`);
    return [];
  }
  const choices = candidates.map((c) => ({ text: `${c.label}  ${c.product.category}  S/N ${c.product.serial}`, blocked: blocked(c) }));
  const picked = await chooseSeveral(p, '登録する製品 / Products to register:', choices, choices.keys());
  return picked.map((i) => candidates[i]!);
}

async function chooseProducts(ctx: Ctx): Promise<ProductInput[] | null> {
  const found = await inventoryAndCandidates(ctx);
  if (!found) return null;
  const collate = await ctx.client.collate(found.candidates.map((c) => c.product));
  const selected = await selectProducts(ctx, found.candidates, collate);
  return selected.length ? productsFor(selected) : null;
}

// ---- personal info -------------------------------------------------------------------------------

async function askField(p: Prompter, field: FormField, current: string | undefined, problem?: string): Promise<string> {
  if (problem) p.say(`  ✗ ${labelOf(field)}: ${problem}`);
  for (;;) {
    const answer = await p.ask(`${labelOf(field)}${field.required ? ' *' : ''}`, current ? { default: current } : {});
    if (answer === '-' && current) {
      if (field.required) {
        p.say('  ✗ この項目は消せません / This one cannot be left empty');
        continue;
      }
      return '';
    }
    const check = checkField(field, answer);
    if (check.ok) return check.value;
    p.say(`  ✗ ${check.message}`);
  }
}

async function askPersonal(ctx: Ctx, form: RegistrationForm, defaults: Record<string, string>): Promise<Record<string, string>> {
  const p = ctx.prompter;
  p.say('');
  p.say('お客様情報 / Your details  (* 必須 / required;  Enter で [ ] の値、- で消去 / Enter keeps [value], - clears it)');
  const customer: Record<string, string> = {};
  for (const field of form.fields) {
    const value = await askField(p, field, defaults[field.name]);
    if (value) customer[field.name] = value;
  }
  return customer;
}

async function askNewPassword(p: Prompter, minLength: number): Promise<string> {
  for (;;) {
    const first = await p.secret(`パスワード（${minLength}文字以上）/ Password (at least ${minLength} characters)`);
    if ([...first].length < minLength) {
      p.say(`  ✗ ${minLength}文字以上にしてください / Use at least ${minLength} characters`);
      continue;
    }
    const again = await p.secret('もう一度入力してください / Type it again');
    if (first === again) return first;
    p.say('  ✗ 2回の入力が一致しません / The two did not match; please try again');
  }
}

// ---- sending ------------------------------------------------------------------------------------

function summary(request: PendingRequest, form: RegistrationForm | undefined): string {
  const lines = ['', '登録内容 / To be registered:', '  製品 / Products:'];
  for (const x of request.products) lines.push(`    - ${x.maker} ${x.model}  ${x.category}  S/N ${x.serial}${x.parentSerial ? '  (このPCに接続 / on this PC)' : ''}`);
  if (request.kind === 'new') {
    (form?.fields ?? []).forEach((f, i) => lines.push(`  ${i + 1}. ${labelOf(f)}: ${request.customer[f.name] ?? ''}`));
    lines.push(`  メールでのお知らせ / E-mail news: ${request.emailConsent ? 'はい / yes' : 'いいえ / no'}`);
  } else lines.push(`  登録番号 / Registration number: ${request.registrationNo}`);
  return lines.join('\n');
}

function showRegistered(p: Prompter, result: RegistrationResult): void {
  p.say('');
  p.say('登録が完了しました / Registration complete');
  const big = bigText(result.registrationNoFormatted);
  const columns = process.stdout.columns ?? 80;
  if (big && columns >= 80) {
    p.say('');
    for (const line of big) p.say(`  ${line}`);
  }
  p.say('');
  p.say(
    box([
      `登録番号 / Registration number:  ${result.registrationNoFormatted}`,
      `お客様番号 / Customer number:    ${result.customerNumber}`,
    ]),
  );
  p.say(`Registration number: ${result.registrationNoFormatted}`);
  p.say('登録した製品 / Registered products:');
  for (const x of result.products) p.say(`  - ${x.maker} ${x.model}  S/N ${x.serial}`);
  p.say('この番号とパスワードで、製品の追加や登録情報の変更ができます。控えておいてください。');
  p.say('Keep this number: with your password it lets you add products and change your details.');
}

export async function waitOut(ctx: Ctx, seconds: number): Promise<boolean> {
  const p = ctx.prompter;
  p.say(`  試行回数が多すぎます。${seconds} 秒後にもう一度送れます。/ Too many attempts: you can try again in ${seconds} s.`);
  if (!(await confirm(p, '待ってからもう一度送りますか？ / Wait and try again?', true))) return false;
  await (ctx.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))))(seconds * 1000);
  return true;
}

function explainTransport(ctx: Ctx, err: TransportError): void {
  const p = ctx.prompter;
  p.say('');
  p.say(`  ✗ サーバーに接続できません / Cannot reach the server: ${err.message}`);
  p.say(`  入力内容はこのPCに保存しました（パスワードを除く）/ Your answers are kept on this PC (not the password): ${ctx.paths.pendingFile}`);
}

export type Sent = { kind: 'registered'; result: RegistrationResult } | { kind: 'stopped'; code: 2 } | { kind: 'refused'; error: ApiError };

/**
 * Sends once through `submitRegistration` (answers kept without the password, Idempotency-Key)
 * and shows the registration number. A network failure is explained and may be retried at once
 * with the key the lost attempt carried; a refusal is returned for the caller to handle.
 */
export async function sendRegistration(ctx: Ctx, request: PendingRequest, password: string, resumeKey?: string): Promise<Sent> {
  const p = ctx.prompter;
  let key = resumeKey;
  for (;;) {
    p.say('送信しています… / Sending…');
    try {
      const result = await submitRegistration(ctx.submit, request, password, key);
      showRegistered(p, result);
      return { kind: 'registered', result };
    } catch (err) {
      if (err instanceof ApiError) return { kind: 'refused', error: err };
      if (!(err instanceof TransportError)) throw err;
      explainTransport(ctx, err);
      if (!(await confirm(p, 'もう一度送信しますか？ / Try again now?', true))) {
        p.say('次回このエージェントを起動すると、続きから登録できます。/ Start the agent again later to finish.');
        return { kind: 'stopped', code: 2 };
      }
      // The same attempt: the key the lost request carried, from the pending file.
      key = (await loadPending(ctx.paths).catch(() => null))?.idempotencyKey ?? key;
    }
  }
}

/**
 * Sends, and turns each refusal into a question the customer can answer: leave out a product
 * that is taken or unknown, retype a field the server rejects, wait out a rate limit, or try
 * again after a network failure with the same Idempotency-Key.
 */
async function sendLoop(ctx: Ctx, request: PendingRequest, password: string, resumeKey?: string): Promise<DialogueOutcome> {
  const p = ctx.prompter;
  let key = resumeKey;
  let confirmed = false;
  let loginFailures = 0;
  for (;;) {
    if (!confirmed) {
      p.say(summary(request, ctx.form));
      if (!(await confirm(p, 'この内容で登録しますか？ / Register these?', true))) {
        const edited = await editBeforeSending(ctx, request, password);
        if (!edited) {
          p.say('登録を中止しました。/ Registration cancelled.');
          return { kind: 'stopped', code: 1 };
        }
        ({ request, password } = edited);
        continue;
      }
      confirmed = true;
    }
    const sent = await sendRegistration(ctx, request, password, key);
    if (sent.kind !== 'refused') return sent;
    key = undefined;
    if (sent.error.code === 'invalid_credentials') loginFailures++;
    const next = await correct(ctx, sent.error, request, password, loginFailures);
    if (!next) return { kind: 'stopped', code: 1 };
    ({ request, password } = next);
    confirmed = next.confirmed;
  }
}

async function correct(
  ctx: Ctx,
  err: ApiError,
  request: PendingRequest,
  password: string,
  loginFailures: number,
): Promise<{ request: PendingRequest; password: string; confirmed: boolean } | null> {
  const p = ctx.prompter;
  p.say('');
  switch (err.code) {
    case 'serial_already_registered':
    case 'serial_unknown': {
      const serials = err.serials.length ? err.serials : request.products.map((x) => x.serial);
      p.say(
        err.code === 'serial_already_registered'
          ? '  ✗ 次の製品はすでに登録されています / These products are already registered:'
          : '  ✗ 次の製品はメーカーの出荷記録にありません / The maker has no record of shipping these:',
      );
      for (const s of serials) {
        const x = request.products.find((y) => canonicalSerial(y.serial) === canonicalSerial(s));
        p.say(`    - ${x ? `${x.maker} ${x.model} ` : ''}S/N ${s}`);
      }
      const rest = withoutSerials(request.products, serials);
      if (!rest.length) {
        p.say('  登録できる製品が残っていません / No product is left to register.');
        return null;
      }
      if (!(await confirm(p, 'これらを外して登録を続けますか？ / Leave them out and continue?', true))) return null;
      return { request: { ...request, products: rest }, password, confirmed: false };
    }
    case 'invalid_input': {
      p.say(`  ✗ 入力内容を確認してください / Please check: ${err.message}`);
      const form = await getForm(ctx);
      let next = request;
      let nextPassword = password;
      const dropSerials: string[] = [];
      for (const problem of err.fields) {
        const name = personalFieldOf(problem.field, form.fields);
        const field = form.fields.find((f) => f.name === name);
        if (field && next.kind === 'new') {
          const value = await askField(p, field, next.customer[field.name], problem.message);
          const customer = { ...next.customer };
          if (value) customer[field.name] = value;
          else delete customer[field.name];
          next = { ...next, customer };
        } else if (problem.field === 'password' || problem.field.endsWith('.password')) {
          p.say(`  ✗ パスワード / Password: ${problem.message}`);
          nextPassword = next.kind === 'new' ? await askNewPassword(p, form.password.minLength) : await p.secret('パスワード / Password');
        } else if (/^products\.(\d+)/.test(problem.field)) {
          const x = next.products[Number(/^products\.(\d+)/.exec(problem.field)![1])];
          if (x) {
            p.say(`  ✗ ${x.maker} ${x.model} (S/N ${x.serial}): ${problem.message}`);
            dropSerials.push(x.serial);
          }
        } else p.say(`  ✗ ${problem.field}: ${problem.message}`);
      }
      if (dropSerials.length) {
        const rest = withoutSerials(next.products, dropSerials);
        if (!rest.length || !(await confirm(p, 'これらの製品を外して続けますか？ / Leave these products out and continue?', true))) return null;
        next = { ...next, products: rest };
      }
      return { request: next, password: nextPassword, confirmed: false };
    }
    case 'invalid_credentials': {
      p.say('  ✗ 登録番号かパスワードが違います / Wrong registration number or password');
      if (loginFailures >= 3 || request.kind !== 'existing') return null;
      const registrationNo = await askRegistrationNo(p, request.registrationNo);
      return { request: { ...request, registrationNo }, password: await p.secret('パスワード / Password'), confirmed: true };
    }
    case 'rate_limited':
      return (await waitOut(ctx, err.retryAfterSeconds ?? 60)) ? { request, password, confirmed: true } : null;
    default:
      p.say(`  ✗ サーバーが登録を受け付けませんでした / The server refused: ${err.message} (${err.code})`);
      return (await confirm(p, 'もう一度送信しますか？ / Try again?', false)) ? { request, password, confirmed: true } : null;
  }
}

async function editBeforeSending(ctx: Ctx, request: PendingRequest, password: string): Promise<{ request: PendingRequest; password: string } | null> {
  const p = ctx.prompter;
  const form = await getForm(ctx);
  const answer = (
    await p.ask(
      request.kind === 'new'
        ? '直す項目の番号、p=パスワード、Enter=中止 / Number of the item to change, p = password, Enter = cancel'
        : 'r=登録番号、p=パスワード、Enter=中止 / r = registration number, p = password, Enter = cancel',
    )
  )
    .normalize('NFKC')
    .toLowerCase();
  if (!answer) return null;
  if (answer === 'p') return { request, password: request.kind === 'new' ? await askNewPassword(p, form.password.minLength) : await p.secret('パスワード / Password') };
  if (request.kind === 'existing') {
    if (answer === 'r') return { request: { ...request, registrationNo: await askRegistrationNo(p, request.registrationNo) }, password };
    return { request, password };
  }
  const field = form.fields[Number(answer) - 1];
  if (!field) return { request, password };
  const value = await askField(p, field, request.customer[field.name]);
  const customer = { ...request.customer };
  if (value) customer[field.name] = value;
  else delete customer[field.name];
  return { request: { ...request, customer }, password };
}

async function askRegistrationNo(p: Prompter, current?: string): Promise<string> {
  for (;;) {
    const answer = await p.ask('登録番号 / Registration number (1234-5678-90)', current ? { default: current } : {});
    const digits = registrationNoOf(answer);
    if (digits) return digits;
    p.say('  ✗ 登録番号は10桁の数字です / A registration number has 10 digits');
  }
}

// ---- the three flows ------------------------------------------------------------------------------

async function newRegistration(ctx: Ctx, defaults: Record<string, string>): Promise<DialogueOutcome> {
  const p = ctx.prompter;
  const form = await getForm(ctx);
  const products = await chooseProducts(ctx);
  if (!products) return { kind: 'stopped', code: 1 };
  const customer = await askPersonal(ctx, form, defaults);
  const emailConsent = await confirm(p, `${form.consent.email.ja} / ${form.consent.email.en}`, false);
  const password = await askNewPassword(p, form.password.minLength);
  return sendLoop(ctx, { kind: 'new', customer, emailConsent, products }, password);
}

async function addProducts(ctx: Ctx): Promise<DialogueOutcome> {
  const p = ctx.prompter;
  const products = await chooseProducts(ctx);
  if (!products) return { kind: 'stopped', code: 1 };
  p.say('');
  const registrationNo = await askRegistrationNo(p);
  const password = await p.secret('パスワード / Password');
  return sendLoop(ctx, { kind: 'existing', registrationNo, products }, password);
}

export async function resume(ctx: Ctx, pending: PendingRegistration): Promise<DialogueOutcome> {
  const p = ctx.prompter;
  const form = await getForm(ctx);
  if (pending.server !== ctx.client.baseUrl) p.say(`  (保存時のサーバー / saved for ${pending.server}; 送信先 / sending to ${ctx.client.baseUrl})`);
  p.say('パスワードは保存していません。もう一度入力してください。/ The password was not saved: please type it again.');
  const password =
    pending.request.kind === 'new' ? await askNewPassword(p, form.password.minLength) : await p.secret('パスワード / Password');
  return sendLoop(ctx, pending.request, password, pending.idempotencyKey);
}

async function login(ctx: Ctx, serial: string): Promise<Customer | null> {
  const p = ctx.prompter;
  for (let tries = 0; tries < 3; tries++) {
    const password = await p.secret('パスワード / Password');
    try {
      return await ctx.client.serialLogin(serial, password);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (err.code === 'rate_limited') {
        p.say(`  ✗ 試行回数が多すぎます。${err.retryAfterSeconds ?? 60} 秒後にお試しください。/ Too many attempts: try again in ${err.retryAfterSeconds ?? 60} s.`);
        return null;
      }
      if (err.code !== 'invalid_credentials') throw err;
      p.say('  ✗ パスワードが違うか、この製品は登録されていません / Wrong password, or this product is not registered');
    }
  }
  return null;
}

function personalTable(form: RegistrationForm, customer: Customer): string {
  return table(
    ['項目 / Field', '登録内容 / Registered'],
    form.fields.map((f) => [labelOf(f), customer.personal[f.name] ?? '']),
    60,
  );
}

async function updateInfo(ctx: Ctx): Promise<DialogueOutcome> {
  const p = ctx.prompter;
  const form = await getForm(ctx);
  const found = await inventoryAndCandidates(ctx);
  if (!found) return { kind: 'stopped', code: 1 };
  let product = found.candidates.find((c) => c.isMachine) ?? found.candidates[0]!;
  if (!product.isMachine && found.candidates.length > 1) {
    found.candidates.forEach((c, i) => p.say(`  ${i + 1}. ${c.label}  S/N ${c.product.serial}`));
    const n = Number((await p.ask('登録済みの製品を選んでください / Which registered product identifies you?', { default: '1' })).normalize('NFKC'));
    product = found.candidates[n - 1] ?? product;
  }
  p.say(`本人確認に ${product.label} (S/N ${product.product.serial}) を使います / Identifying you by ${product.label}`);
  const serial = product.product.serial;
  const customer = await login(ctx, serial);
  if (!customer) return { kind: 'stopped', code: 1 };

  p.say('');
  p.say(`現在の登録内容 / Registered now (登録番号 / registration number ${customer.registrationNoFormatted}):`);
  p.say(personalTable(form, customer));
  const products = await ctx.client.myProducts().catch(() => []);
  if (products.length) {
    p.say('登録済みの製品 / Registered products:');
    for (const x of products) p.say(`  - ${x.maker} ${x.model}  S/N ${x.serial}`);
  }
  p.say('');
  p.say('変更する項目だけ入力してください（Enter で変更なし、- で消去）/ Type only what changes (Enter keeps, - clears)');
  const changes: Record<string, string | null> = {};
  for (const field of form.fields) {
    const current = customer.personal[field.name] ?? '';
    const answer = await askField(p, field, current || undefined);
    if (answer !== current) changes[field.name] = answer === '' ? null : answer;
  }
  if (!Object.keys(changes).length) {
    p.say('変更はありません / Nothing changed.');
    return { kind: 'updated', customer, changed: [] };
  }
  return sendChanges(ctx, form, customer, serial, changes);
}

/** Changes kept by an earlier run: the password opens a session again, and what still differs is sent. */
async function resumeUpdate(ctx: Ctx, pending: PendingUpdate): Promise<DialogueOutcome> {
  const p = ctx.prompter;
  const form = await getForm(ctx);
  if (pending.server !== ctx.client.baseUrl) p.say(`  (保存時のサーバー / saved for ${pending.server}; 送信先 / sending to ${ctx.client.baseUrl})`);
  p.say('パスワードは保存していません。もう一度入力してください。/ The password was not saved: please type it again.');
  p.say(`本人確認に S/N ${pending.serial} を使います / Identifying you by S/N ${pending.serial}`);
  const customer = await login(ctx, pending.serial);
  if (!customer) return { kind: 'stopped', code: 1 };
  // The earlier attempt may have reached the server before its answer was lost: send only what still differs.
  const changes = Object.fromEntries(Object.entries(pending.changes).filter(([name, value]) => (customer.personal[name] ?? null) !== value));
  if (!Object.keys(changes).length) {
    p.say('これらの変更はすでに保存されています / These changes were saved already.');
    await forgetChanges(ctx);
    return { kind: 'updated', customer, changed: [] };
  }
  return sendChanges(ctx, form, customer, pending.serial, changes, true);
}

async function forgetChanges(ctx: Ctx): Promise<void> {
  await clearPendingUpdate(ctx.paths).catch((err: Error) => ctx.submit.warn(`Could not remove ${ctx.paths.pendingUpdateFile}: ${err.message}`));
}

/**
 * Sends the changes (`PATCH /api/me`) on the session `serialLogin` opened. They are on disk
 * (without the password) before each attempt and removed once the server has saved them, so a
 * network failure leaves them for the next run to offer again.
 */
async function sendChanges(
  ctx: Ctx,
  form: RegistrationForm,
  customer: Customer,
  serial: string,
  changes: Record<string, string | null>,
  resumed = false,
): Promise<DialogueOutcome> {
  const p = ctx.prompter;
  const label = (name: string) => {
    const f = form.fields.find((x) => x.name === name);
    return f ? labelOf(f) : name;
  };
  let confirmed = false;
  // Whether the pending file holds these changes (and so must go once they are moot).
  let kept = resumed;
  for (;;) {
    const names = Object.keys(changes);
    if (!names.length) {
      p.say('変更はありません / Nothing changed.');
      if (kept) await forgetChanges(ctx);
      return { kind: 'updated', customer, changed: [] };
    }
    if (!confirmed) {
      p.say('');
      p.say('変更内容 / Changes:');
      for (const name of names) p.say(`  ${label(name)}: ${customer.personal[name] ?? '(なし / none)'} → ${changes[name] ?? '(なし / none)'}`);
      if (!(await confirm(p, 'この内容で保存しますか？ / Save these changes?', true))) {
        p.say('変更を保存しませんでした / Nothing was saved.');
        return { kind: 'stopped', code: 1 };
      }
      confirmed = true;
    }
    try {
      await savePendingUpdate(ctx.paths, { server: ctx.client.baseUrl, serial, changes });
      kept = true;
    } catch (err) {
      ctx.submit.warn(`Could not keep your changes in ${ctx.paths.pendingUpdateFile} (${(err as Error).message}); sending anyway.`);
    }
    try {
      const saved = await ctx.client.updateMe(changes);
      await forgetChanges(ctx);
      p.say('');
      p.say('保存しました / Saved:');
      for (const name of names) p.say(`  ${label(name)}: ${saved.personal?.[name] ?? '(なし / none)'}`);
      return { kind: 'updated', customer: saved, changed: names };
    } catch (err) {
      if (err instanceof TransportError) {
        p.say('');
        p.say(`  ✗ サーバーに接続できません / Cannot reach the server: ${err.message}`);
        p.say(`  変更内容はこのPCに保存しました（パスワードを除く）/ Your changes are kept on this PC (not the password): ${ctx.paths.pendingUpdateFile}`);
        if (await confirm(p, 'もう一度送信しますか？ / Try again now?', true)) continue;
        p.say('次回このエージェントを起動すると、続きから送信できます。/ Start the agent again later to send them.');
        return { kind: 'stopped', code: 2 };
      }
      if (!(err instanceof ApiError) || err.code !== 'invalid_input') throw err;
      p.say(`  ✗ 入力内容を確認してください / Please check: ${err.message}`);
      for (const problem of err.fields) {
        const field = form.fields.find((f) => f.name === personalFieldOf(problem.field, form.fields));
        if (!field) continue;
        const current = customer.personal[field.name] ?? '';
        const answer = await askField(p, field, changes[field.name] ?? (current || undefined), problem.message);
        if (answer === current) delete changes[field.name];
        else changes[field.name] = answer === '' ? null : answer;
      }
      confirmed = false;
    }
  }
}

import { canonicalSerial, productsFor, type ProductInput } from './inventory.js';
import {
  describePending,
  dialogueContext,
  inventoryAndCandidates,
  resume,
  sayTitle,
  sendRegistration,
  STATUS_TEXT,
  waitOut,
  type DialogueContext,
  type DialogueDeps,
  type DialogueOutcome,
} from './interactive.js';
import { loadPending, type PendingRequest } from './pending-store.js';
import { TransportError, type ApiError, type DialogueAnswers, type DialogueProduct, type DialogueQuestion, type DialogueStep } from './server-client.js';
import { chooseSeveral, confirm, type Prompter } from './terminal.js';

/**
 * The registration dialogue led by the server (R-7, `register --server-led`): the agent sends
 * what it found and every answer so far to POST /api/registration/dialogue, and asks whatever
 * the server asks next — again, with the reason, when an answer was not accepted — until the
 * server hands back the finished request. The answers live here, in memory, and are sent again
 * on every call; the request is then sent the way the agent's own dialogue sends it.
 */
export async function runServerLed(deps: DialogueDeps): Promise<DialogueOutcome> {
  const p = deps.prompter;
  const ctx = dialogueContext(deps);
  sayTitle(p, 'Clientele 製品登録（サーバーが質問します）/ Product registration (the server asks)');

  // A registration whose answer was lost is resent as it was, under its key: asking the server
  // again would find its products registered (by that very attempt) and refuse them.
  const pending = await loadPending(deps.paths).catch(() => null);
  if (pending) {
    p.say('前回の登録が完了していません。/ An earlier registration was not finished:');
    p.say(describePending(pending));
    if (await confirm(p, '続きから登録しますか？ / Resume it?', true)) return resume(ctx, pending);
  }

  const found = await inventoryAndCandidates(ctx);
  if (!found) return { kind: 'stopped', code: 1 };
  const products = productsFor(found.candidates);
  const dialogue = new Answers();
  // The request last refused, so that the same one is not sent again without the customer saying so.
  let refused: { request: string; error: ApiError } | undefined;
  for (;;) {
    const step = await nextStep(ctx, products, dialogue.answers);
    if (!step) return { kind: 'stopped', code: 2 };
    if (step.step === 'refused') {
      p.say('');
      p.say(`  ✗ 登録できる製品がありません / Nothing can be registered: ${step.error.message}`);
      return { kind: 'stopped', code: 1 };
    }
    if (step.step === 'ask') {
      await ask(p, step, dialogue);
      continue;
    }

    const { password, ...rest } = step.request;
    const request: PendingRequest = { kind: 'new', customer: rest.customer, emailConsent: rest.emailConsent, products: rest.products.map(withoutNullParent) };
    p.say(dialogue.summary(request));
    if (!(await confirm(p, 'この内容で登録しますか？ / Register these?', true))) {
      if (!(await dialogue.forgetOne(p))) {
        p.say('登録を中止しました。/ Registration cancelled.');
        return { kind: 'stopped', code: 1 };
      }
      continue;
    }
    if (refused?.request === JSON.stringify(step.request)) {
      p.say(`  サーバーは同じ内容を受け付けませんでした / The server refused these answers: ${refused.error.message} (${refused.error.code})`);
      if (!(await confirm(p, 'もう一度送信しますか？ / Try again?', false))) return { kind: 'stopped', code: 1 };
    }
    for (;;) {
      const sent = await sendRegistration(ctx, request, password);
      if (sent.kind !== 'refused') return sent;
      refused = { request: JSON.stringify(step.request), error: sent.error };
      const next = await afterRefusal(ctx, sent.error, dialogue);
      if (next === 'stop') return { kind: 'stopped', code: 1 };
      if (next === 'dialogue') break;
    }
  }
}

/** The next step; a network failure is explained and may be retried, the answers staying as they are. */
async function nextStep(ctx: DialogueContext, products: ProductInput[], answers: DialogueAnswers): Promise<DialogueStep | null> {
  const p = ctx.prompter;
  for (;;) {
    try {
      return await ctx.client.dialogue(products, answers);
    } catch (err) {
      if (!(err instanceof TransportError)) throw err;
      p.say('');
      p.say(`  ✗ サーバーに接続できません / Cannot reach the server: ${err.message}`);
      p.say('  ここまでの回答はそのまま残っています / Your answers so far are kept');
      if (await confirm(p, 'もう一度試しますか？ / Try again now?', true)) continue;
      p.say('何も送信していません。/ Nothing was registered.');
      return null;
    }
  }
}

/**
 * What the registration refused goes back to the server's dialogue, which asks again what needs
 * changing: a product taken meanwhile is collated again and offered no more, a field is asked
 * again. A rate limit is waited out; anything else may be sent again as it is.
 */
async function afterRefusal(ctx: DialogueContext, err: ApiError, dialogue: Answers): Promise<'dialogue' | 'resend' | 'stop'> {
  const p = ctx.prompter;
  p.say('');
  switch (err.code) {
    case 'serial_already_registered':
    case 'serial_unknown':
      p.say(
        err.code === 'serial_already_registered'
          ? '  ✗ 次の製品はすでに登録されています / These products are already registered:'
          : '  ✗ 次の製品はメーカーの出荷記録にありません / The maker has no record of shipping these:',
      );
      for (const s of err.serials) p.say(`    - S/N ${s}`);
      p.say('  登録できる製品をサーバーに確かめます / Asking the server again what can be registered');
      return 'dialogue';
    case 'invalid_input': {
      p.say(`  ✗ 入力内容を確認してください / Please check: ${err.message}`);
      let forgot = false;
      for (const problem of err.fields) {
        p.say(`  ✗ ${dialogue.labelOf(problem.field)}: ${problem.message}`);
        forgot = dialogue.forget(problem.field) || forgot;
      }
      if (forgot) return 'dialogue';
      return (await confirm(p, 'もう一度送信しますか？ / Try again?', false)) ? 'resend' : 'stop';
    }
    case 'rate_limited':
      return (await waitOut(ctx, err.retryAfterSeconds ?? 60)) ? 'resend' : 'stop';
    default:
      p.say(`  ✗ サーバーが登録を受け付けませんでした / The server refused: ${err.message} (${err.code})`);
      return (await confirm(p, 'もう一度送信しますか？ / Try again?', false)) ? 'resend' : 'stop';
  }
}

function withoutNullParent(product: DialogueProduct): ProductInput {
  const { parentSerial, ...rest } = product;
  return parentSerial ? { ...rest, parentSerial } : rest;
}

const labelText = (q: Pick<DialogueQuestion, 'label'>) => `${q.label.ja} / ${q.label.en}`;

/** Asks one question and files the answer under its key. */
async function ask(p: Prompter, step: Extract<DialogueStep, { step: 'ask' }>, dialogue: Answers): Promise<void> {
  const q = step.question;
  dialogue.asked(q);
  const progress = step.total ? `(${Math.min(step.answered + 1, step.total)}/${step.total}) ` : '';
  // `*` marks a required field to type, as in the agent's own dialogue; a choice is always answered.
  const textual = q.type !== 'choose' && q.type !== 'yesno' && q.type !== 'password';
  const label = `${progress}${labelText(q)}${textual && q.required ? ' *' : ''}`;
  p.say('');
  if (q.problem) p.say(`  ✗ ${labelText(q)}: ${q.problem}`);
  // An answer taken back to be changed is the default; else what the server says was answered.
  const previous = dialogue.remembered(q.key) ?? q.value;

  if (q.type === 'choose') {
    const options = q.options ?? [];
    const choices = options.map((o) => ({
      text: o.selectable ? `${o.label}${o.message ? `  (${o.message})` : ''}` : o.label,
      blocked: o.selectable ? null : `${STATUS_TEXT[o.status] ?? o.status}: ${o.message}`,
    }));
    const wanted = Array.isArray(previous) ? new Set(previous.map(canonicalSerial)) : null;
    const ticked = options.flatMap((o, i) => (!wanted || wanted.has(canonicalSerial(o.value)) ? [i] : []));
    const picked = await chooseSeveral(p, label, choices, ticked);
    dialogue.put(q.key, picked.map((i) => options[i]!.value));
    return;
  }
  if (q.type === 'yesno') {
    dialogue.put(q.key, await confirm(p, label, previous === true));
    return;
  }
  if (q.type === 'password') {
    dialogue.put(q.key, await askPassword(p, label, q));
    return;
  }
  const current = typeof previous === 'string' && previous ? previous : undefined;
  for (;;) {
    let answer = await p.ask(label, current ? { default: current } : {});
    // `-` clears a value offered as the default (Enter keeps it).
    if (answer === '-' && current) answer = '';
    const problem = lengthProblem(answer, q);
    if (!problem) {
      dialogue.put(q.key, answer);
      return;
    }
    p.say(`  ✗ ${problem}`);
  }
}

/** The lengths the question gives are checked here, to spare a round trip; the rest is the server's. */
function lengthProblem(answer: string, q: DialogueQuestion): string | null {
  const length = [...answer].length;
  if (q.minLength && length < q.minLength) return `${q.minLength}文字以上にしてください / Use at least ${q.minLength} characters`;
  if (q.maxLength && length > q.maxLength) return `${q.maxLength}文字以内で入力してください / At most ${q.maxLength} characters`;
  return null;
}

/** Typed twice without echo: a typing mistake in a password nobody can see is caught here. */
async function askPassword(p: Prompter, label: string, q: DialogueQuestion): Promise<string> {
  for (;;) {
    const first = await p.secret(label);
    const problem = lengthProblem(first, q);
    if (problem) {
      p.say(`  ✗ ${problem}`);
      continue;
    }
    if (first === (await p.secret('もう一度入力してください / Type it again'))) return first;
    p.say('  ✗ 2回の入力が一致しません / The two did not match; please try again');
  }
}

/**
 * The answers so far, by the server's keys (`products`, `customer.<field>`, `emailConsent`,
 * `password`), with the labels the server gave them. An answer taken back to be changed is
 * remembered (never the password), so the question asked again offers it as the default.
 */
class Answers {
  readonly answers: DialogueAnswers = {};
  private readonly labels = new Map<string, string>();
  private readonly previous = new Map<string, string | boolean | string[]>();

  asked(q: DialogueQuestion): void {
    this.labels.set(q.key, labelText(q));
  }

  labelOf(key: string): string {
    return this.labels.get(keyOf(key) ?? key) ?? key;
  }

  remembered(key: string): string | boolean | string[] | undefined {
    return this.previous.get(key);
  }

  put(key: string, value: string | boolean | string[]): void {
    const a = this.answers;
    this.previous.delete(key);
    if (key === 'products' && Array.isArray(value)) a.products = value;
    else if (key === 'emailConsent' && typeof value === 'boolean') a.emailConsent = value;
    else if (key === 'password' && typeof value === 'string') a.password = value;
    else if (key.startsWith('customer.') && typeof value === 'string') a.customer = { ...a.customer, [key.slice('customer.'.length)]: value };
  }

  /** Takes an answer back so the server asks for it again; false when there was none (or no such key). */
  forget(field: string): boolean {
    const key = keyOf(field);
    const a = this.answers;
    if (key === 'products' && a.products) {
      this.previous.set(key, a.products);
      delete a.products;
    } else if (key === 'emailConsent' && a.emailConsent !== undefined) {
      this.previous.set(key, a.emailConsent);
      delete a.emailConsent;
    } else if (key === 'password' && a.password !== undefined) delete a.password;
    else if (key?.startsWith('customer.') && a.customer?.[key.slice(9)] !== undefined) {
      const { [key.slice(9)]: value, ...rest } = a.customer;
      this.previous.set(key, value!);
      a.customer = rest;
    } else return false;
    return true;
  }

  /** What the server's request will register, numbered as the customer can change it. */
  summary(request: PendingRequest): string {
    const lines = ['', '登録内容 / To be registered:'];
    this.items().forEach(({ key, label }, i) => {
      if (key === 'products') {
        lines.push(`  ${i + 1}. ${label}:`);
        for (const x of request.products) lines.push(`       - ${x.maker} ${x.model}  ${x.category}  S/N ${x.serial}${x.parentSerial ? '  (このPCに接続 / on this PC)' : ''}`);
      } else if (key === 'emailConsent') lines.push(`  ${i + 1}. ${label}: ${this.answers.emailConsent ? 'はい / yes' : 'いいえ / no'}`);
      else lines.push(`  ${i + 1}. ${label}: ${this.answers.customer?.[key.slice(9)] ?? ''}`);
    });
    return lines.join('\n');
  }

  /** Asks which answer to change and takes it back; false when the customer would rather stop. */
  async forgetOne(p: Prompter): Promise<boolean> {
    const items = this.items();
    for (;;) {
      const answer = (await p.ask('直す項目の番号、p=パスワード、Enter=中止 / Number of the item to change, p = password, Enter = cancel'))
        .normalize('NFKC')
        .trim()
        .toLowerCase();
      if (!answer) return false;
      const key = answer === 'p' ? 'password' : items[Number(answer) - 1]?.key;
      if (key && /^\d+$|^p$/.test(answer) && this.forget(key)) return true;
      p.say(`  "${answer}" はリストにありません / "${answer}" is not in the list`);
    }
  }

  private items(): { key: string; label: string }[] {
    return [...this.labels].filter(([key]) => key !== 'password').map(([key, label]) => ({ key, label }));
  }
}

/** A field as the server names it in a refusal (`customer.email`, `/customer/email`, `password`) → the dialogue's key. */
function keyOf(field: string): string | null {
  const path = field.replace(/^\//, '').replace(/\//g, '.');
  if (path === 'password' || path === 'emailConsent') return path;
  if (path === 'products' || path.startsWith('products.')) return 'products';
  return path.startsWith('customer.') ? path : null;
}

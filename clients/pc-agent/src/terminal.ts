import { createInterface, type Interface } from 'node:readline/promises';
import { Writable } from 'node:stream';

/** The customer pressed Ctrl-C or closed the input. */
export class CancelledError extends Error {
  constructor() {
    super('Cancelled');
    this.name = 'CancelledError';
  }
}

/** What the dialogue needs from a terminal; tests give it a scripted one. */
export interface Prompter {
  say(text?: string): void;
  /** One line; an empty answer gives the default when there is one. */
  ask(question: string, opts?: { default?: string }): Promise<string>;
  /** One line without echo (passwords). */
  secret(question: string): Promise<string>;
  close(): void;
}

/** Yes/no with a default; accepts y/yes/はい and n/no/いいえ. */
export async function confirm(p: Prompter, question: string, defaultYes: boolean): Promise<boolean> {
  for (;;) {
    const answer = (await p.ask(`${question} ${defaultYes ? '[Y/n]' : '[y/N]'}`)).trim().toLowerCase();
    if (!answer) return defaultYes;
    if (['y', 'yes', 'はい', 'ｙ'].includes(answer)) return true;
    if (['n', 'no', 'いいえ', 'ｎ'].includes(answer)) return false;
    p.say('  y か n で答えてください / Please answer y or n');
  }
}

/** One line of a checkbox list; `blocked` says why it cannot be ticked. */
export interface Choice {
  text: string;
  blocked: string | null;
}

/**
 * A checkbox list by number: numbers toggle (`2 3`), `a` ticks all that can be ticked, `n`
 * none, Enter accepts. Lines that are blocked are shown, with why, and never ticked.
 * Returns the indexes ticked, never none.
 */
export async function chooseSeveral(p: Prompter, title: string, choices: Choice[], ticked: Iterable<number>): Promise<number[]> {
  const chosen = new Set([...ticked].filter((i) => choices[i] && !choices[i].blocked));
  for (;;) {
    p.say('');
    p.say(title);
    choices.forEach((c, i) => {
      const mark = c.blocked ? '[-]' : chosen.has(i) ? '[x]' : '[ ]';
      p.say(`  ${mark} ${i + 1}. ${c.text}${c.blocked ? `  — ${c.blocked}` : ''}`);
    });
    const answer = (
      await p.ask('番号で選択を切り替え（例: 2 3）、a=すべて、n=なし、Enter で決定 / Numbers toggle (e.g. "2 3"), a = all, n = none, Enter = continue')
    )
      .normalize('NFKC')
      .trim()
      .toLowerCase();
    if (!answer) {
      if (chosen.size) return [...chosen].sort((a, b) => a - b);
      p.say('  1つ以上選んでください / Choose at least one product');
      continue;
    }
    if (answer === 'a') {
      choices.forEach((c, i) => {
        if (!c.blocked) chosen.add(i);
      });
    }
    else if (answer === 'n') chosen.clear();
    else {
      for (const token of answer.split(/[\s,]+/)) {
        const c = choices[Number(token) - 1];
        if (!/^\d+$/.test(token) || !c) p.say(`  "${token}" はリストにありません / "${token}" is not in the list`);
        else if (c.blocked) p.say(`  ${token}. は選べません / ${token}. cannot be chosen: ${c.blocked}`);
        else if (chosen.has(Number(token) - 1)) chosen.delete(Number(token) - 1);
        else chosen.add(Number(token) - 1);
      }
    }
  }
}

/** Output that can be muted while a password is typed: readline echoes through it. */
class MutableOutput extends Writable {
  muted = false;
  constructor(private readonly target: NodeJS.WriteStream) {
    super();
  }
  get columns(): number | undefined {
    return this.target.columns;
  }
  get rows(): number | undefined {
    return this.target.rows;
  }
  get isTTY(): boolean {
    return Boolean(this.target.isTTY);
  }
  // Completes at once, so nothing is buffered here: muting applies exactly to what is written
  // while muted, never to a prompt written just before.
  override _write(chunk: Buffer | string, encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    if (!this.muted) this.target.write(chunk, encoding);
    done();
  }
}

/**
 * The real terminal, through node:readline/promises. Lines are queued as they arrive, so
 * answers typed ahead (or piped in) are not lost between questions.
 */
export class TerminalPrompter implements Prompter {
  private readonly rl: Interface;
  private readonly out: MutableOutput;
  private readonly lines: string[] = [];
  private waiting: { resolve: (line: string) => void; reject: (err: Error) => void } | null = null;
  private closed = false;

  constructor(
    input: NodeJS.ReadStream = process.stdin,
    private readonly output: NodeJS.WriteStream = process.stdout,
  ) {
    this.out = new MutableOutput(output);
    this.rl = createInterface({ input, output: this.out, terminal: Boolean(input.isTTY && output.isTTY), historySize: 0 });
    this.rl.on('line', (line) => {
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = null;
        w.resolve(line);
      } else this.lines.push(line);
    });
    const stop = () => {
      this.closed = true;
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = null;
        w.reject(new CancelledError());
      }
    };
    this.rl.on('close', stop);
    this.rl.on('SIGINT', () => {
      this.out.muted = false;
      this.output.write('\n');
      stop();
      this.rl.close();
    });
  }

  say(text = ''): void {
    this.output.write(`${text}\n`);
  }

  private nextLine(): Promise<string> {
    const queued = this.lines.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.closed) return Promise.reject(new CancelledError());
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  private prompt(question: string): void {
    // readline redraws only the prompt's last line; earlier lines are printed plainly.
    const lines = question.split('\n');
    const last = lines.pop() ?? '';
    for (const l of lines) this.say(l);
    this.rl.setPrompt(last.endsWith(' ') ? last : `${last} `);
    this.rl.prompt();
  }

  async ask(question: string, opts: { default?: string } = {}): Promise<string> {
    this.prompt(opts.default ? `${question} [${opts.default}]:` : `${question}:`);
    const answer = (await this.nextLine()).trim();
    return answer === '' && opts.default !== undefined ? opts.default : answer;
  }

  async secret(question: string): Promise<string> {
    this.prompt(`${question}:`);
    this.out.muted = true;
    try {
      return await this.nextLine();
    } finally {
      this.out.muted = false;
      if (this.rl.terminal) this.output.write('\n');
    }
  }

  close(): void {
    if (!this.closed) {
      this.closed = true;
      this.rl.close();
    }
  }
}

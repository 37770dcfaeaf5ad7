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

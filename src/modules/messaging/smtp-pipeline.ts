import net from 'node:net';
import os from 'node:os';

/**
 * A small pooled SMTP client for the bulk path: plain connections without AUTH to a server that
 * offers PIPELINING (RFC 2920) and no STARTTLS — typically the local MTA a campaign is relayed
 * through. MAIL FROM, RCPT TO and DATA go out in one write and the dot-stuffed message with its
 * terminator in a second, so a message costs two socket writes and two replies to read instead
 * of nodemailer's five and four; on a loaded 2-core machine those system calls were the largest
 * cost of a campaign. Anything else (TLS, STARTTLS offered, AUTH, no PIPELINING) is reported as
 * `PipelineUnsupported` and the caller keeps using nodemailer.
 */

export class PipelineUnsupported extends Error {}

/** An SMTP reply that refused a message; `responseCode` tells temporary (4xx) from permanent (5xx). */
export class SmtpReplyError extends Error {
  constructor(
    message: string,
    readonly responseCode: number,
  ) {
    super(message);
  }
}

interface Reply {
  code: number;
  text: string;
}

type Waiter = { resolve: (r: Reply) => void; reject: (e: Error) => void };

const MESSAGE_TIMEOUT_MS = 30_000;
const ASCII_ADDRESSES = /^[\x21-\x7e]+$/;

class Connection {
  private readonly socket: net.Socket;
  private buffered = '';
  private lines: string[] = [];
  private readonly waiters: Waiter[] = [];
  private failure: Error | null = null;
  closed = false;
  /** Set once any byte of the current message's content went out. */
  messageWritten = false;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new Error('connection closed by the SMTP server')));
    socket.on('timeout', () => {
      this.fail(new Error('SMTP server did not answer in time'));
      socket.destroy();
    });
  }

  static async open(host: string, port: number, timeoutMs: number): Promise<Connection> {
    const socket = net.connect({ host, port, noDelay: true });
    socket.setTimeout(timeoutMs);
    await new Promise<void>((resolve, reject) => {
      const failed = (err: Error) => {
        socket.off('connect', connected).off('timeout', timedOut);
        socket.destroy();
        reject(err);
      };
      const timedOut = () => failed(new Error(`could not connect to ${host}:${port} in time`));
      const connected = () => {
        socket.off('error', failed).off('timeout', timedOut);
        resolve();
      };
      socket.once('connect', connected).once('error', failed).once('timeout', timedOut);
    });
    socket.setTimeout(MESSAGE_TIMEOUT_MS);
    const c = new Connection(socket);
    try {
      const greeting = await c.reply();
      if (greeting.code !== 220) throw new SmtpReplyError(`greeting refused: ${greeting.code} ${greeting.text}`, greeting.code);
      c.write(`EHLO ${hostname()}\r\n`);
      const ehlo = await c.reply();
      if (ehlo.code !== 250) throw new PipelineUnsupported(`EHLO refused: ${ehlo.code}`);
      const extensions = new Set(ehlo.text.split('\n').map((l) => l.trim().split(/\s+/)[0]!.toUpperCase()));
      if (!extensions.has('PIPELINING')) throw new PipelineUnsupported('the SMTP server does not offer PIPELINING');
      // nodemailer upgrades to TLS whenever STARTTLS is offered; never send in the clear instead.
      if (extensions.has('STARTTLS')) throw new PipelineUnsupported('the SMTP server offers STARTTLS');
      return c;
    } catch (err) {
      c.close();
      throw err;
    }
  }

  private write(text: string | Buffer): void {
    this.socket.write(text);
  }

  private reply(): Promise<Reply> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.drain();
    });
  }

  private onData(chunk: string): void {
    this.buffered += chunk;
    let at: number;
    while ((at = this.buffered.indexOf('\n')) !== -1) {
      this.lines.push(this.buffered.slice(0, at).replace(/\r$/, ''));
      this.buffered = this.buffered.slice(at + 1);
    }
    this.drain();
  }

  /** Hands complete (possibly multi-line: `250-…`, `250 …`) replies to waiters in order. */
  private drain(): void {
    while (this.waiters.length > 0) {
      const end = this.lines.findIndex((l) => l.length < 4 || l[3] !== '-');
      if (end === -1) return;
      const lines = this.lines.splice(0, end + 1);
      const code = Number(lines[0]!.slice(0, 3));
      const text = lines.map((l) => l.slice(4)).join('\n');
      this.waiters.shift()!.resolve({ code: Number.isInteger(code) ? code : 0, text });
    }
  }

  private fail(err: Error): void {
    this.closed = true;
    this.failure ??= err;
    for (const w of this.waiters.splice(0)) w.reject(this.failure);
  }

  /** One transaction: envelope and DATA pipelined, then the message and its terminator. */
  async send(from: string, to: string[], message: Buffer): Promise<void> {
    this.messageWritten = false;
    this.write(`MAIL FROM:<${from}>\r\n${to.map((t) => `RCPT TO:<${t}>\r\n`).join('')}DATA\r\n`);
    const replies: Reply[] = [];
    for (let i = 0; i < to.length + 2; i++) replies.push(await this.reply());
    const data = replies.pop()!;
    const refused = replies.find((r) => r.code < 200 || r.code >= 300);
    if (data.code !== 354) {
      // An unusable connection state after a refusal: start afresh rather than RSET.
      this.close();
      const r = refused ?? data;
      throw new SmtpReplyError(`${r.code} ${r.text}`, r.code);
    }
    if (refused) {
      // DATA was accepted although a command before it was not: end it empty, report the refusal.
      this.write('.\r\n');
      this.close();
      throw new SmtpReplyError(`${refused.code} ${refused.text}`, refused.code);
    }
    this.messageWritten = true;
    this.write(dotStuffed(message));
    const done = await this.reply();
    if (done.code !== 250) {
      this.close();
      throw new SmtpReplyError(`${done.code} ${done.text}`, done.code);
    }
  }

  /** Ends the connection: politely (QUIT) when idle and healthy, at once otherwise. */
  close(graceful = false): void {
    if (this.closed && (this.socket.destroyed || !graceful)) {
      this.socket.destroy();
      return;
    }
    this.closed = true;
    this.failure ??= new Error('connection closed');
    if (graceful) this.socket.end('QUIT\r\n');
    else this.socket.destroy();
  }
}

let cachedHostname: string | undefined;
function hostname(): string {
  cachedHostname ??= /^[A-Za-z0-9.-]+$/.test(os.hostname()) ? os.hostname() : '[127.0.0.1]';
  return cachedHostname;
}

/** The message with leading dots doubled and `CRLF.CRLF` appended, as one buffer. */
export function dotStuffed(message: Buffer): Buffer {
  let text = message.toString('latin1'); // byte-preserving; only ASCII is looked at
  if (text.startsWith('.') || text.includes('\n.')) text = text.replace(/(^|\n)\./g, '$1..');
  const tail = text.endsWith('\r\n') ? '.\r\n' : '\r\n.\r\n';
  return Buffer.from(text + tail, 'latin1');
}

/**
 * Up to `connections` connections, each sending one message at a time; callers beyond that
 * wait in a queue. A connection that fails is dropped and replaced by the next send.
 */
export class PipelinedSmtpPool {
  private readonly idle: Connection[] = [];
  private open = 0;
  private readonly waiting: ((c: Connection | Error) => void)[] = [];
  private closed = false;

  constructor(private readonly options: { host: string; port: number; connections: number; connectionTimeoutMs: number }) {}

  /** Addresses beyond ASCII need SMTPUTF8, which only nodemailer negotiates. */
  static carries(envelope: { from: string; to: string[] }): boolean {
    return ASCII_ADDRESSES.test(envelope.from) && envelope.to.every((t) => ASCII_ADDRESSES.test(t));
  }

  /** Whether a connection URL (as nodemailer parses it) may use this pool: plain SMTP, no AUTH. */
  static eligible(parsed: Record<string, unknown>): boolean {
    const keys = Object.keys(parsed).filter((k) => parsed[k] !== undefined);
    return parsed.secure === false && typeof parsed.host === 'string' && keys.every((k) => ['secure', 'host', 'port'].includes(k));
  }

  async send(envelope: { from: string; to: string[] }, message: Buffer): Promise<void> {
    if (!PipelinedSmtpPool.carries(envelope)) throw new Error('non-ASCII envelope address: send it with nodemailer');
    for (let attempt = 0; ; attempt++) {
      const { connection, fresh } = await this.acquire();
      try {
        await connection.send(envelope.from, envelope.to, message);
        this.release(connection);
        return;
      } catch (err) {
        connection.close();
        this.release(connection);
        // A pooled connection the server had dropped meanwhile, noticed before any of the message
        // was written: once more on a fresh one. After that, never (it could arrive twice).
        if (!fresh && attempt === 0 && !connection.messageWritten && !(err instanceof SmtpReplyError)) continue;
        throw err;
      }
    }
  }

  private async acquire(): Promise<{ connection: Connection; fresh: boolean }> {
    if (this.closed) throw new Error('the SMTP pool is closed');
    for (let c = this.idle.pop(); c; c = this.idle.pop()) {
      if (!c.closed) return { connection: c, fresh: false };
      this.open--;
    }
    if (this.open < this.options.connections) {
      this.open++;
      try {
        return { connection: await Connection.open(this.options.host, this.options.port, this.options.connectionTimeoutMs), fresh: true };
      } catch (err) {
        this.open--;
        this.wakeOne();
        throw err;
      }
    }
    const got = await new Promise<Connection | Error>((resolve) => this.waiting.push(resolve));
    if (got instanceof Error) throw got;
    return { connection: got, fresh: false };
  }

  private release(c: Connection): void {
    if (c.closed) {
      this.open--;
      this.wakeOne();
      return;
    }
    const next = this.waiting.shift();
    if (next) next(c);
    else this.idle.push(c);
  }

  /** A slot became free: let one waiter open a new connection. */
  private wakeOne(): void {
    const next = this.waiting.shift();
    if (!next) return;
    this.open++;
    Connection.open(this.options.host, this.options.port, this.options.connectionTimeoutMs).then(next, (err: Error) => {
      this.open--;
      next(err);
    });
  }

  close(): void {
    this.closed = true;
    for (const w of this.waiting.splice(0)) w(new Error('the SMTP pool is closed'));
    for (const c of this.idle.splice(0)) c.close(true);
    this.open = 0;
  }
}

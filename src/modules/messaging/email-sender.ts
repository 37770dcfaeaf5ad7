import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createRequire } from 'node:module';
import net from 'node:net';
import type { Transporter } from 'nodemailer';
import { MimeComposer, type ComposedEmail } from './mime-message.js';
import { PipelinedSmtpPool, PipelineUnsupported } from './smtp-pipeline.js';

// nodemailer loads only when SMTP_URL is set: without it mail goes to the outbox directory.
const require = createRequire(import.meta.url);
const loadNodemailer = () => require('nodemailer') as typeof import('nodemailer');
// nodemailer's own URL parser, so SMTP_URL means exactly what it means to nodemailer.
const parseConnectionUrl = (url: string) =>
  (require('nodemailer/lib/shared') as { parseConnectionUrl: (url: string) => Record<string, unknown> }).parseConnectionUrl(url);

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html: string | null;
  messageId: string;
  headers: Record<string, string>;
}

export class SendError extends Error {
  constructor(
    message: string,
    /** 4xx replies and network trouble: try again later. 5xx: the address or message is refused. */
    readonly temporary: boolean,
  ) {
    super(message);
  }
}

/**
 * E-mail through SMTP (a pooled nodemailer transport on SMTP_URL) or, with no SMTP server
 * configured, as .eml files in <dataDir>/outbox so the embedded default works offline.
 */
export class EmailSender {
  private readonly transport: Transporter | null;
  /** The pipelined pool, while the SMTP server suits it (see smtp-pipeline.ts); else nodemailer. */
  private pipeline: PipelinedSmtpPool | null = null;
  private readonly outbox: string | null;

  constructor(options: { smtpUrl: string | undefined; from: string; connections: number; dataDir: string }) {
    this.from = options.from;
    this.composer = new MimeComposer(options.from);
    if (options.smtpUrl) {
      this.outbox = null;
      const parsed = parseConnectionUrl(options.smtpUrl);
      if (PipelinedSmtpPool.eligible(parsed)) {
        this.pipeline = new PipelinedSmtpPool({
          host: parsed.host as string,
          port: (parsed.port as number | undefined) ?? 25,
          connections: options.connections,
          connectionTimeoutMs: 10_000,
        });
      }
      this.transport = loadNodemailer().createTransport({
        ...parsed,
        pool: true,
        maxConnections: options.connections,
        maxMessages: Infinity,
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 30_000,
        // SMTP is a dialogue of small writes; with Nagle's algorithm each one waits for the
        // peer's delayed ACK (~40 ms). No-delay sockets triple a connection's throughput.
        getSocket: (opts: { host?: string; port?: number }, callback: (err: Error | null, socketOptions?: { connection: net.Socket }) => void) => {
          const socket = net.connect({ host: opts.host ?? 'localhost', port: opts.port ?? 25, noDelay: true });
          const failed = (err: Error) => callback(err);
          socket.once('error', failed);
          socket.once('connect', () => {
            socket.off('error', failed);
            callback(null, { connection: socket });
          });
        },
      } as never);
    } else {
      this.outbox = path.join(options.dataDir, 'outbox');
      this.transport = null;
    }
  }

  readonly from: string;
  private readonly composer: MimeComposer;

  get description(): string {
    return this.outbox ? `files in ${this.outbox}` : 'SMTP';
  }

  async send(mail: OutgoingEmail): Promise<void> {
    let composed: ComposedEmail;
    try {
      // Composed here in one pass and handed over as raw bytes: nodemailer's streaming composer
      // cost more CPU than everything else per campaign message (see mime-message.ts).
      composed = this.composer.compose(mail);
    } catch (err) {
      throw new SendError((err as Error).message, false); // a bad address stays bad
    }
    try {
      if (this.pipeline && PipelinedSmtpPool.carries(composed.envelope)) {
        try {
          await this.pipeline.send(composed.envelope, composed.message);
          return;
        } catch (err) {
          if (!(err instanceof PipelineUnsupported)) throw err;
          // Not a server for the fast path (TLS offered, no PIPELINING …): nodemailer from now on.
          this.pipeline?.close();
          this.pipeline = null;
        }
      }
      if (this.transport) {
        // messageId only spares nodemailer generating a random one for its logs; the raw bytes are sent as they are.
        await this.transport.sendMail({ envelope: composed.envelope, raw: composed.message, messageId: mail.messageId });
      } else {
        await mkdir(this.outbox!, { recursive: true });
        const name = mail.messageId.replace(/[<>]/g, '').replace(/[^A-Za-z0-9._-]/g, '_');
        // Unix line endings in the files, which people read with ordinary tools.
        await writeFile(path.join(this.outbox!, `${name}.eml`), composed.message.toString('utf8').replace(/\r\n/g, '\n'));
      }
    } catch (err) {
      const e = err as { responseCode?: number; message?: string; code?: string };
      const temporary = e.responseCode === undefined ? true : e.responseCode < 500;
      throw new SendError(e.message ?? String(err), temporary);
    }
  }

  close(): void {
    this.pipeline?.close();
    this.transport?.close();
  }
}

import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

export interface SmtpSink {
  url: string;
  port: number;
  messages: ParsedMail[];
  /** Answer the next N messages with an error: temporary 451 unless another code is given. */
  failNext(n: number, code?: number): void;
  waitFor(count: number, timeoutMs?: number): Promise<ParsedMail[]>;
  close(): Promise<void>;
}

/** A real SMTP server on a free port that keeps every message it accepts, parsed. */
export async function startSmtpSink(options: { parse?: boolean; delayMs?: number; pipelining?: boolean } = {}): Promise<SmtpSink> {
  const messages: ParsedMail[] = [];
  let failures = 0;
  let failureCode = 451;
  const serverOptions: SMTPServerOptions = {
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    hidePIPELINING: options.pipelining === false,
    logger: false,
    size: 10 * 1024 * 1024,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
        if (failures > 0) {
          failures--;
          const err = new Error(failureCode < 500 ? 'Try again later' : 'Mailbox unavailable') as Error & { responseCode: number };
          err.responseCode = failureCode;
          return callback(err);
        }
        if (options.parse === false) {
          messages.push({} as ParsedMail);
          return callback();
        }
        simpleParser(Buffer.concat(chunks))
          .then((mail) => {
            messages.push(mail);
            callback();
          })
          .catch(callback);
      });
    },
  };
  const server = new SMTPServer(serverOptions);
  const port: number = await new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.server.address() as { port: number }).port));
  });
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    failNext: (n, code = 451) => {
      failures = n;
      failureCode = code;
    },
    async waitFor(count, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      while (messages.length < count) {
        if (Date.now() > until) throw new Error(`expected ${count} messages, got ${messages.length}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return messages;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

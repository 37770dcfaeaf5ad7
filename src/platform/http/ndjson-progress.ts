import { PassThrough } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';

export const NDJSON = 'application/x-ndjson';

/** Whether the caller asked for progress lines (`Accept: application/x-ndjson`) instead of one JSON answer. */
export function wantsProgress(req: FastifyRequest): boolean {
  return (req.headers.accept ?? '').includes(NDJSON);
}

export type ReportProgress = (done: number, total: number) => void;

/**
 * Answers a long request as newline-delimited JSON: `{"progress":{"done","total"}}` lines as the
 * work goes on, then `{"result":…}`, or `{"error":{"code","message","details"}}` when it fails
 * after the status line has gone out (the status is 200 by then; 5xx internals stay in the log).
 * Checks that can refuse the request belong before this call, where they still get their 4xx.
 */
export function sendWithProgress<T>(req: FastifyRequest, reply: FastifyReply, work: (report: ReportProgress) => Promise<T>): FastifyReply {
  const out = new PassThrough();
  const line = (value: unknown) => out.write(`${JSON.stringify(value)}\n`);
  const report: ReportProgress = (done, total) => void line({ progress: { done, total } });
  work(report)
    .then((result) => line({ result }))
    .catch((err: unknown) => {
      if (err instanceof AppError) line({ error: { code: err.code, message: err.message, details: err.details ?? {} } });
      else {
        req.log.error({ err }, 'request failed after its progress began');
        line({ error: { code: 'internal_error', message: 'Something went wrong on our side', details: { requestId: req.id } } });
      }
    })
    .finally(() => out.end());
  // No proxy buffering: the point of the lines is that they arrive as they are written.
  return reply.header('cache-control', 'no-store').header('x-accel-buffering', 'no').type(NDJSON).send(out);
}

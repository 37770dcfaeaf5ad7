import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';

interface AjvError {
  instancePath?: string;
  params?: Record<string, unknown>;
  message?: string;
}

function fieldOf(e: AjvError): string {
  const base = (e.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
  const missing = e.params?.missingProperty ?? e.params?.additionalProperty;
  if (typeof missing === 'string') return base ? `${base}.${missing}` : missing;
  return base || '(root)';
}

/** The one place errors become HTTP responses. 5xx internals never leave the server. */
export function installErrorHandler(
  app: FastifyInstance,
  notFoundFallback?: (request: FastifyRequest, reply: FastifyReply) => FastifyReply | undefined,
): void {
  app.setErrorHandler((err: FastifyError & { validation?: AjvError[]; validationContext?: string }, request, reply) => {
    if (err instanceof AppError) {
      if (err.statusCode === 429 && typeof err.details?.retryAfterSeconds === 'number') {
        void reply.header('retry-after', String(err.details.retryAfterSeconds));
      }
      return reply.status(err.statusCode).send({ error: { code: err.code, message: err.message, details: err.details ?? {} } });
    }
    if (err.validation) {
      const fields = err.validation.map((v) => ({
        field: fieldOf(v),
        message: v.params?.additionalProperty ? 'is not an accepted field' : (v.message ?? 'is invalid'),
        in: err.validationContext,
      }));
      return reply.status(400).send({
        error: {
          code: 'invalid_input',
          message: fields.map((f) => `${f.field} ${f.message}`).join('; '),
          details: { fields },
        },
      });
    }
    const status = typeof err.statusCode === 'number' && err.statusCode >= 400 ? err.statusCode : 500;
    if (status < 500) {
      // Fastify's own client errors: malformed JSON, unsupported media type, body too large…
      const code = (err.code ?? 'bad_request').replace(/^FST_ERR_/, '').toLowerCase();
      return reply.status(status).send({ error: { code, message: err.message, details: {} } });
    }
    request.log.error({ err }, 'request failed');
    return reply.status(500).send({
      error: { code: 'internal_error', message: 'Something went wrong on our side', details: { requestId: request.id } },
    });
  });
  app.setNotFoundHandler((request, reply) => {
    const handled = notFoundFallback?.(request, reply);
    if (handled) return handled;
    return reply
      .status(404)
      .send({ error: { code: 'not_found', message: `No route ${request.method} ${request.url.split('?')[0]}`, details: {} } });
  });
}

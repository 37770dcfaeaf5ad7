import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from '../db/database.js';
import { AppError, ConflictError, ValidationError } from '../errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    idempotencyScope?: string;
    idempotencyKey?: string;
  }
}

const HEADER = 'idempotency-key';
const KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;
/** A claim older than this whose request never finished (crash) may be retried. */
const STALE_AFTER_MS = 5 * 60_000;
/** Answers are kept this long. */
export const IDEMPOTENCY_RETENTION_MS = 24 * 3600_000;

interface IdempotencyRow {
  request_hash: Buffer;
  status_code: number | null;
  response: string | null;
  content_type: string | null;
  created_at: Date;
}

function scopeOf(request: FastifyRequest): string {
  const p = request.principal;
  const who = !p ? `ip:${request.ip}` : p.type === 'staff' ? `staff:${p.staffId}` : p.type === 'customer' ? `customer:${p.customerId}` : `key:${p.keyId}`;
  return `${request.surface}:${who}`;
}

function hashOf(request: FastifyRequest): Buffer {
  return createHash('sha256')
    .update(`${request.method} ${request.url}\n`)
    .update(JSON.stringify(request.body ?? null))
    .digest();
}

/**
 * Makes every POST/PUT/PATCH/DELETE safe to retry when the client sends an `Idempotency-Key`
 * header: the first request claims the key; a retry with the same key and the same request gets
 * the stored answer; the same key with a different request is refused; a retry while the first
 * is still running gets 409. Server errors release the key so the client can retry.
 */
export function installIdempotency(app: FastifyInstance, db: Db): void {
  app.addHook('preHandler', async (request, reply) => {
    const key = request.headers[HEADER];
    if (key === undefined || request.method === 'GET' || request.method === 'HEAD') return;
    if (typeof key !== 'string' || !KEY_PATTERN.test(key)) {
      throw new ValidationError([{ field: 'Idempotency-Key', message: 'must be 1–200 visible ASCII characters' }]);
    }
    const scope = scopeOf(request);
    const hash = hashOf(request);
    const claimed = await sql`
      insert into idempotency_keys (scope, key, request_hash) values (${scope}, ${key}, ${hash})
      on conflict (scope, key) do nothing returning key`.execute(db);
    if (claimed.rows.length === 0) {
      const existing = (
        await sql<IdempotencyRow>`select request_hash, status_code, response, content_type, created_at
          from idempotency_keys where scope = ${scope} and key = ${key}`.execute(db)
      ).rows[0];
      if (existing && !existing.request_hash.equals(hash)) {
        throw new AppError(422, 'idempotency_key_reused', 'This Idempotency-Key was used for a different request');
      }
      if (existing?.status_code != null) {
        void reply.header('idempotent-replay', 'true');
        if (existing.content_type) void reply.header('content-type', existing.content_type);
        return reply.status(existing.status_code).send(existing.response ?? '');
      }
      const stale = existing && Date.now() - new Date(existing.created_at).getTime() > STALE_AFTER_MS;
      if (!stale) throw new ConflictError('request_in_progress', 'A request with this Idempotency-Key is still being processed');
      await sql`update idempotency_keys set created_at = now() where scope = ${scope} and key = ${key}`.execute(db);
    }
    request.idempotencyScope = scope;
    request.idempotencyKey = key;
  });

  app.addHook('onSend', async (request, reply, payload) => {
    if (!request.idempotencyKey || !request.idempotencyScope) return payload;
    const { idempotencyScope: scope, idempotencyKey: key } = request;
    if (reply.statusCode >= 500) {
      await sql`delete from idempotency_keys where scope = ${scope} and key = ${key}`.execute(db);
    } else {
      const body = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : null;
      const type = reply.getHeader('content-type');
      await sql`update idempotency_keys set status_code = ${reply.statusCode}, response = ${body},
          content_type = ${typeof type === 'string' ? type : null}, completed_at = now()
        where scope = ${scope} and key = ${key}`.execute(db);
    }
    return payload;
  });
}

export async function purgeIdempotencyKeys(db: Db): Promise<void> {
  await sql`delete from idempotency_keys where created_at < ${new Date(Date.now() - IDEMPOTENCY_RETENTION_MS)}`.execute(db);
}

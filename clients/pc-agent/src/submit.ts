import { randomUUID } from 'node:crypto';
import {
  clearPending,
  readState,
  savePending,
  writeState,
  type PendingRequest,
  type StatePaths,
} from './pending-store.js';
import { ApiError, type RegistrationBody, type RegistrationResult, type ServerClient } from './server-client.js';

export interface SubmitContext {
  client: ServerClient;
  paths: StatePaths;
  /** Told about what went wrong on this PC (the pending file could not be written …). */
  warn: (message: string) => void;
}

export function bodyOf(request: PendingRequest, password: string): RegistrationBody {
  if (request.kind === 'new') return { customer: request.customer, password, emailConsent: request.emailConsent, products: request.products };
  return { existing: { registrationNo: request.registrationNo, password }, products: request.products };
}

async function keep(ctx: SubmitContext, request: PendingRequest, idempotencyKey: string): Promise<void> {
  try {
    await savePending(ctx.paths, { server: ctx.client.baseUrl, idempotencyKey, request });
  } catch (err) {
    ctx.warn(`Could not keep your answers in ${ctx.paths.pendingFile} (${(err as Error).message}); sending anyway.`);
  }
}

/**
 * Sends a registration so that nothing typed is lost and nothing is registered twice:
 *  - the answers (without the password) are on disk before the request leaves;
 *  - the Idempotency-Key belongs to one attempt: resent after a lost answer (`resumeKey`), fresh
 *    after any definitive answer, since a stored refusal (a 429, say) would otherwise replay;
 *  - on success the pending answers are removed and the registration is recorded in the state.
 * A TransportError leaves the pending file with the attempt's key, for the next run to resend.
 */
export async function submitRegistration(
  ctx: SubmitContext,
  request: PendingRequest,
  password: string,
  resumeKey?: string,
): Promise<RegistrationResult> {
  let key = resumeKey ?? randomUUID();
  await keep(ctx, request, key);
  for (let round = 0; ; round++) {
    try {
      const result = await ctx.client.register(bodyOf(request, password), key);
      await clearPending(ctx.paths).catch((err: Error) => ctx.warn(`Could not remove ${ctx.paths.pendingFile}: ${err.message}`));
      await recordRegistration(ctx.paths, ctx.client.baseUrl, result).catch((err: Error) =>
        ctx.warn(`Registered, but could not record it in ${ctx.paths.stateFile}: ${err.message}`),
      );
      return result;
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      key = randomUUID();
      await keep(ctx, request, key);
      // The lost attempt was sent with another password or other answers: it is a different
      // request now. If the lost one did register, the server refuses the serials as taken.
      if (err.code === 'idempotency_key_reused' && round === 0) continue;
      throw err;
    }
  }
}

/** Adds a registration to the agent's state (first boot reads it to know it is done). */
export async function recordRegistration(paths: StatePaths, server: string, result: RegistrationResult): Promise<void> {
  const previous = await readState(paths).catch(() => null);
  const serials = new Set([...(previous?.serials ?? []), ...result.products.map((p) => p.serial)]);
  await writeState(paths, {
    registered: true,
    registrationNo: result.registrationNo,
    registrationNoFormatted: result.registrationNoFormatted,
    customerNumber: result.customerNumber,
    registeredAt: new Date().toISOString(),
    server,
    serials: [...serials],
  });
}

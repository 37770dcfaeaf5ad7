/**
 * Typed application errors. Services throw these; the one HTTP error handler maps them to
 * `{ error: { code, message, details } }` with the status carried here.
 */
export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export interface FieldProblem {
  field: string;
  message: string;
}

export class ValidationError extends AppError {
  constructor(fields: FieldProblem[], message = fields.map((f) => `${f.field}: ${f.message}`).join('; ')) {
    super(400, 'invalid_input', message, { fields });
  }
}

export class NotFoundError extends AppError {
  constructor(entity: string, id?: string | number) {
    super(404, 'not_found', id === undefined ? `${entity} not found` : `${entity} ${id} not found`, { entity });
  }
}

export class ConflictError extends AppError {
  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(409, code, message, details);
  }
}

export class UnauthenticatedError extends AppError {
  constructor(code = 'unauthenticated', message = 'Log in first') {
    super(401, code, message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'Your role may not do this', code = 'forbidden') {
    super(403, code, message);
  }
}

export class RateLimitedError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super(429, 'rate_limited', `Too many attempts; try again in ${retryAfterSeconds} s`, { retryAfterSeconds });
  }
}

/** PostgreSQL unique_violation, for services that turn a constraint into a domain error. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: string; constraint?: string } | undefined;
  return e?.code === '23505' && (constraint === undefined || e.constraint === constraint);
}

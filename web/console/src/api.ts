import type {
  AuditEntry,
  ConsentChannel,
  Customer,
  CustomerSummary,
  FieldProblem,
  Identifier,
  IdentifierKind,
  Personal,
  Session,
} from './types';

/** An error answer of the API, `{ error: { code, message, details } }`, or a failure to reach it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** `details.fields` of a 400 `invalid_input`, or an empty list. */
  get fields(): FieldProblem[] {
    const fields = this.details.fields;
    if (!Array.isArray(fields)) return [];
    return fields.filter(
      (f): f is FieldProblem => typeof f === 'object' && f !== null && typeof f.field === 'string' && typeof f.message === 'string',
    );
  }
}

export function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}

/** A message fit to show a person, whatever was thrown. */
export function messageOf(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error && err.message) return err.message;
  return 'Something went wrong';
}

let csrfToken: string | null = null;
let unauthorizedHandler: (() => void) | null = null;

export function getCsrfToken(): string | null {
  return csrfToken;
}

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when any request (other than login and the session check) answers 401. */
export function onUnauthorized(handler: (() => void) | null): void {
  unauthorizedHandler = handler;
}

interface RequestOptions {
  body?: unknown;
  /** A body that is not JSON (e.g. CSV) and its content type; instead of `body`. */
  raw?: { text: string; contentType: string };
  query?: Record<string, string | number | undefined>;
  signal?: AbortSignal;
  /** Let a 401 through as an ApiError instead of sending the person to the login page. */
  allow401?: boolean;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

async function send(method: string, path: string, opts: RequestOptions = {}): Promise<Response> {
  let url = path;
  if (opts.query) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(opts.query)) if (value !== undefined) params.set(key, String(value));
    const qs = params.toString();
    if (qs) url += `?${qs}`;
  }
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (opts.raw) headers['Content-Type'] = opts.raw.contentType;
  else if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  if (UNSAFE.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken;

  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers,
      body: opts.raw ? opts.raw.text : opts.body === undefined ? undefined : JSON.stringify(opts.body),
      credentials: 'same-origin',
      signal: opts.signal,
    });
  } catch (err) {
    if (isAbort(err)) throw err;
    throw new ApiError(0, 'network_error', 'Cannot reach the server. Check the connection and try again.');
  }
  if (res.ok) return res;

  let error: ApiError;
  try {
    error = apiErrorOf(res.status, res.statusText, await res.json());
  } catch (err) {
    if (isAbort(err)) throw err;
    error = new ApiError(res.status, 'http_error', `The server answered ${res.status} ${res.statusText}`.trim());
  }
  if (res.status === 401 && !opts.allow401) unauthorizedHandler?.();
  throw error;
}

/** A server error as an ApiError, from its `{ error: { code, message, details } }` body (anything else: a generic one). */
export function apiErrorOf(status: number, statusText: string, body: unknown): ApiError {
  const e = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error ?? {};
  return new ApiError(
    status,
    typeof e.code === 'string' ? e.code : 'http_error',
    typeof e.message === 'string' && e.message ? e.message : `The server answered ${status} ${statusText}`.trim(),
    typeof e.details === 'object' && e.details !== null ? (e.details as Record<string, unknown>) : {},
  );
}

/** The shared JSON request: CSRF header on writes, errors as ApiError, 401 → login. */
export async function request<T>(method: string, path: string, opts?: RequestOptions): Promise<T> {
  const res = await send(method, path, opts);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

const seg = encodeURIComponent;

export const api = {
  me: (signal?: AbortSignal) => request<Session>('GET', '/api/auth/me', { signal, allow401: true }),
  login: (username: string, password: string) =>
    request<Session>('POST', '/api/auth/login', { body: { username, password }, allow401: true }),
  logout: () => request<void>('POST', '/api/auth/logout', { allow401: true }),

  searchCustomers: (q: string, signal?: AbortSignal, limit = 20) =>
    request<{ items: CustomerSummary[] }>('GET', '/api/customers', { query: { q, limit }, signal }),
  getCustomer: (n: string, signal?: AbortSignal) => request<Customer>('GET', `/api/customers/${seg(n)}`, { signal }),
  createCustomer: (personal: Partial<Personal>) => request<Customer>('POST', '/api/customers', { body: personal }),
  updateCustomer: (n: string, changes: Partial<Personal>) =>
    request<Customer>('PATCH', `/api/customers/${seg(n)}`, { body: changes }),

  addIdentifier: (n: string, kind: IdentifierKind, value: string) =>
    request<Identifier>('POST', `/api/customers/${seg(n)}/identifiers`, { body: { kind, value } }),
  removeIdentifier: (n: string, id: number) =>
    request<void>('DELETE', `/api/customers/${seg(n)}/identifiers/${seg(String(id))}`),

  setConsent: (n: string, channel: ConsentChannel, granted: boolean) =>
    request<Customer>('POST', `/api/customers/${seg(n)}/consent`, { body: { channel, granted, source: 'console' } }),

  audit: (n: string, signal?: AbortSignal, limit = 50) =>
    request<{ items: AuditEntry[] }>('GET', `/api/customers/${seg(n)}/audit`, { query: { limit }, signal }),

  merge: (n: string, otherCustomerNumber: string) =>
    request<{ customer: Customer; mergeId: number }>('POST', `/api/customers/${seg(n)}/merge`, {
      body: { otherCustomerNumber },
    }),
  undoMerge: (mergeId: number) =>
    request<{ customer: Customer; restored: Customer }>('POST', `/api/merges/${seg(String(mergeId))}/undo`),

  exportCustomer: async (n: string): Promise<Blob> => {
    const res = await send('GET', `/api/customers/${seg(n)}/export`);
    const text = await res.text();
    return new Blob([text], { type: 'application/json' });
  },
  erase: (n: string, confirmRegistrationNo: string) =>
    request<Customer>('POST', `/api/customers/${seg(n)}/erase`, { body: { confirmRegistrationNo } }),
};

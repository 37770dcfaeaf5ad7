import type { Category, ProductInput } from './inventory.js';

/** The server refused with `{ error: { code, message, details } }`: a definitive answer. */
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

  /** `details.serials` of serial_already_registered / serial_unknown. */
  get serials(): string[] {
    const s = this.details.serials;
    return Array.isArray(s) ? s.filter((x): x is string => typeof x === 'string') : [];
  }

  /** `details.fields` of invalid_input. */
  get fields(): { field: string; message: string }[] {
    const f = this.details.fields;
    if (!Array.isArray(f)) return [];
    return f
      .filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null)
      .map((x) => ({ field: String(x.field ?? ''), message: String(x.message ?? 'is invalid') }));
  }

  get retryAfterSeconds(): number | null {
    const s = this.details.retryAfterSeconds;
    return typeof s === 'number' && Number.isFinite(s) ? s : null;
  }
}

/** No answer (network down, timeout) or only server errors: the outcome is unknown. */
export class TransportError extends Error {
  constructor(
    readonly kind: 'network' | 'timeout' | 'server',
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

export interface FormField {
  name: string;
  label: { ja: string; en: string };
  required: boolean;
  type: 'text' | 'email' | 'tel' | 'date' | 'postal';
  maxLength: number;
}

export interface RegistrationForm {
  fields: FormField[];
  password: { minLength: number };
  categories: Category[];
  consent: { email: { ja: string; en: string } };
}

export interface CollateResult {
  serial: string;
  status: 'available' | 'already_registered' | 'unknown' | 'invalid';
  message: string;
}

export interface RegisteredProduct {
  id: number;
  serial: string;
  maker: string;
  model: string;
  category: string;
  parentSerial: string | null;
  registeredAt?: string;
}

export interface RegistrationResult {
  registrationNo: string;
  registrationNoFormatted: string;
  customerNumber: string;
  products: RegisteredProduct[];
}

export type Personal = Record<string, string | null>;

export interface Customer {
  customerNumber: string;
  registrationNo: string;
  registrationNoFormatted: string;
  personal: Personal;
}

export type RegistrationBody =
  | { customer: Record<string, string>; password: string; emailConsent: boolean; products: ProductInput[] }
  | { existing: { registrationNo: string; password: string }; products: ProductInput[] };

/** The answers of the server-led dialogue; the agent holds them and resends them all each time. */
export interface DialogueAnswers {
  /** Serials the customer chose. */
  products?: string[];
  customer?: Record<string, string>;
  emailConsent?: boolean;
  password?: string;
}

export interface DialogueOption {
  /** The serial, as the server writes it. */
  value: string;
  label: string;
  status: string;
  message: string;
  selectable: boolean;
}

export interface DialogueQuestion {
  /** Where the answer goes: `products`, `customer.<field>`, `emailConsent` or `password`. */
  key: string;
  type: 'choose' | FormField['type'] | 'yesno' | 'password';
  label: { ja: string; en: string };
  required: boolean;
  minLength?: number;
  maxLength?: number;
  options?: DialogueOption[];
  /** The answer given so far, to offer as the default. */
  value?: string | boolean | string[];
  /** Why the last answer for this key was not accepted. */
  problem?: string;
}

/** A product of the finished request: the server says `parentSerial: null` for "none". */
export type DialogueProduct = Omit<ProductInput, 'parentSerial'> & { parentSerial?: string | null };

export type DialogueStep =
  | { step: 'ask'; question: DialogueQuestion; answered: number; total: number }
  /** `request` is the body for POST /api/registrations, as is. */
  | { step: 'ready'; request: { customer: Record<string, string>; password: string; emailConsent: boolean; products: DialogueProduct[] } }
  | { step: 'refused'; error: { code: string; message: string } };

export interface RetryPolicy {
  /** Further attempts after the first. */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited out silently: the caller is told instead. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 4, baseDelayMs: 500, maxDelayMs: 15_000, maxRetryAfterMs: 60_000 };

/** Retry-After as milliseconds: delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/**
 * How long to wait before attempt `attempt + 1`: what the server asked for when it said so,
 * otherwise exponential backoff (base × 2^attempt, capped) with jitter so a fleet of PCs that
 * lost the network together does not come back in step.
 */
export function retryDelayMs(attempt: number, policy: RetryPolicy, retryAfterMs: number | null, random = Math.random): number {
  if (retryAfterMs !== null) return retryAfterMs;
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export interface RetryNotice {
  attempt: number;
  delayMs: number;
  reason: string;
}

export interface ServerClientOptions {
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Told before each wait, so a person is not left looking at a silent terminal. */
  onRetry?: (notice: RetryNotice) => void;
}

interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** 429 is retried only when the request is harmless to repeat as is. */
  retry429?: boolean;
}

const SESSION_COOKIE = 'clientele_portal';

/** The portal surface's registration API, with retries, timeouts and the portal session. */
export class ServerClient {
  readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly policy: RetryPolicy;
  private readonly fetchImpl: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly onRetry: ((n: RetryNotice) => void) | undefined;
  private cookies = new Map<string, string>();
  private csrfToken: string | undefined;

  constructor(baseUrl: string, opts: ServerClientOptions = {}) {
    let url: URL;
    try {
      url = new URL(baseUrl);
    } catch {
      throw new TypeError(`Not a server URL: ${baseUrl}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`The server URL must start with http:// or https://: ${baseUrl}`);
    this.baseUrl = url.toString().replace(/\/+$/, '');
    this.timeoutMs = opts.timeoutMs ?? 20_000;
    this.policy = { ...DEFAULT_RETRY, ...opts.retry };
    this.fetchImpl = opts.fetch ?? fetch;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.random = opts.random ?? Math.random;
    this.onRetry = opts.onRetry;
  }

  get hasSession(): boolean {
    return this.cookies.has(SESSION_COOKIE);
  }

  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (this.csrfToken && method !== 'GET') headers['x-csrf-token'] = this.csrfToken;
    const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);

    for (let attempt = 0; ; attempt++) {
      let res: Response;
      let text: string;
      try {
        res = await this.fetchImpl(this.baseUrl + path, { method, headers, body, signal: AbortSignal.timeout(this.timeoutMs), redirect: 'error' });
        text = await res.text();
      } catch (err) {
        const timeout = (err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError';
        const reason = timeout ? `no answer within ${Math.round(this.timeoutMs / 1000)} s` : describeNetworkError(err);
        if (attempt < this.policy.retries) {
          await this.wait(attempt, null, reason);
          continue;
        }
        throw new TransportError(timeout ? 'timeout' : 'network', `Cannot reach ${this.baseUrl}: ${reason}`);
      }
      this.keepCookies(res);
      const parsed = parseBody(text);
      if (res.ok) return parsed as T;

      const error = errorOf(res.status, parsed);
      const retryAfter = parseRetryAfter(res.headers.get('retry-after')) ?? (error.retryAfterSeconds !== null ? error.retryAfterSeconds * 1000 : null);
      const transient =
        res.status >= 500 ||
        (res.status === 429 && opts.retry429 !== false) ||
        // The same Idempotency-Key is still being worked on (our earlier attempt): wait for it.
        (res.status === 409 && error.code === 'request_in_progress');
      if (transient && attempt < this.policy.retries && (retryAfter === null || retryAfter <= this.policy.maxRetryAfterMs)) {
        await this.wait(attempt, retryAfter, res.status >= 500 ? `the server answered ${res.status}` : error.message);
        continue;
      }
      if (res.status >= 500) throw new TransportError('server', `The server at ${this.baseUrl} has a problem (${res.status} ${error.code}): ${error.message}`, res.status);
      throw error;
    }
  }

  private async wait(attempt: number, retryAfterMs: number | null, reason: string): Promise<void> {
    const delayMs = retryDelayMs(attempt, this.policy, retryAfterMs, this.random);
    this.onRetry?.({ attempt: attempt + 1, delayMs, reason });
    await this.sleep(delayMs);
  }

  private keepCookies(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (!value || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  form(): Promise<RegistrationForm> {
    return this.request<RegistrationForm>('GET', '/api/registration/form').then(checkForm);
  }

  async collate(products: Pick<ProductInput, 'serial' | 'maker' | 'model' | 'category'>[]): Promise<CollateResult[]> {
    const res = await this.request<{ results: CollateResult[] }>('POST', '/api/registration/collate', {
      body: { products: products.map(({ serial, maker, model, category }) => ({ serial, maker, model, category })) },
    });
    return Array.isArray(res?.results) ? res.results : [];
  }

  /**
   * Registers products. The Idempotency-Key makes the retries here, and a later run's resend
   * of a lost attempt, safe: the server answers a repeated key with the first answer.
   */
  async register(body: RegistrationBody, idempotencyKey: string): Promise<RegistrationResult> {
    const res = await this.request<RegistrationResult>('POST', '/api/registrations', {
      body,
      headers: { 'idempotency-key': idempotencyKey },
      // A 429 answer is stored under the key; repeating it would only replay the 429.
      retry429: false,
    });
    if (typeof res?.registrationNo !== 'string' || typeof res.registrationNoFormatted !== 'string') {
      throw new TransportError('server', 'The server answered the registration without a registration number');
    }
    return res;
  }

  /**
   * The server-led dialogue: the next question for these answers, or the finished request. The
   * server keeps nothing between calls, so repeating one (a retry) is harmless.
   */
  async dialogue(products: ProductInput[], answers: DialogueAnswers): Promise<DialogueStep> {
    return checkStep(await this.request<unknown>('POST', '/api/registration/dialogue', { body: { products, answers } }));
  }

  async serialLogin(serial: string, password: string): Promise<Customer> {
    const res = await this.request<{ customer: Customer; csrfToken: string }>('POST', '/api/auth/serial-login', { body: { serial, password }, retry429: false });
    this.csrfToken = res.csrfToken;
    return res.customer;
  }

  async me(): Promise<Customer> {
    const res = await this.request<{ customer: Customer; csrfToken: string }>('GET', '/api/me');
    this.csrfToken = res.csrfToken || this.csrfToken;
    return res.customer;
  }

  updateMe(changes: Record<string, string | null>): Promise<Customer> {
    return this.request<Customer>('PATCH', '/api/me', { body: changes });
  }

  async myProducts(): Promise<RegisteredProduct[]> {
    const res = await this.request<{ items: RegisteredProduct[] }>('GET', '/api/me/products');
    return Array.isArray(res?.items) ? res.items : [];
  }
}

function parseBody(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function errorOf(status: number, body: unknown): ApiError {
  const e = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
  if (e && typeof e.code === 'string') {
    const details = typeof e.details === 'object' && e.details !== null ? (e.details as Record<string, unknown>) : {};
    return new ApiError(status, e.code, typeof e.message === 'string' ? e.message : e.code, details);
  }
  const text = typeof body === 'string' ? body.slice(0, 200) : '';
  return new ApiError(status, `http_${status}`, text || `The server answered ${status}`);
}

function describeNetworkError(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code === 'ECONNREFUSED') return 'connection refused (is the server running?)';
  if (cause?.code === 'ENOTFOUND' || cause?.code === 'EAI_AGAIN') return 'the server name cannot be resolved (no network?)';
  if (cause?.code === 'ECONNRESET' || cause?.code === 'UND_ERR_SOCKET') return 'the connection was cut';
  return cause?.message ?? (err as Error).message;
}

const KNOWN_KEY = /^(products|emailConsent|password|customer\.[A-Za-z0-9_]+)$/;

/** A step this agent can act on, or a TransportError('server'): an agent must not guess at a question. */
function checkStep(body: unknown): DialogueStep {
  const step = body as Partial<Record<string, unknown>> | null;
  const malformed = (why: string) => new TransportError('server', `The server sent a dialogue step this agent cannot follow (${why})`);
  if (step?.step === 'refused') {
    const error = (step.error ?? {}) as { code?: unknown; message?: unknown };
    return { step: 'refused', error: { code: String(error.code ?? 'refused'), message: String(error.message ?? error.code ?? 'refused') } };
  }
  if (step?.step === 'ready') {
    const request = step.request as Partial<Extract<DialogueStep, { step: 'ready' }>['request']> | undefined;
    if (!request || typeof request.customer !== 'object' || typeof request.password !== 'string' || !Array.isArray(request.products)) throw malformed('an incomplete request');
    return { step: 'ready', request: { customer: request.customer ?? {}, password: request.password, emailConsent: request.emailConsent === true, products: request.products } };
  }
  if (step?.step !== 'ask') throw malformed(`step ${JSON.stringify(step?.step)}`);
  const question = step.question as DialogueQuestion | undefined;
  if (!question || typeof question.key !== 'string' || !KNOWN_KEY.test(question.key)) throw malformed(`question ${JSON.stringify(question?.key)}`);
  if (question.key === 'products' && !Array.isArray(question.options)) throw malformed('a choice without options');
  const label = question.label?.ja && question.label.en ? question.label : { ja: question.key, en: question.key };
  return { step: 'ask', question: { ...question, label }, answered: Number(step.answered) || 0, total: Number(step.total) || 0 };
}

function checkForm(form: RegistrationForm): RegistrationForm {
  if (!form || !Array.isArray(form.fields)) throw new TransportError('server', 'The server sent no registration form');
  return {
    fields: form.fields.filter((f) => f && typeof f.name === 'string'),
    password: { minLength: typeof form.password?.minLength === 'number' ? form.password.minLength : 8 },
    categories: Array.isArray(form.categories) ? form.categories : [],
    consent: form.consent ?? { email: { ja: 'メールでお知らせを受け取る', en: 'Send me news by e-mail' } },
  };
}

import { describe, expect, it } from 'vitest';
import { ApiError, DEFAULT_RETRY, parseRetryAfter, retryDelayMs, ServerClient, TransportError } from './server-client.js';

type Reply = { status: number; body?: unknown; headers?: Record<string, string> } | Error;

/** A fetch that answers from a script and records what it was asked. */
function scriptedFetch(replies: Reply[]) {
  const calls: { url: string; init: RequestInit }[] = [];
  const impl = (async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), init: init ?? {} });
    const reply = replies.shift();
    if (!reply) throw new Error('no more scripted replies');
    if (reply instanceof Error) throw reply;
    const headers = new Headers(reply.headers);
    return new Response(reply.body === undefined ? null : JSON.stringify(reply.body), { status: reply.status, headers });
  }) as typeof fetch;
  return { impl, calls };
}

function client(replies: Reply[], opts: { retries?: number } = {}) {
  const { impl, calls } = scriptedFetch(replies);
  const sleeps: number[] = [];
  const c = new ServerClient('http://server.test/', {
    fetch: impl,
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0.5,
    retry: { retries: opts.retries ?? 4 },
  });
  return { c, calls, sleeps };
}

const networkDown = () => Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
const FORM = { fields: [], password: { minLength: 8 }, categories: [], consent: { email: { ja: 'j', en: 'e' } } };

describe('Retry-After', () => {
  it('is read as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });

  it('wins over the backoff when the server gives it', () => {
    expect(retryDelayMs(0, DEFAULT_RETRY, 7000)).toBe(7000);
  });
});

describe('exponential backoff', () => {
  it('doubles per attempt, with jitter, up to a ceiling', () => {
    const policy = { ...DEFAULT_RETRY, baseDelayMs: 500, maxDelayMs: 4000 };
    expect([0, 1, 2, 3, 4].map((a) => retryDelayMs(a, policy, null, () => 1))).toEqual([500, 1000, 2000, 4000, 4000]);
    expect(retryDelayMs(2, policy, null, () => 0)).toBe(1000);
  });
});

describe('the server client', () => {
  it('retries a 503 after the time its Retry-After asks for', async () => {
    const { c, sleeps, calls } = client([{ status: 503, body: { error: { code: 'unavailable', message: 'busy' } }, headers: { 'retry-after': '3' } }, { status: 200, body: FORM }]);
    await expect(c.form()).resolves.toMatchObject({ password: { minLength: 8 } });
    expect(sleeps).toEqual([3000]);
    expect(calls).toHaveLength(2);
  });

  it('retries a 429 using details.retryAfterSeconds when there is no header', async () => {
    const { c, sleeps } = client([{ status: 429, body: { error: { code: 'rate_limited', message: 'slow down', details: { retryAfterSeconds: 2 } } } }, { status: 200, body: { results: [] } }]);
    await c.collate([{ serial: 'A1', maker: 'M', model: 'X', category: 'pc' }]);
    expect(sleeps).toEqual([2000]);
  });

  it('does not silently wait out a long Retry-After: the caller is told', async () => {
    const { c, sleeps } = client([{ status: 429, body: { error: { code: 'rate_limited', message: 'later', details: { retryAfterSeconds: 900 } } }, headers: { 'retry-after': '900' } }]);
    const err = await c.collate([{ serial: 'A1', maker: 'M', model: 'X', category: 'pc' }]).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.retryAfterSeconds).toBe(900);
    expect(sleeps).toEqual([]);
  });

  it('backs off exponentially on network errors, then gives up with a TransportError', async () => {
    const { c, sleeps, calls } = client([networkDown(), networkDown(), networkDown()], { retries: 2 });
    const err = await c.form().catch((e) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect(err.kind).toBe('network');
    expect(err.message).toMatch(/connection refused/);
    expect(calls).toHaveLength(3);
    expect(sleeps).toEqual([375, 750]);
  });

  it('does not retry a definitive refusal', async () => {
    const { c, calls } = client([{ status: 409, body: { error: { code: 'serial_already_registered', message: 'taken', details: { serials: ['A1'] } } } }]);
    const err = await c.register({ existing: { registrationNo: '1', password: 'p' }, products: [] }, 'key').catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.serials).toEqual(['A1']);
    expect(calls).toHaveLength(1);
  });

  it('sends the same Idempotency-Key on every retry of one registration, and does not repeat a stored 429', async () => {
    const ok = { registrationNo: '1234567890', registrationNoFormatted: '1234-5678-90', customerNumber: '100001', products: [] };
    const { c, calls } = client([networkDown(), { status: 502 }, { status: 409, body: { error: { code: 'request_in_progress', message: 'wait' } } }, { status: 201, body: ok }]);
    await expect(c.register({ existing: { registrationNo: '1', password: 'p' }, products: [] }, 'attempt-1')).resolves.toEqual(ok);
    expect(calls.map((x) => (x.init.headers as Record<string, string>)['idempotency-key'])).toEqual(['attempt-1', 'attempt-1', 'attempt-1', 'attempt-1']);

    const limited = client([{ status: 429, body: { error: { code: 'rate_limited', message: 'no', details: { retryAfterSeconds: 1 } } } }]);
    await expect(limited.c.register({ existing: { registrationNo: '1', password: 'p' }, products: [] }, 'k')).rejects.toMatchObject({ code: 'rate_limited' });
    expect(limited.calls).toHaveLength(1);
  });

  it('keeps the portal session cookie and sends the CSRF token on writes', async () => {
    const customer = { customerNumber: '1', registrationNo: '1', registrationNoFormatted: '1', personal: {} };
    const { c, calls } = client([
      { status: 200, body: { customer, csrfToken: 'csrf-1' }, headers: { 'set-cookie': 'clientele_portal=sess-1; Path=/; HttpOnly; SameSite=Strict' } },
      { status: 200, body: customer },
    ]);
    await c.serialLogin('PF1', 'pw');
    expect(c.hasSession).toBe(true);
    await c.updateMe({ phone: '0312345678' });
    const headers = calls[1]!.init.headers as Record<string, string>;
    expect(headers.cookie).toBe('clientele_portal=sess-1');
    expect(headers['x-csrf-token']).toBe('csrf-1');
    expect(calls[1]!.init.method).toBe('PATCH');
  });

  it('turns a timeout into a TransportError of kind timeout', async () => {
    const timeout = Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' });
    const { c } = client([timeout], { retries: 0 });
    await expect(c.form()).rejects.toMatchObject({ kind: 'timeout' });
  });

  it('refuses a server URL that is not http(s)', () => {
    expect(() => new ServerClient('ftp://x')).toThrow(/http/);
    expect(() => new ServerClient('not a url')).toThrow(/Not a server URL/);
  });
});

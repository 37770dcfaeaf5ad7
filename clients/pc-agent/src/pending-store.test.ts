import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  clearPending,
  clearPendingUpdate,
  loadPending,
  loadPendingUpdate,
  readState,
  resolveStatePaths,
  sameRequest,
  savePending,
  savePendingUpdate,
  withoutPasswords,
  writeState,
  type PendingRequest,
  type StatePaths,
} from './pending-store.js';

let dir: string;
let paths: StatePaths;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pc-agent-state-'));
  paths = await resolveStatePaths(path.join(dir, 'agent', 'state.json'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const request: PendingRequest = {
  kind: 'new',
  customer: { name: '山田 太郎', email: 'taro@example.jp' },
  emailConsent: true,
  products: [{ serial: 'PF1', maker: 'Lenovo', model: 'X1', category: 'pc' }],
};

describe('the pending answers', () => {
  it('are kept next to the state file, readable only by their owner', async () => {
    expect(paths.pendingFile).toBe(path.join(dir, 'agent', 'pending.json'));
    await savePending(paths, { server: 'http://x', idempotencyKey: 'key-1', request });
    expect((await stat(paths.pendingFile)).mode & 0o777).toBe(0o600);
    expect((await stat(paths.dir)).mode & 0o777).toBe(0o700);
    expect(await loadPending(paths)).toMatchObject({ version: 1, idempotencyKey: 'key-1', request });
    // Written through a temporary file: nothing else is left in the directory.
    expect(await readdir(paths.dir)).toEqual(['pending.json']);
  });

  it('never contain a password, however it was handed in', async () => {
    const sneaky = { ...request, password: 'hunter2-secret', customer: { ...request.customer, passwordAgain: 'hunter2-secret' } } as PendingRequest;
    await savePending(paths, { server: 'http://x', idempotencyKey: 'k', request: sneaky, ...({ password: 'hunter2-secret' } as object) });
    const text = await readFile(paths.pendingFile, 'utf8');
    expect(text).not.toContain('hunter2-secret');
    expect(text).not.toMatch(/password/i);
  });

  it('are gone after clearing, and clearing twice is harmless', async () => {
    await savePending(paths, { server: 'http://x', idempotencyKey: 'k', request });
    await clearPending(paths);
    await clearPending(paths);
    expect(await loadPending(paths)).toBeNull();
  });

  it('set a damaged file aside instead of failing or deleting it', async () => {
    await savePending(paths, { server: 'http://x', idempotencyKey: 'k', request });
    await writeFile(paths.pendingFile, '{"version": 1, "request": ');
    expect(await loadPending(paths)).toBeNull();
    expect((await readdir(paths.dir)).some((f) => f.startsWith('pending.json.damaged-'))).toBe(true);
  });

  it('recognise the same request again, whatever the order of its keys', () => {
    const reordered = JSON.parse(JSON.stringify({ products: request.products, emailConsent: true, customer: { email: 'taro@example.jp', name: '山田 太郎' }, kind: 'new' }));
    expect(sameRequest(request, reordered)).toBe(true);
    expect(sameRequest(request, { ...request, emailConsent: false })).toBe(false);
  });
});

describe('the pending changes of personal information', () => {
  it('are kept in their own file, readable only by their owner, without the password, until cleared', async () => {
    await savePending(paths, { server: 'http://x', idempotencyKey: 'k', request });
    const sneaky = { server: 'http://x', serial: 'PF1', changes: { phone: '090-1111-2222', email: null }, password: 'hunter2-secret' };
    await savePendingUpdate(paths, sneaky);
    expect(paths.pendingUpdateFile).toBe(path.join(dir, 'agent', 'pending-update.json'));
    expect((await stat(paths.pendingUpdateFile)).mode & 0o777).toBe(0o600);
    expect(await readFile(paths.pendingUpdateFile, 'utf8')).not.toContain('hunter2-secret');
    expect(await loadPendingUpdate(paths)).toMatchObject({ version: 1, server: 'http://x', serial: 'PF1', changes: { phone: '090-1111-2222', email: null } });
    await clearPendingUpdate(paths);
    expect(await loadPendingUpdate(paths)).toBeNull();
    // The pending registration is another file, left alone.
    expect(await loadPending(paths)).toMatchObject({ request });
  });

  it('ignore a file that holds no change', async () => {
    await mkdir(paths.dir, { recursive: true });
    await writeFile(paths.pendingUpdateFile, JSON.stringify({ version: 1, server: 'http://x', serial: 'PF1', changes: {} }));
    expect(await loadPendingUpdate(paths)).toBeNull();
    await writeFile(paths.pendingUpdateFile, JSON.stringify({ version: 1, server: 'http://x', serial: 'PF1', changes: { phone: 12 } }));
    expect(await loadPendingUpdate(paths)).toBeNull();
  });
});

describe('the state file', () => {
  it('records a registration', async () => {
    expect(await readState(paths)).toBeNull();
    await writeState(paths, { registered: true, registrationNoFormatted: '1234-5678-90', serials: ['PF1'] });
    expect(await readState(paths)).toEqual({ registered: true, registrationNoFormatted: '1234-5678-90', serials: ['PF1'] });
    expect((await stat(paths.stateFile)).mode & 0o777).toBe(0o600);
  });

  it('is the system-wide file when it may be written, else the one in the user’s config directory', async () => {
    const system = path.join(dir, 'var', 'state.json');
    expect((await resolveStatePaths(undefined, { home: dir, systemStateFile: system })).stateFile).toBe(system);
    // A directory that cannot be created (its parent is a file) stands for one this user may not write.
    await writeFile(path.join(dir, 'not-a-dir'), '');
    const fallback = await resolveStatePaths(undefined, { home: dir, systemStateFile: path.join(dir, 'not-a-dir', 'x', 'state.json') });
    expect(fallback).toEqual({
      dir: path.join(dir, '.config', 'clientele-agent'),
      stateFile: path.join(dir, '.config', 'clientele-agent', 'state.json'),
      pendingFile: path.join(dir, '.config', 'clientele-agent', 'pending.json'),
      pendingUpdateFile: path.join(dir, '.config', 'clientele-agent', 'pending-update.json'),
    });
  });
});

describe('withoutPasswords', () => {
  it('removes password-like keys at any depth and keeps the rest', () => {
    expect(withoutPasswords({ a: 1, password: 'x', nested: [{ Password: 'y', keep: 'z' }], secretKey: 's' })).toEqual({ a: 1, nested: [{ keep: 'z' }] });
  });
});

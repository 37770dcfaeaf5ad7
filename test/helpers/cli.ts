import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI (from source, through tsx) with the given environment. */
export function runCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, env);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The environment of a CLI under test: its database, its data directory, every port chosen by the OS. */
export function cliTestEnv(databaseUrl: string, dataDir: string): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    CLIENTELE_DATA_DIR: dataDir,
    CLIENTELE_CONSOLE_PORT: '0',
    CLIENTELE_PORTAL_PORT: '0',
    CLIENTELE_PARTNER_PORT: '0',
    CLIENTELE_INGEST_PORT: '0',
    CLIENTELE_MQTT_PORT: '0',
  };
}

const running = new Set<ChildProcess>();

/** Kills every CLI a test started and did not stop (a test that timed out), so none outlives the run. */
export function killLeftoverClis(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

export function spawnCli(args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/main.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, CLIENTELE_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.on('exit', () => running.delete(child));
  return child;
}

/** Starts `clientele start …` and resolves once it says it is running. */
export function startCli(args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawnCli(['start', ...args], env);
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`clientele start did not come up:\n${output}`));
    }, timeoutMs);
    const check = () => {
      if (output.includes('Clientele is running') && /ingest\s+http/.test(output)) {
        clearTimeout(timer);
        setTimeout(() => resolve({ child, output: () => output }), 200);
      }
    };
    child.stderr!.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`clientele start exited with ${code}:\n${output}`));
    });
  });
}

export function stopCli(child: ChildProcess): Promise<number | null> {
  running.delete(child);
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

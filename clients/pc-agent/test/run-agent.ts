import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';

export const AGENT_BIN = path.resolve(import.meta.dirname, '../bin/clientele-agent.js');

export interface AgentResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real agent (the launcher, through tsx) and collects what it printed. */
export function runAgent(args: string[], env: Record<string, string> = {}): Promise<AgentResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [AGENT_BIN, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export function json(result: AgentResult): any {
  try {
    return JSON.parse(result.stdout);
  } catch {
    throw new Error(`the agent did not print JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
}

/** Serials no other test uses, shaped like real ones. */
export function serial(prefix: string): string {
  return `${prefix}${randomBytes(4).toString('hex').toUpperCase()}`;
}

/** A captured inventory: a PC with a printer, a scanner and a mouse without a serial. */
export async function writeInventory(
  file: string,
  serials: { pc: string; printer: string; scanner?: string },
): Promise<void> {
  const inventory = {
    machine: { maker: 'Lenovo', model: 'ThinkPad X1 Carbon', serial: serials.pc, category: 'pc', uuid: '4c4c4544-0000-1000-8000-000000000001' },
    peripherals: [
      { id: 'usb:1-2', maker: 'Canon', model: 'PIXMA TS8330', serial: serials.printer, category: 'printer', registrable: true },
      ...(serials.scanner ? [{ id: 'usb:1-3', maker: 'PFU', model: 'ScanSnap iX1600', serial: serials.scanner, category: 'scanner', registrable: true }] : []),
      { id: 'usb:1-4', maker: 'Logitech', model: 'USB Receiver', serial: null, category: 'other', registrable: false },
    ],
    warnings: [],
  };
  await writeFile(file, JSON.stringify(inventory, null, 2));
}

export async function writeJson(file: string, data: unknown): Promise<void> {
  await writeFile(file, JSON.stringify(data, null, 2));
}

export function newCustomerAnswers(email: string, password = 'correct horse battery') {
  return {
    mode: 'new',
    customer: {
      name: '山田 太郎',
      nameReading: 'ヤマダ タロウ',
      postalCode: '1000001',
      prefecture: '東京都',
      city: '千代田区',
      addressLine1: '千代田1-1',
      phone: '03-1234-5678',
      email,
    },
    password,
    emailConsent: true,
  };
}

/** A loopback port nobody listens on: the server is "down". */
export function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

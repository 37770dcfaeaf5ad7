import { readFile } from 'node:fs/promises';
import { table } from './text.js';

export const CATEGORIES = ['pc', 'printer', 'scanner', 'terminal_adapter', 'storage', 'other'] as const;
export type Category = (typeof CATEGORIES)[number];

/** The PC the agent runs on. `serial` is null when the firmware hides or lacks it. */
export interface Machine {
  maker: string | null;
  model: string | null;
  serial: string | null;
  category: Category;
  uuid?: string | null;
  registrable: boolean;
  /** Why the machine cannot be registered, when it cannot. */
  reason?: string;
  details?: Record<string, string>;
}

export interface Peripheral {
  /** Where it was found, stable across runs on the same machine: `usb:1-2`, `block:sda`. */
  id: string;
  maker: string | null;
  model: string | null;
  serial: string | null;
  category: Category;
  registrable: boolean;
  reason?: string;
  details?: Record<string, string>;
}

export interface Inventory {
  machine: Machine | null;
  peripherals: Peripheral[];
  warnings: string[];
}

/** A product as the server's registration endpoints take it. */
export interface ProductInput {
  serial: string;
  maker: string;
  model: string;
  category: Category;
  parentSerial?: string;
  details?: Record<string, string>;
}

export class InventoryError extends Error {
  constructor(
    message: string,
    readonly problems: string[] = [],
  ) {
    super(problems.length ? `${message}\n${problems.map((p) => `  - ${p}`).join('\n')}` : message);
    this.name = 'InventoryError';
  }
}

// The server's serial rule, applied to the same canonical form it uses (NFKC, no spaces,
// upper case): anything else would be refused there, so it is not offered here.
const SERIAL_RULE = /^[A-Z0-9][A-Z0-9._/-]{0,99}$/;

// What firmware and cheap USB chips report when nobody filled the field in.
const PLACEHOLDERS = new Set(
  [
    'to be filled by o.e.m.',
    'to be filled by oem',
    'default string',
    'system serial number',
    'system product name',
    'system manufacturer',
    'system version',
    'chassis serial number',
    'base board serial number',
    'not specified',
    'not applicable',
    'not available',
    'none',
    'n/a',
    'na',
    'null',
    'o.e.m.',
    'oem',
    'invalid',
    'unknown',
    '0123456789',
    '123456789',
    '1234567890',
    'xxxxxxxxxx',
  ].map((s) => s.toLowerCase()),
);

export function canonicalSerial(text: string): string {
  return text.normalize('NFKC').replace(/\s+/g, '').toUpperCase();
}

/** Text from firmware or a device descriptor, or null when it is empty or a placeholder. */
export function usableText(raw: string | null | undefined): string | null {
  if (raw === null || raw === undefined) return null;
  const text = raw.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  if (!text || PLACEHOLDERS.has(text.toLowerCase())) return null;
  return text;
}

/** Judges a reported serial: usable for registration, or the reason it is not. */
export function judgeSerial(raw: string | null | undefined): { serial: string | null; reason?: string } {
  if (raw === null || raw === undefined || !raw.trim()) return { serial: null, reason: 'no serial number reported' };
  const text = raw.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  if (!usableText(text) || /^0+$/.test(canonicalSerial(text)) || /^(.)\1+$/.test(canonicalSerial(text))) {
    return { serial: null, reason: `placeholder serial number "${text}"` };
  }
  if (!SERIAL_RULE.test(canonicalSerial(text))) return { serial: text, reason: `serial number "${text}" has characters that cannot be registered` };
  return { serial: text };
}

/**
 * Sets `registrable` and `reason` from the serial, maker and model. `forced` withdraws a device
 * whatever its serial (a virtual disk); `serialReason` explains a missing serial better than
 * "none reported" (it needs root).
 */
export function settle<T extends Machine | Peripheral>(device: T, opts: { forced?: string; serialReason?: string } = {}): T {
  let reason: string | undefined;
  const judged = judgeSerial(device.serial);
  if (opts.forced) reason = opts.forced;
  else if (!judged.serial) reason = opts.serialReason ?? judged.reason;
  else if (judged.reason) reason = judged.reason;
  else if (!device.maker || !device.model) reason = 'maker or model unknown';
  const out = { ...device, registrable: reason === undefined };
  if (reason) out.reason = reason;
  else delete out.reason;
  return out;
}

/** Two devices with the same serial cannot both be registered: the later one is marked. */
export function markDuplicates(inv: Inventory): Inventory {
  const seen = new Map<string, string>();
  if (inv.machine?.registrable && inv.machine.serial) seen.set(canonicalSerial(inv.machine.serial), 'this PC');
  const peripherals = inv.peripherals.map((p) => {
    if (!p.registrable || !p.serial) return p;
    const key = canonicalSerial(p.serial);
    const first = seen.get(key);
    if (first) return { ...p, registrable: false, reason: `same serial number as ${first}` };
    seen.set(key, p.id);
    return p;
  });
  return { ...inv, peripherals };
}

// ---------------------------------------------------------------------------------------------
// The inventory file (--from-file): a captured or hand-written inventory, validated strictly
// enough that a mistake is reported by its path instead of surfacing as a server refusal.

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function optionalText(obj: Record<string, unknown>, key: string, path: string, problems: string[], max = 200): string | null {
  const v = obj[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') {
    problems.push(`${path}.${key}: must be a string or null`);
    return null;
  }
  if ([...v].length > max) problems.push(`${path}.${key}: must be at most ${max} characters`);
  return v.trim() || null;
}

function categoryOf(obj: Record<string, unknown>, path: string, problems: string[], fallback: Category): Category {
  const v = obj.category;
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || !(CATEGORIES as readonly string[]).includes(v)) {
    problems.push(`${path}.category: must be one of ${CATEGORIES.join(', ')}`);
    return fallback;
  }
  return v as Category;
}

function detailsOf(obj: Record<string, unknown>, path: string, problems: string[]): Record<string, string> | undefined {
  const v = obj.details;
  if (v === undefined) return undefined;
  if (!isObject(v) || Object.values(v).some((x) => typeof x !== 'string')) {
    problems.push(`${path}.details: must be an object of strings`);
    return undefined;
  }
  return v as Record<string, string>;
}

function registrableFlag(obj: Record<string, unknown>, path: string, problems: string[]): boolean {
  const v = obj.registrable;
  if (v === undefined) return true;
  if (typeof v !== 'boolean') {
    problems.push(`${path}.registrable: must be true or false`);
    return true;
  }
  return v;
}

/**
 * Validates an inventory document. `registrable` in the file can only withdraw a device:
 * whether a serial can be registered is always decided again here.
 */
export function parseInventory(data: unknown): Inventory {
  const problems: string[] = [];
  if (!isObject(data)) throw new InventoryError('The inventory must be a JSON object with "machine" and "peripherals"');

  let machine: Machine | null = null;
  if (data.machine !== undefined && data.machine !== null) {
    if (!isObject(data.machine)) problems.push('machine: must be an object or null');
    else {
      const m = data.machine;
      const allowed = registrableFlag(m, 'machine', problems);
      const details = detailsOf(m, 'machine', problems);
      machine = {
        maker: optionalText(m, 'maker', 'machine', problems, 100),
        model: optionalText(m, 'model', 'machine', problems, 100),
        serial: optionalText(m, 'serial', 'machine', problems, 120),
        category: categoryOf(m, 'machine', problems, 'pc'),
        uuid: optionalText(m, 'uuid', 'machine', problems, 100),
        registrable: true,
        ...(details ? { details } : {}),
      };
      machine = settle(machine);
      if (!allowed && machine.registrable) machine = settle(machine, { forced: optionalText(m, 'reason', 'machine', problems) ?? 'marked not registrable in the file' });
    }
  }

  const peripherals: Peripheral[] = [];
  if (data.peripherals !== undefined && !Array.isArray(data.peripherals)) problems.push('peripherals: must be an array');
  const list = Array.isArray(data.peripherals) ? data.peripherals : [];
  if (list.length > 200) problems.push('peripherals: at most 200 devices');
  const ids = new Set<string>();
  list.slice(0, 200).forEach((p, i) => {
    const path = `peripherals[${i}]`;
    if (!isObject(p)) {
      problems.push(`${path}: must be an object`);
      return;
    }
    const id = optionalText(p, 'id', path, problems, 100);
    if (!id) problems.push(`${path}.id: is required (e.g. "usb:1-2")`);
    else if (ids.has(id)) problems.push(`${path}.id: "${id}" appears twice`);
    else ids.add(id);
    const allowed = registrableFlag(p, path, problems);
    const details = detailsOf(p, path, problems);
    const device: Peripheral = {
      id: id ?? `#${i}`,
      maker: optionalText(p, 'maker', path, problems, 100),
      model: optionalText(p, 'model', path, problems, 100),
      serial: optionalText(p, 'serial', path, problems, 120),
      category: categoryOf(p, path, problems, 'other'),
      registrable: true,
      ...(details ? { details } : {}),
    };
    const settled = settle(device);
    peripherals.push(!allowed && settled.registrable ? settle(device, { forced: optionalText(p, 'reason', path, problems) ?? 'marked not registrable in the file' }) : settled);
  });

  let warnings: string[] = [];
  if (data.warnings !== undefined) {
    if (!Array.isArray(data.warnings) || data.warnings.some((w) => typeof w !== 'string')) problems.push('warnings: must be an array of strings');
    else warnings = data.warnings as string[];
  }
  if (problems.length) throw new InventoryError('The inventory is not valid:', problems);
  return markDuplicates({ machine, peripherals, warnings });
}

export async function loadInventoryFile(file: string): Promise<Inventory> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new InventoryError(`Cannot read the inventory file ${file}: ${(err as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new InventoryError(`The inventory file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  try {
    return parseInventory(data);
  } catch (err) {
    if (err instanceof InventoryError) throw new InventoryError(`The inventory file ${file} is not valid:`, err.problems.length ? err.problems : [err.message]);
    throw err;
  }
}

/** Reads the inventory of this machine, or the given file. */
export async function collectInventory(opts: { fromFile?: string; sysfsRoot?: string; platform?: NodeJS.Platform }): Promise<Inventory> {
  if (opts.fromFile) return loadInventoryFile(opts.fromFile);
  const platform = opts.platform ?? process.platform;
  if (platform === 'linux') {
    const { readLinuxInventory } = await import('./inventory-linux.js');
    return readLinuxInventory({ sysfsRoot: opts.sysfsRoot ?? '/sys' });
  }
  const { readOtherInventory } = await import('./inventory-other.js');
  return readOtherInventory(platform);
}

// ---------------------------------------------------------------------------------------------

/** Something that can be registered: the machine or a peripheral, with a stable id. */
export interface Candidate {
  id: string;
  label: string;
  product: ProductInput;
  isMachine: boolean;
}

export const MACHINE_ID = 'machine';

function clip(text: string): string {
  return [...text].slice(0, 100).join('');
}

/** The registrable devices in the order they are shown, each as the product the server takes. */
export function candidatesOf(inv: Inventory): Candidate[] {
  const out: Candidate[] = [];
  const m = inv.machine;
  if (m?.registrable && m.serial && m.maker && m.model) {
    out.push({
      id: MACHINE_ID,
      label: `${m.maker} ${m.model} (this PC)`,
      isMachine: true,
      product: { serial: m.serial, maker: clip(m.maker), model: clip(m.model), category: m.category, details: { ...(m.uuid ? { uuid: m.uuid } : {}), ...m.details } },
    });
  }
  for (const p of inv.peripherals) {
    if (!p.registrable || !p.serial || !p.maker || !p.model) continue;
    out.push({
      id: p.id,
      label: `${p.maker} ${p.model}`,
      isMachine: false,
      product: { serial: p.serial, maker: clip(p.maker), model: clip(p.model), category: p.category, details: { foundAt: p.id, ...p.details } },
    });
  }
  return out;
}

/**
 * The products to send: a peripheral names the PC as its parent only when the PC is registered
 * in the same request (the server links them and refuses a parent it is not given).
 */
export function productsFor(selected: Candidate[]): ProductInput[] {
  const machine = selected.find((c) => c.isMachine);
  return selected.map((c) => (c.isMachine || !machine ? { ...c.product } : { ...c.product, parentSerial: machine.product.serial }));
}

/** Leaves products out; a peripheral whose PC was left out no longer names it as its parent. */
export function withoutSerials(products: ProductInput[], serials: string[]): ProductInput[] {
  const drop = new Set(serials.map(canonicalSerial));
  return products
    .filter((x) => !drop.has(canonicalSerial(x.serial)))
    .map((x) => {
      if (!x.parentSerial || !drop.has(canonicalSerial(x.parentSerial))) return x;
      const { parentSerial: _dropped, ...rest } = x;
      return rest;
    });
}

export function formatInventory(inv: Inventory): string {
  const rows: string[][] = [];
  const yes = (d: { registrable: boolean; reason?: string }) => (d.registrable ? 'yes' : `no: ${d.reason ?? ''}`);
  if (inv.machine) {
    const m = inv.machine;
    rows.push(['this PC', m.category, m.maker ?? '?', m.model ?? '?', m.serial ?? '-', yes(m)]);
  }
  for (const p of inv.peripherals) rows.push([p.id, p.category, p.maker ?? '?', p.model ?? '?', p.serial ?? '-', yes(p)]);
  const out: string[] = [];
  if (!inv.machine) out.push('This PC: not identified (no maker/model/serial information).');
  out.push(rows.length ? table(['Device', 'Category', 'Maker', 'Model', 'Serial', 'Registrable'], rows, 48) : 'No devices found.');
  if (inv.machine?.uuid) out.push(`PC UUID: ${inv.machine.uuid}`);
  for (const w of inv.warnings) out.push(`Note: ${w}`);
  return out.join('\n');
}

/** The JSON form of an inventory, as `inventory --json` prints and `--from-file` reads. */
export function inventoryJson(inv: Inventory): string {
  return JSON.stringify(inv, null, 2);
}

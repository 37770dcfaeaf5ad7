import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  candidatesOf,
  collectInventory,
  formatInventory,
  InventoryError,
  judgeSerial,
  loadInventoryFile,
  parseInventory,
  productsFor,
  withoutSerials,
} from './inventory.js';

const EXAMPLE = path.resolve(import.meta.dirname, '../examples/inventory.json');

function problemsOf(data: unknown): string[] {
  try {
    parseInventory(data);
  } catch (err) {
    if (err instanceof InventoryError) return err.problems.length ? err.problems : [err.message];
    throw err;
  }
  return [];
}

describe('the inventory file', () => {
  it('loads the example in the README', async () => {
    const inv = await loadInventoryFile(EXAMPLE);
    expect(inv.machine).toMatchObject({ maker: 'Lenovo', serial: 'PF2ABC12', registrable: true });
    expect(inv.peripherals.map((p) => [p.id, p.registrable])).toEqual([
      ['usb:1-2', true],
      ['usb:1-3', true],
      ['usb:1-4', false],
      ['block:nvme0n1', true],
    ]);
  });

  it('names every mistake by its path', () => {
    const problems = problemsOf({
      machine: { maker: 42, serial: 'X1', category: 'laptop' },
      peripherals: [{ maker: 'Canon', model: 'TS8330', serial: 'K1', category: 'printer' }, 'usb', { id: 'a', registrable: 'yes' }, { id: 'a' }],
      warnings: 'none',
    });
    expect(problems).toEqual([
      'machine.maker: must be a string or null',
      'machine.category: must be one of pc, printer, scanner, terminal_adapter, storage, other',
      'peripherals[0].id: is required (e.g. "usb:1-2")',
      'peripherals[1]: must be an object',
      'peripherals[2].registrable: must be true or false',
      'peripherals[3].id: "a" appears twice',
      'warnings: must be an array of strings',
    ]);
  });

  it('refuses what is not an inventory at all', () => {
    expect(problemsOf([])).toEqual(['The inventory must be a JSON object with "machine" and "peripherals"']);
    expect(problemsOf({ peripherals: {} })).toEqual(['peripherals: must be an array']);
  });

  it('decides registrability itself: a file can withdraw a device but not make a missing serial registrable', () => {
    const inv = parseInventory({
      machine: null,
      peripherals: [
        { id: 'a', maker: 'M', model: 'X', serial: null, category: 'other', registrable: true },
        { id: 'b', maker: 'M', model: 'X', serial: 'GOOD1', category: 'other', registrable: false, reason: 'on loan' },
        { id: 'c', maker: 'M', model: 'X', serial: 'bad serial!', category: 'other' },
        { id: 'd', maker: 'M', model: 'X', serial: 'To Be Filled By O.E.M.', category: 'other' },
        { id: 'e', serial: 'NOMAKER1', category: 'other' },
        { id: 'f', maker: 'M', model: 'X', serial: 'good1', category: 'other' },
      ],
    });
    expect(inv.peripherals.map((p) => [p.id, p.registrable, p.reason])).toEqual([
      ['a', false, 'no serial number reported'],
      ['b', false, 'on loan'],
      ['c', false, 'serial number "bad serial!" has characters that cannot be registered'],
      ['d', false, 'placeholder serial number "To Be Filled By O.E.M."'],
      ['e', false, 'maker or model unknown'],
      ['f', true, undefined],
    ]);
  });

  it('marks a second device with the same serial as not registrable', () => {
    const inv = parseInventory({
      machine: { maker: 'M', model: 'PC', serial: 'ABC1' },
      peripherals: [
        { id: 'a', maker: 'M', model: 'X', serial: 'abc1' },
        { id: 'b', maker: 'M', model: 'X', serial: 'Z9' },
        { id: 'c', maker: 'M', model: 'X', serial: 'z9' },
      ],
    });
    expect(inv.peripherals.map((p) => p.reason)).toEqual(['same serial number as this PC', undefined, 'same serial number as b']);
  });

  it('reports a file that cannot be read or parsed', async () => {
    await expect(loadInventoryFile('/nonexistent/inventory.json')).rejects.toThrow(/Cannot read the inventory file/);
    await expect(loadInventoryFile(path.resolve(import.meta.dirname, 'inventory.ts'))).rejects.toThrow(/is not valid JSON/);
  });

  it('says an unsupported platform is not supported yet', async () => {
    await expect(collectInventory({ platform: 'freebsd' })).rejects.toThrow(/not supported yet on freebsd.*--from-file/s);
  });
});

describe('judging serials', () => {
  it.each([
    ['PF2ABC12', 'PF2ABC12', undefined],
    [' KMZ 0123 ', 'KMZ 0123', undefined],
    ['', null, 'no serial number reported'],
    ['0000000000', null, 'placeholder serial number "0000000000"'],
    ['System Serial Number', null, 'placeholder serial number "System Serial Number"'],
  ])('%j → %j', (raw, serial, reason) => {
    expect(judgeSerial(raw)).toEqual({ serial, ...(reason ? { reason } : {}) });
  });
});

describe('what is sent for registration', () => {
  it('names the PC as the parent of its peripherals only when the PC is sent too', async () => {
    const inv = await loadInventoryFile(EXAMPLE);
    const candidates = candidatesOf(inv);
    expect(candidates.map((c) => c.id)).toEqual(['machine', 'usb:1-2', 'usb:1-3', 'block:nvme0n1']);
    const all = productsFor(candidates);
    expect(all[0]).toMatchObject({ serial: 'PF2ABC12', category: 'pc', details: { uuid: '4c4c4544-0042-3510-8051-b7c04f4e3132' } });
    expect(all[0]).not.toHaveProperty('parentSerial');
    expect(all[1]).toMatchObject({ serial: 'KMZ0123', category: 'printer', parentSerial: 'PF2ABC12', details: { foundAt: 'usb:1-2' } });
    expect(productsFor(candidates.slice(1)).every((p) => p.parentSerial === undefined)).toBe(true);
  });

  it('drops the parent link when the PC is left out after the fact', async () => {
    const products = productsFor(candidatesOf(await loadInventoryFile(EXAMPLE)));
    const rest = withoutSerials(products, ['pf2abc12']);
    expect(rest.map((p) => p.serial)).toEqual(['KMZ0123', 'A1BC004512', 'S64KNX0R123456']);
    expect(rest.some((p) => 'parentSerial' in p)).toBe(false);
  });

  it('prints a table for people', async () => {
    const text = formatInventory(await loadInventoryFile(EXAMPLE));
    expect(text).toMatch(/this PC\s+pc\s+Lenovo/);
    expect(text).toMatch(/usb:1-4 .* no: no serial number reported/);
  });
});

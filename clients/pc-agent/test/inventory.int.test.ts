import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { usableText } from '../src/inventory.js';
import { json, runAgent } from './run-agent.js';

/** One sysfs attribute, or null when absent or unreadable (root-only). */
function sysfs(file: string): string | null {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return null;
  }
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

interface Listed {
  id: string;
  maker: string | null;
  model: string | null;
  registrable: boolean;
  reason?: string;
}

let realInventory: Promise<{ machine: { maker: string | null; model: string | null } | null; peripherals: Listed[] }> | undefined;
/** `inventory --json` of this machine, run once for the tests that read it. */
function inventoryOfThisMachine() {
  realInventory ??= runAgent(['inventory', '--json']).then((res) => {
    expect(res.code, res.stderr).toBe(0);
    return json(res);
  });
  return realInventory;
}

describe('clientele-agent inventory on this machine', () => {
  it.runIf(process.platform === 'linux')('reads the real /sys: disks are listed, loop and zram devices are not, a virtual disk is not registrable', async () => {
    const res = await runAgent(['inventory', '--json']);
    expect(res.code, res.stderr).toBe(0);
    const inv = json(res);
    expect(Array.isArray(inv.peripherals)).toBe(true);
    expect(inv.peripherals.some((p: { id: string }) => /^block:(loop|zram|ram)/.test(p.id))).toBe(false);
    if (!existsSync('/sys/class/dmi/id')) {
      expect(inv.machine).toBeNull();
      expect(inv.warnings.join('\n')).toMatch(/No DMI information/);
    }
    // The development sandbox runs on a virtio disk: it must be shown, and never offered.
    if (existsSync('/sys/block/vda')) {
      expect(inv.peripherals).toContainEqual(expect.objectContaining({ id: 'block:vda', category: 'storage', registrable: false, reason: expect.stringMatching(/virtual disk/) }));
    }

    const table = await runAgent(['inventory']);
    expect(table.code).toBe(0);
    if (existsSync('/sys/block/vda')) expect(table.stdout).toMatch(/block:vda\s+storage\s.*\bno: virtual disk/);
  });

  it.runIf(process.platform === 'linux')('names this machine by the maker or model /sys/class/dmi/id gives', async (ctx) => {
    const dmi = '/sys/class/dmi/id';
    if (!existsSync(dmi)) ctx.skip(`${dmi} is absent (a VM without SMBIOS, a container, a board without DMI): nothing names this machine`);
    const named = ['sys_vendor', 'board_vendor', 'product_name', 'product_version', 'board_name']
      .map((name) => usableText(sysfs(path.join(dmi, name))))
      .filter((v): v is string => v !== null);
    if (!named.length) ctx.skip(`${dmi} gives no maker or model (unreadable, or firmware placeholders only)`);
    const inv = await inventoryOfThisMachine();
    expect(inv.machine, 'DMI names this machine, the inventory must too').not.toBeNull();
    const shown = [inv.machine!.maker, inv.machine!.model].filter((v): v is string => v !== null);
    expect(shown.length).toBeGreaterThan(0);
    for (const value of shown) expect(named).toContain(value);
  });

  it.runIf(process.platform === 'linux')('lists every disk and USB device the real /sys shows', async (ctx) => {
    // What this machine exposes, read here independently of the agent.
    const disks = list('/sys/block')
      .filter((name) => !/^(loop|ram|zram|dm-|md|nbd)/.test(name))
      // A disk behind USB is listed once, as its USB device.
      .filter((name) => !realpathSync(path.join('/sys/block', name)).includes('/usb'))
      .map((name) => `block:${name}`);
    const usbRoot = '/sys/bus/usb/devices';
    const usb = list(usbRoot)
      .filter((name) => !name.includes(':'))
      .filter((name) => sysfs(path.join(usbRoot, name, 'idVendor')) && sysfs(path.join(usbRoot, name, 'idProduct')))
      .filter((name) => sysfs(path.join(usbRoot, name, 'bDeviceClass')) !== '09')
      .map((name) => `usb:${name}`);
    const expected = [...disks, ...usb];
    if (!expected.length) ctx.skip('this machine’s /sys shows no disk and no USB device (no /sys/block entries that are hardware, no /sys/bus/usb)');
    const inv = await inventoryOfThisMachine();
    expect(inv.peripherals.map((p) => p.id)).toEqual(expect.arrayContaining(expected));
    for (const p of inv.peripherals.filter((x) => expected.includes(x.id))) {
      // Each is described: a maker or model, and a reason whenever it cannot be registered.
      expect(p.maker ?? p.model, p.id).toBeTruthy();
      if (!p.registrable) expect(p.reason, p.id).toBeTruthy();
    }
  });

  it('reads a fake sysfs tree given with --sysfs-root', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'pc-agent-sysroot-'));
    try {
      const files: Record<string, string> = {
        'class/dmi/id/sys_vendor': 'Dell Inc.',
        'class/dmi/id/product_name': 'Latitude 5440',
        'class/dmi/id/product_serial': 'ABC1234',
        'bus/usb/devices/3-1/idVendor': '04b8',
        'bus/usb/devices/3-1/idProduct': '1186',
        'bus/usb/devices/3-1/manufacturer': 'EPSON',
        'bus/usb/devices/3-1/product': 'EW-M752T Series',
        'bus/usb/devices/3-1/serial': 'X5E1234567',
        'bus/usb/devices/3-1:1.0/bInterfaceClass': '07',
      };
      for (const [rel, text] of Object.entries(files)) {
        const file = path.join(root, rel);
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(file, `${text}\n`);
      }
      const res = await runAgent(['inventory', '--json', '--sysfs-root', root]);
      expect(res.code, res.stderr).toBe(0);
      expect(json(res)).toEqual({
        machine: { maker: 'Dell Inc.', model: 'Latitude 5440', serial: 'ABC1234', category: 'pc', uuid: null, registrable: true, details: { serialSource: 'product_serial' } },
        peripherals: [{ id: 'usb:3-1', maker: 'EPSON', model: 'EW-M752T Series', serial: 'X5E1234567', category: 'printer', registrable: true, details: { usbId: '04b8:1186' } }],
        warnings: [],
      });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('shows a captured inventory, and names the mistakes in a bad one (exit 2)', async () => {
    const ok = await runAgent(['inventory', '--from-file', path.resolve(import.meta.dirname, '../examples/inventory.json')]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/usb:1-2\s+printer\s+Canon\s+PIXMA TS8330\s+KMZ0123\s+yes/);

    const dir = await mkdtemp(path.join(os.tmpdir(), 'pc-agent-badinv-'));
    try {
      await writeFile(path.join(dir, 'bad.json'), JSON.stringify({ machine: null, peripherals: [{ id: 'usb:1', category: 'toaster' }] }));
      const bad = await runAgent(['inventory', '--from-file', path.join(dir, 'bad.json')]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('peripherals[0].category: must be one of pc, printer, scanner, terminal_adapter, storage, other');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

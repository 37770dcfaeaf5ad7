import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { json, runAgent } from './run-agent.js';

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

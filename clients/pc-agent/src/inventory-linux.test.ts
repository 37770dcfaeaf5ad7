import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guessUsbCategory, parseVpdSerial, readLinuxInventory, realSysfs, type SysfsReader } from './inventory-linux.js';

let root: string;

/** Writes sysfs attribute files: `{ 'class/dmi/id/sys_vendor': 'LENOVO' }`, each ending in a newline like the kernel's. */
async function tree(base: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(base, rel);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, typeof content === 'string' ? `${content}\n` : content);
  }
}

function vpd(serial: string): Buffer {
  const body = Buffer.from(serial, 'latin1');
  return Buffer.concat([Buffer.from([0x00, 0x80, 0x00, body.length]), body]);
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'pc-agent-sysfs-'));
  await tree(root, {
    'class/dmi/id/sys_vendor': 'LENOVO',
    'class/dmi/id/product_name': '20XW0026JP',
    'class/dmi/id/product_version': 'ThinkPad X1 Carbon Gen 9',
    'class/dmi/id/product_serial': 'PF2ABC12',
    'class/dmi/id/product_uuid': '4C4C4544-0042-3510-8051-B7C04F4E3132',
    'class/dmi/id/board_serial': 'L1HF12345678',
    // Root hub: a hub (class 09), never a product.
    'bus/usb/devices/usb1/idVendor': '1d6b',
    'bus/usb/devices/usb1/idProduct': '0002',
    'bus/usb/devices/usb1/bDeviceClass': '09',
    'bus/usb/devices/usb1/serial': '0000:00:14.0',
    'bus/usb/devices/1-0:1.0/bInterfaceClass': '09',
    // A multifunction printer: printer + still-image + mass-storage interfaces → printer.
    'bus/usb/devices/1-2/idVendor': '04a9',
    'bus/usb/devices/1-2/idProduct': '1854',
    'bus/usb/devices/1-2/bDeviceClass': '00',
    'bus/usb/devices/1-2/manufacturer': 'Canon',
    'bus/usb/devices/1-2/product': 'TS8300 series',
    'bus/usb/devices/1-2/serial': 'KMZ0123',
    'bus/usb/devices/1-2:1.0/bInterfaceClass': '06',
    'bus/usb/devices/1-2:1.1/bInterfaceClass': '07',
    'bus/usb/devices/1-2:1.2/bInterfaceClass': '08',
    // A scanner.
    'bus/usb/devices/1-3/idVendor': '04c5',
    'bus/usb/devices/1-3/idProduct': '1666',
    'bus/usb/devices/1-3/bDeviceClass': '00',
    'bus/usb/devices/1-3/manufacturer': 'PFU',
    'bus/usb/devices/1-3/product': 'ScanSnap iX1600',
    'bus/usb/devices/1-3/serial': 'A1BC004512',
    'bus/usb/devices/1-3:1.0/bInterfaceClass': '06',
    // A mouse without a serial: listed, not registrable.
    'bus/usb/devices/1-4/idVendor': '046d',
    'bus/usb/devices/1-4/idProduct': 'c52b',
    'bus/usb/devices/1-4/bDeviceClass': '00',
    'bus/usb/devices/1-4/manufacturer': 'Logitech',
    'bus/usb/devices/1-4/product': 'USB Receiver',
    'bus/usb/devices/1-4:1.0/bInterfaceClass': '03',
    // A terminal adapter (CDC), with no manufacturer string.
    'bus/usb/devices/1-5/idVendor': '0409',
    'bus/usb/devices/1-5/idProduct': '0055',
    'bus/usb/devices/1-5/bDeviceClass': '02',
    'bus/usb/devices/1-5/serial': 'TA998877',
    'bus/usb/devices/1-5:1.0/bInterfaceClass': '02',
    'bus/usb/devices/1-5:1.1/bInterfaceClass': '0a',
    // An external hub with a serial: still a hub.
    'bus/usb/devices/1-6/idVendor': '05e3',
    'bus/usb/devices/1-6/idProduct': '0610',
    'bus/usb/devices/1-6/bDeviceClass': '09',
    'bus/usb/devices/1-6/serial': 'HUB123',
    // Disks: SATA with its serial on the device, NVMe without a vendor, a SCSI disk with VPD page 0x80 only,
    // a virtio disk, loop and zram devices.
    'block/sda/device/vendor': 'ATA     ',
    'block/sda/device/model': 'Samsung SSD 860 EVO 500GB',
    'block/sda/device/serial': 'S3Z1NB0K123456A',
    'block/nvme0n1/device/model': 'SAMSUNG MZVL2512HCJQ-00BL7',
    'block/nvme0n1/device/serial': '  S64KNX0R123456     ',
    'block/sdb/device/vendor': 'SEAGATE',
    'block/sdb/device/model': 'ST4000NM0023',
    'block/sdb/device/vpd_pg80': vpd('Z1Z0ABCD'),
    'block/vda/device/vendor': '0x1af4',
    'block/vda/serial': 'overlayblk',
    'block/loop0/device/vendor': 'loop',
    'block/zram0/device/vendor': 'zram',
  });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('reading a Linux PC from sysfs', () => {
  it('identifies the PC from DMI, with Lenovo’s model name rather than its machine-type code', async () => {
    const inv = await readLinuxInventory({ sysfsRoot: root });
    expect(inv.machine).toMatchObject({
      maker: 'LENOVO',
      model: 'ThinkPad X1 Carbon Gen 9',
      serial: 'PF2ABC12',
      category: 'pc',
      uuid: '4c4c4544-0042-3510-8051-b7c04f4e3132',
      registrable: true,
      details: { modelCode: '20XW0026JP', serialSource: 'product_serial' },
    });
    expect(inv.warnings).toEqual([]);
  });

  it('lists USB devices with a guessed category, skipping hubs and interfaces', async () => {
    const inv = await readLinuxInventory({ sysfsRoot: root });
    const usb = inv.peripherals.filter((p) => p.id.startsWith('usb:'));
    expect(usb.map((p) => [p.id, p.category, p.registrable])).toEqual([
      ['usb:1-2', 'printer', true],
      ['usb:1-3', 'scanner', true],
      ['usb:1-4', 'other', false],
      ['usb:1-5', 'terminal_adapter', true],
    ]);
    expect(usb[0]).toMatchObject({ maker: 'Canon', model: 'TS8300 series', serial: 'KMZ0123', details: { usbId: '04a9:1854' } });
    expect(usb[2]).toMatchObject({ maker: 'Logitech', serial: null, reason: 'no serial number reported' });
    expect(usb[3]).toMatchObject({ maker: 'USB vendor 0409', model: 'USB product 0409:0055' });
  });

  it('lists disks with their serials, skips loop and zram, and never offers a virtual disk', async () => {
    const inv = await readLinuxInventory({ sysfsRoot: root });
    const disks = inv.peripherals.filter((p) => p.id.startsWith('block:'));
    expect(disks.map((p) => p.id)).toEqual(['block:nvme0n1', 'block:sda', 'block:sdb', 'block:vda']);
    expect(disks.every((d) => d.category === 'storage')).toBe(true);
    expect(disks[0]).toMatchObject({ maker: 'SAMSUNG', serial: 'S64KNX0R123456', registrable: true });
    expect(disks[1]).toMatchObject({ maker: 'Samsung', model: 'Samsung SSD 860 EVO 500GB', serial: 'S3Z1NB0K123456A', registrable: true });
    expect(disks[2]).toMatchObject({ maker: 'SEAGATE', serial: 'Z1Z0ABCD', registrable: true });
    expect(disks[3]).toMatchObject({ registrable: false, reason: expect.stringContaining('virtual disk') });
  });

  it('says when a serial needs root, and falls back to what can be read', async () => {
    const hidden = new Set(['product_serial', 'product_uuid']);
    const reader: SysfsReader = {
      ...realSysfs,
      read: async (file) => (hidden.has(path.basename(file)) ? { ok: false, code: 'EACCES' } : realSysfs.read(file)),
    };
    const inv = await readLinuxInventory({ sysfsRoot: root, reader });
    expect(inv.machine).toMatchObject({ serial: 'L1HF12345678', uuid: null, registrable: true, details: { serialSource: 'board_serial' } });
    expect(inv.warnings).toContain('product_serial needs root: run with sudo to read it');
    expect(inv.warnings).toContain('product_uuid needs root: run with sudo to read it');
  });

  it('marks the PC not registrable, with the reason, when no serial can be read without root', async () => {
    const reader: SysfsReader = {
      ...realSysfs,
      read: async (file) => (/_(serial|uuid)$/.test(file) ? { ok: false, code: 'EACCES' } : realSysfs.read(file)),
    };
    const inv = await readLinuxInventory({ sysfsRoot: root, reader });
    expect(inv.machine).toMatchObject({ serial: null, registrable: false, reason: 'the serial number can only be read as root (run with sudo)' });
    expect(inv.warnings).toContain('board_serial needs root: run with sudo to read it');
  });

  it('treats firmware placeholders as no serial', async () => {
    const other = await mkdtemp(path.join(os.tmpdir(), 'pc-agent-sysfs-'));
    try {
      await tree(other, {
        'class/dmi/id/sys_vendor': 'To Be Filled By O.E.M.',
        'class/dmi/id/board_vendor': 'ASRock',
        'class/dmi/id/product_name': 'To Be Filled By O.E.M.',
        'class/dmi/id/board_name': 'B450M Pro4',
        'class/dmi/id/product_serial': 'To Be Filled By O.E.M.',
        'class/dmi/id/board_serial': '0000000000',
      });
      const inv = await readLinuxInventory({ sysfsRoot: other });
      expect(inv.machine).toMatchObject({ maker: 'ASRock', model: 'B450M Pro4', serial: null, registrable: false, reason: 'the firmware reports no serial number' });
      expect(inv.peripherals).toEqual([]);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('copes with a machine without DMI or USB (a virtual machine)', async () => {
    const bare = await mkdtemp(path.join(os.tmpdir(), 'pc-agent-sysfs-'));
    try {
      await tree(bare, { 'block/vda/device/vendor': '0x1af4' });
      const inv = await readLinuxInventory({ sysfsRoot: bare });
      expect(inv.machine).toBeNull();
      expect(inv.warnings[0]).toMatch(/No DMI information/);
      expect(inv.peripherals).toMatchObject([{ id: 'block:vda', serial: null, registrable: false }]);
    } finally {
      await rm(bare, { recursive: true, force: true });
    }
  });
});

describe('guessing the category of a USB device', () => {
  it.each([
    [['07'], undefined, 'printer'],
    [['06'], undefined, 'scanner'],
    [['08'], undefined, 'storage'],
    [['02', '0a'], undefined, 'terminal_adapter'],
    [[], '02', 'terminal_adapter'],
    [['03'], undefined, 'other'],
    [['ff'], undefined, 'other'],
    [['06', '07', '08'], '00', 'printer'],
    [['8'], undefined, 'storage'],
  ] as const)('interfaces %j, device class %s → %s', (interfaces, deviceClass, expected) => {
    expect(guessUsbCategory([...interfaces], deviceClass)).toBe(expected);
  });
});

describe('SCSI VPD page 0x80', () => {
  it('reads the unit serial number and ignores other pages', () => {
    expect(parseVpdSerial(vpd('  ABC123  '))).toBe('ABC123');
    expect(parseVpdSerial(Buffer.from([0, 0x83, 0, 2, 65, 66]))).toBeNull();
    expect(parseVpdSerial(null)).toBeNull();
  });
});

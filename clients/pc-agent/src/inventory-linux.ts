import { readdir, readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { judgeSerial, markDuplicates, settle, usableText, type Category, type Inventory, type Machine, type Peripheral } from './inventory.js';

/** One sysfs attribute: its text, or why it could not be read (`EACCES`, `ENOENT`, …). */
export type SysfsValue = { ok: true; text: string } | { ok: false; code: string };

/** How sysfs is read; tests replace it to simulate root-only files (root reads everything). */
export interface SysfsReader {
  read(file: string): Promise<SysfsValue>;
  readBytes(file: string): Promise<Buffer | null>;
  list(dir: string): Promise<string[] | null>;
  resolve(file: string): Promise<string>;
}

export const realSysfs: SysfsReader = {
  async read(file) {
    try {
      return { ok: true, text: (await readFile(file, 'utf8')).trim() };
    } catch (err) {
      return { ok: false, code: (err as NodeJS.ErrnoException).code ?? 'EIO' };
    }
  },
  async readBytes(file) {
    try {
      return await readFile(file);
    } catch {
      return null;
    }
  },
  async list(dir) {
    try {
      return (await readdir(dir)).sort(naturalOrder);
    } catch {
      return null;
    }
  },
  async resolve(file) {
    try {
      return await realpath(file);
    } catch {
      return file;
    }
  },
};

function naturalOrder(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

const USB_CLASS = { comm: '02', hid: '03', stillImage: '06', printer: '07', massStorage: '08', hub: '09', cdcData: '0a' } as const;

/**
 * The category of a USB device from its interface classes (and the device class, which
 * composite devices leave at 00). A printer that also scans and has a card slot is a printer.
 */
export function guessUsbCategory(interfaceClasses: string[], deviceClass?: string): Category {
  const classes = new Set([...interfaceClasses, ...(deviceClass ? [deviceClass] : [])].map((c) => c.toLowerCase().padStart(2, '0')));
  if (classes.has(USB_CLASS.printer)) return 'printer';
  if (classes.has(USB_CLASS.stillImage)) return 'scanner';
  if (classes.has(USB_CLASS.massStorage)) return 'storage';
  if (classes.has(USB_CLASS.comm)) return 'terminal_adapter';
  return 'other';
}

// Block devices that are not hardware: loop files, RAM disks, compressed swap, device-mapper,
// software RAID, network block devices.
const VIRTUAL_BLOCK = /^(loop|ram|zram|dm-|md|nbd)/;

// Disks a hypervisor makes up. Their "serial" (virtio's is whatever the host configured) names
// no product anyone bought.
const VIRTUAL_DISK = /\b(qemu|vbox|virtual|vmware|msft|xen)\b/i;
const PCI_VENDORS: Record<string, string> = { '0x1af4': 'virtio (Red Hat)', '0x15ad': 'VMware', '0x80ee': 'VirtualBox' };

interface Reads {
  value(file: string): Promise<string | null>;
}

export interface LinuxInventoryOptions {
  sysfsRoot: string;
  reader?: SysfsReader;
}

/** Reads the PC, its USB devices and its disks from sysfs (default root `/sys`). */
export async function readLinuxInventory(opts: LinuxInventoryOptions): Promise<Inventory> {
  const reader = opts.reader ?? realSysfs;
  const root = opts.sysfsRoot;
  const warnings: string[] = [];
  const needsRoot = new Set<string>();
  const reads: Reads = {
    async value(file) {
      const r = await reader.read(file);
      if (r.ok) return r.text;
      if (r.code === 'EACCES' || r.code === 'EPERM') needsRoot.add(path.basename(file));
      return null;
    },
  };

  const machine = await readMachine(root, reader, reads, warnings, needsRoot);
  const usb = await readUsb(root, reader, reads);
  const disks = await readBlock(root, reader, reads);
  for (const name of needsRoot) warnings.push(`${name} needs root: run with sudo to read it`);
  return markDuplicates({ machine, peripherals: [...usb, ...disks], warnings });
}

async function readMachine(root: string, reader: SysfsReader, reads: Reads, warnings: string[], needsRoot: Set<string>): Promise<Machine | null> {
  const dmi = path.join(root, 'class/dmi/id');
  if ((await reader.list(dmi)) === null) {
    warnings.push(`No DMI information at ${dmi} (a virtual machine, container or non-PC board?): this PC itself cannot be identified`);
    return null;
  }
  const read = (name: string) => reads.value(path.join(dmi, name));
  const [sysVendor, productName, productVersion, productSerial, productUuid, boardVendor, boardName, boardSerial] = await Promise.all(
    ['sys_vendor', 'product_name', 'product_version', 'product_serial', 'product_uuid', 'board_vendor', 'board_name', 'board_serial'].map(read),
  );
  const maker = usableText(sysVendor) ?? usableText(boardVendor);
  let model = usableText(productName) ?? usableText(boardName);
  const details: Record<string, string> = {};
  // Lenovo puts a machine-type code in product_name and the name people know in product_version.
  if (maker && /lenovo/i.test(maker) && usableText(productVersion)) {
    if (model) details.modelCode = model;
    model = usableText(productVersion);
  }
  const usable = (raw: string | null | undefined) => {
    const judged = judgeSerial(raw);
    return judged.serial && !judged.reason ? judged.serial : null;
  };
  let serial = usable(productSerial);
  if (serial) details.serialSource = 'product_serial';
  else if (usable(boardSerial)) {
    serial = usable(boardSerial);
    details.serialSource = 'board_serial';
    warnings.push('Using the mainboard serial (board_serial): the firmware gives no product serial');
  }
  let serialReason: string | undefined;
  if (!serial) {
    serialReason =
      needsRoot.has('product_serial') || needsRoot.has('board_serial')
        ? 'the serial number can only be read as root (run with sudo)'
        : 'the firmware reports no serial number';
  }
  const m: Machine = {
    maker,
    model,
    serial,
    category: 'pc',
    uuid: usableText(productUuid)?.toLowerCase() ?? null,
    registrable: false,
    ...(Object.keys(details).length ? { details } : {}),
  };
  return settle(m, serialReason ? { serialReason } : {});
}

async function readUsb(root: string, reader: SysfsReader, reads: Reads): Promise<Peripheral[]> {
  const dir = path.join(root, 'bus/usb/devices');
  const entries = await reader.list(dir);
  if (!entries) return [];
  const out: Peripheral[] = [];
  for (const name of entries) {
    // `1-2:1.0` is an interface of device `1-2`, not a device.
    if (name.includes(':')) continue;
    const read = (attr: string) => reads.value(path.join(dir, name, attr));
    const [idVendor, idProduct, deviceClass] = await Promise.all([read('idVendor'), read('idProduct'), read('bDeviceClass')]);
    if (!idVendor || !idProduct) continue;
    if (deviceClass?.toLowerCase() === USB_CLASS.hub) continue;
    const [manufacturer, product, serial] = await Promise.all([read('manufacturer'), read('product'), read('serial')]);
    const interfaceClasses: string[] = [];
    for (const iface of entries.filter((e) => e.startsWith(`${name}:`))) {
      const c = await reads.value(path.join(dir, iface, 'bInterfaceClass'));
      if (c) interfaceClasses.push(c);
    }
    const device: Peripheral = {
      id: `usb:${name}`,
      maker: usableText(manufacturer) ?? `USB vendor ${idVendor}`,
      model: usableText(product) ?? `USB product ${idVendor}:${idProduct}`,
      serial: serial?.trim() || null,
      category: guessUsbCategory(interfaceClasses, deviceClass ?? undefined),
      registrable: false,
      details: { usbId: `${idVendor}:${idProduct}` },
    };
    out.push(settle(device));
  }
  return out;
}

/** SCSI VPD page 0x80 (unit serial number): 4 header bytes, then the serial in ASCII. */
export function parseVpdSerial(bytes: Buffer | null): string | null {
  if (!bytes || bytes.length < 5 || bytes[1] !== 0x80) return null;
  const length = bytes.readUInt16BE(2);
  return usableText(bytes.subarray(4, 4 + length).toString('latin1'));
}

async function readBlock(root: string, reader: SysfsReader, reads: Reads): Promise<Peripheral[]> {
  const dir = path.join(root, 'block');
  const entries = await reader.list(dir);
  if (!entries) return [];
  const out: Peripheral[] = [];
  for (const name of entries) {
    if (VIRTUAL_BLOCK.test(name)) continue;
    // A USB stick or USB disk is already listed, with its USB serial, under the USB devices.
    if ((await reader.resolve(path.join(dir, name))).includes('/usb')) continue;
    const dev = path.join(dir, name, 'device');
    const [vendorRaw, modelRaw, deviceSerial, diskSerial] = await Promise.all([
      reads.value(path.join(dev, 'vendor')),
      reads.value(path.join(dev, 'model')),
      reads.value(path.join(dev, 'serial')),
      // virtio-blk exposes its serial on the disk itself, not on the device.
      reads.value(path.join(dir, name, 'serial')),
    ]);
    const vpdSerial = deviceSerial || diskSerial ? null : parseVpdSerial(await reader.readBytes(path.join(dev, 'vpd_pg80')));
    const vendor = usableText(vendorRaw);
    const model = usableText(modelRaw);
    const pciVendor = vendor ? PCI_VENDORS[vendor.toLowerCase()] : undefined;
    // SATA disks report the bus ("ATA") as their vendor; NVMe reports none: the maker leads the model.
    const maker = pciVendor ?? (vendor && vendor !== 'ATA' ? vendor : model ? (model.split(/\s+/)[0] ?? null) : null);
    const virtual = pciVendor !== undefined || VIRTUAL_DISK.test(`${vendor ?? ''} ${model ?? ''}`);
    const device: Peripheral = {
      id: `block:${name}`,
      maker,
      model: model ?? (virtual ? 'virtual disk' : null),
      serial: usableText(deviceSerial) ?? usableText(diskSerial) ?? vpdSerial,
      category: 'storage',
      registrable: false,
      ...(vendor ? { details: { vendor } } : {}),
    };
    out.push(settle(device, virtual ? { forced: 'virtual disk of a virtual machine: not a product that can be registered' } : {}));
  }
  return out;
}

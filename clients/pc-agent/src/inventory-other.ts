import { execFile } from 'node:child_process';
import { InventoryError, markDuplicates, settle, usableText, type Category, type Inventory, type Machine, type Peripheral } from './inventory.js';

/**
 * Inventories on macOS and Windows, from the system's own tools. The parsers are separate from
 * the commands so they can be checked against recorded output on any machine.
 */

export type CommandRunner = (command: string, args: string[]) => Promise<string>;

export const runCommand: CommandRunner = (command, args) =>
  new Promise((resolve, reject) => {
    execFile(command, args, { timeout: 120_000, maxBuffer: 64 * 1024 * 1024, windowsHide: true }, (err, stdout, stderr) => {
      if (err) reject(new InventoryError(`${command} failed: ${(stderr || err.message).trim()}`));
      else resolve(stdout);
    });
  });

export async function readOtherInventory(platform: NodeJS.Platform, run: CommandRunner = runCommand): Promise<Inventory> {
  if (platform === 'darwin') return readMacInventory(run);
  if (platform === 'win32') return readWindowsInventory(run);
  throw new InventoryError(
    `Reading the devices of this PC is not supported yet on ${platform}. ` +
      'Capture an inventory by hand (see clients/pc-agent/README.md) and pass it with --from-file.',
  );
}

function parseJson(text: string, tool: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new InventoryError(`${tool} did not print JSON`);
  }
}

function obj(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? usableText(v) : null;
}

/** The first string among keys matching a pattern: macOS renamed its USB keys between releases. */
function pick(o: Record<string, unknown>, ...patterns: RegExp[]): string | null {
  for (const re of patterns) {
    for (const [k, v] of Object.entries(o)) if (re.test(k) && str(v)) return str(v);
  }
  return null;
}

/** Without interface classes, the product name is the best hint there is. */
export function guessCategoryFromName(name: string): Category {
  // Printer names seldom say "printer": Canon's (TS8330, TR703, G6030, XK120), Epson's (EP-, EW-,
  // PX-), Brother's (DCP-, MFC-, HL-) and HP's product lines are recognised by their shape.
  if (
    /print|pixma|laserjet|deskjet|officejet|envy|ecotank|imageclass|複合機|プリンタ/i.test(name) ||
    /\b(ts|tr|mg|mx|xk|g)\d{3,4}\b|\b(ep|ew|px|dcp|mfc|hl)-?[a-z]?\d{3,4}/i.test(name)
  ) {
    return 'printer';
  }
  if (/scan|scansnap|\bfi-\d|\bds-\d|\bdr-[a-z]?\d|スキャナ/i.test(name)) return 'scanner';
  if (/disk|drive|ssd|hdd|storage|flash|card reader|ストレージ/i.test(name)) return 'storage';
  if (/modem|terminal adapter|\bta\b|isdn|router|ルータ/i.test(name)) return 'terminal_adapter';
  return 'other';
}

// ---- macOS -----------------------------------------------------------------------------------

export async function readMacInventory(run: CommandRunner): Promise<Inventory> {
  // SPUSBHostDataType replaced SPUSBDataType in recent macOS; asking for both covers either.
  const out = await run('system_profiler', ['SPHardwareDataType', 'SPUSBDataType', 'SPUSBHostDataType', '-json']);
  return parseMacProfile(parseJson(out, 'system_profiler'));
}

export function parseMacProfile(data: unknown): Inventory {
  const root = obj(data);
  const warnings: string[] = [];
  const hw = obj(arr(root.SPHardwareDataType)[0]);
  let machine: Machine | null = null;
  if (Object.keys(hw).length) {
    const name = str(hw.machine_name);
    const identifier = str(hw.machine_model) ?? str(hw.model_number);
    machine = settle({
      maker: 'Apple',
      model: name ?? identifier,
      serial: str(hw.serial_number),
      category: 'pc',
      uuid: str(hw.platform_UUID)?.toLowerCase() ?? null,
      registrable: false,
      ...(identifier && name ? { details: { modelIdentifier: identifier } } : {}),
    });
  } else warnings.push('system_profiler reported no hardware overview: this Mac itself cannot be identified');

  const peripherals: Peripheral[] = [];
  const walk = (items: unknown[], trail: string) => {
    items.forEach((raw, i) => {
      const item = obj(raw);
      const name = pick(item, /^_name$/) ?? 'USB device';
      const here = `${trail}.${i}`;
      const children = arr(item._items);
      // Buses and hubs carry devices; they are not products to register.
      const isHub = /hub|bus$/i.test(name) || (children.length > 0 && !pick(item, /serial/i));
      if (!isHub && (pick(item, /vendor_?id/i) || pick(item, /product_?id/i) || pick(item, /serial/i))) {
        const location = pick(item, /location_?id/i);
        const vendorId = pick(item, /vendor_?id/i)?.split(/\s/)[0] ?? '';
        const productId = pick(item, /product_?id/i)?.split(/\s/)[0] ?? '';
        peripherals.push(
          settle({
            id: `usb:${location ? location.split(/\s/)[0] : here}`,
            maker: pick(item, /^manufacturer$/i, /vendor_?name/i) ?? (vendorId ? `USB vendor ${vendorId}` : null),
            model: name,
            serial: pick(item, /^serial_num(ber)?$/i, /serial/i),
            category: guessCategoryFromName(name),
            registrable: false,
            ...(vendorId || productId ? { details: { usbId: `${vendorId}:${productId}` } } : {}),
          }),
        );
      }
      walk(children, here);
    });
  };
  walk(arr(root.SPUSBDataType), 'usb');
  walk(arr(root.SPUSBHostDataType), 'usbhost');
  return markDuplicates({ machine, peripherals: dedupeById(peripherals), warnings });
}

function dedupeById(list: Peripheral[]): Peripheral[] {
  const seen = new Set<string>();
  return list.filter((p) => (seen.has(p.id) ? false : (seen.add(p.id), true)));
}

// ---- Windows ---------------------------------------------------------------------------------

const WINDOWS_SCRIPT = [
  "$ErrorActionPreference = 'SilentlyContinue'",
  '$cs = Get-CimInstance Win32_ComputerSystem | Select-Object Manufacturer, Model, SystemFamily',
  '$bios = Get-CimInstance Win32_BIOS | Select-Object SerialNumber',
  '$csp = Get-CimInstance Win32_ComputerSystemProduct | Select-Object UUID, Version',
  "$pnp = @(Get-CimInstance Win32_PnPEntity | Where-Object { $_.PNPDeviceID -like 'USB\\*' } | Select-Object Name, Manufacturer, PNPDeviceID, PNPClass, Service)",
  '$disks = @(Get-CimInstance Win32_DiskDrive | Select-Object Model, SerialNumber, InterfaceType, PNPDeviceID)',
  '[pscustomobject]@{ system = $cs; bios = $bios; product = $csp; pnp = $pnp; disks = $disks } | ConvertTo-Json -Depth 4 -Compress',
].join('\n');

export async function readWindowsInventory(run: CommandRunner): Promise<Inventory> {
  const out = await run('powershell.exe', ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-Command', WINDOWS_SCRIPT]);
  return parseWindowsInventory(parseJson(out, 'PowerShell'));
}

const USB_ID = /^USB\\VID_([0-9A-F]{4})&PID_([0-9A-F]{4})(&MI_[0-9A-F]{2})?\\(.+)$/i;

function windowsCategory(classes: Set<string>, services: Set<string>): Category {
  if (classes.has('printer') || services.has('usbprint')) return 'printer';
  if (classes.has('image') || services.has('usbscan')) return 'scanner';
  if (classes.has('diskdrive') || services.has('usbstor') || services.has('uaspstor')) return 'storage';
  if (classes.has('modem') || services.has('usbser')) return 'terminal_adapter';
  return 'other';
}

export function parseWindowsInventory(data: unknown): Inventory {
  const root = obj(data);
  const warnings: string[] = [];
  const system = obj(root.system);
  const product = obj(root.product);
  const maker = str(system.Manufacturer);
  // Lenovo's Model is a machine-type code; the name people know is the family / product version.
  const modelName = maker && /lenovo/i.test(maker) ? (str(product.Version) ?? str(system.SystemFamily)) : null;
  const machine: Machine | null = Object.keys(system).length
    ? settle({
        maker,
        model: modelName ?? str(system.Model),
        serial: str(obj(root.bios).SerialNumber),
        category: 'pc',
        uuid: str(product.UUID)?.toLowerCase() ?? null,
        registrable: false,
        ...(modelName && str(system.Model) ? { details: { modelCode: str(system.Model)! } } : {}),
      })
    : null;
  if (!machine) warnings.push('Win32_ComputerSystem gave no answer: this PC itself cannot be identified');

  // A USB device shows up once for the device (USB\VID_x&PID_y\<instance>) and once per
  // interface (…&MI_nn\…); the interfaces carry the class that says what it is. Windows makes up
  // an instance id containing '&' when the device has no serial of its own.
  // Devices are told apart by their whole device id, so two printers of one model stay two
  // printers with two serials. An interface's instance id does not name its device, so classes,
  // drivers and names are gathered per model (vendor + product id): one model, one set of interfaces.
  interface Model {
    classes: Set<string>;
    services: Set<string>;
    names: string[];
    devices: number;
  }
  const models = new Map<string, Model>();
  const devices = new Map<string, { usbId: string; instance: string; entry: Record<string, unknown> }>();
  for (const raw of arr(root.pnp)) {
    const e = obj(raw);
    const id = str(e.PNPDeviceID);
    const m = id ? USB_ID.exec(id) : null;
    if (!id || !m) continue;
    const usbId = `${m[1]!.toUpperCase()}:${m[2]!.toUpperCase()}`;
    const model = models.get(usbId) ?? { classes: new Set<string>(), services: new Set<string>(), names: [], devices: 0 };
    models.set(usbId, model);
    const cls = str(e.PNPClass)?.toLowerCase();
    const service = str(e.Service)?.toLowerCase();
    if (cls) model.classes.add(cls);
    if (service) model.services.add(service);
    const name = str(e.Name);
    if (name) model.names.push(name);
    // Device ids are case-insensitive; the same device listed twice is still one device.
    if (!m[3] && !devices.has(id.toUpperCase())) {
      devices.set(id.toUpperCase(), { usbId, instance: m[4]!, entry: e });
      model.devices++;
    }
  }
  const peripherals: Peripheral[] = [];
  for (const { usbId, instance, entry } of devices.values()) {
    const model = models.get(usbId)!;
    if (model.classes.has('usbhub') || model.services.has('usbhub') || model.services.has('usbhub3')) continue;
    const name = str(entry.Name) ?? model.names[0] ?? `USB device ${usbId}`;
    const serial = instance.includes('&') ? null : instance;
    const category = windowsCategory(model.classes, model.services);
    peripherals.push(
      settle({
        // Alone of its model, the device keeps the short id; two of a kind add Windows's instance id.
        id: `usb:${usbId.toLowerCase()}${model.devices > 1 ? `/${instance.toLowerCase()}` : ''}`,
        maker: str(entry.Manufacturer)?.replace(/^\((standard|標準).*\)$/i, '') || `USB vendor ${usbId.split(':')[0]}`,
        model: name,
        serial,
        category: category === 'other' ? guessCategoryFromName(model.names.join(' ')) : category,
        registrable: false,
        details: { usbId: usbId.toLowerCase() },
      }),
    );
  }
  arr(root.disks).forEach((raw, i) => {
    const d = obj(raw);
    if (str(d.InterfaceType)?.toUpperCase() === 'USB') return; // listed with the USB devices
    const model = str(d.Model);
    peripherals.push(
      settle({
        id: `disk:${i}`,
        maker: model ? (model.split(/\s+/)[0] ?? null) : null,
        model,
        serial: str(d.SerialNumber)?.replace(/\.$/, '') ?? null,
        category: 'storage',
        registrable: false,
      }),
    );
  });
  return markDuplicates({ machine, peripherals, warnings });
}

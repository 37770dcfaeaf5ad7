import { describe, expect, it } from 'vitest';
import { guessCategoryFromName, parseMacProfile, parseWindowsInventory, readOtherInventory } from './inventory-other.js';

// Shaped like `system_profiler SPHardwareDataType SPUSBDataType -json` (values made up).
const MAC = {
  SPHardwareDataType: [
    { _name: 'hardware_overview', machine_name: 'MacBook Pro', machine_model: 'MacBookPro18,3', serial_number: 'C02XK1ABMD6M', platform_UUID: 'A1B2C3D4-0000-1111-2222-333344445555' },
  ],
  SPUSBDataType: [
    {
      _name: 'USB31Bus',
      _items: [
        {
          _name: 'USB2.0 Hub',
          vendor_id: '0x05e3',
          _items: [
            { _name: 'TS8300 series', manufacturer: 'Canon', serial_num: 'KMZ0123', vendor_id: '0x04a9  (Canon Inc.)', product_id: '0x1854', location_id: '0x01110000 / 3' },
            { _name: 'USB Receiver', manufacturer: 'Logitech', vendor_id: '0x046d', product_id: '0xc52b', location_id: '0x01120000 / 4' },
          ],
        },
        { _name: 'ScanSnap iX1600', manufacturer: 'PFU', serial_num: 'A1BC004512', vendor_id: '0x04c5', product_id: '0x1666', location_id: '0x01200000 / 5' },
      ],
    },
  ],
};

// Shaped like the agent's PowerShell query (Win32_ComputerSystem, Win32_BIOS, Win32_PnPEntity, Win32_DiskDrive).
const WINDOWS = {
  system: { Manufacturer: 'LENOVO', Model: '20XW0026JP', SystemFamily: 'ThinkPad X1 Carbon Gen 9' },
  bios: { SerialNumber: 'PF2ABC12' },
  product: { UUID: '4C4C4544-0042-3510-8051-B7C04F4E3132', Version: 'ThinkPad X1 Carbon Gen 9' },
  pnp: [
    { Name: 'USB Composite Device', Manufacturer: '(Standard USB Host Controller)', PNPDeviceID: 'USB\\VID_04A9&PID_1854\\KMZ0123', PNPClass: 'USB', Service: 'usbccgp' },
    { Name: 'USB Printing Support', Manufacturer: 'Microsoft', PNPDeviceID: 'USB\\VID_04A9&PID_1854&MI_00\\7&1B2C3D&0&0000', PNPClass: 'USB', Service: 'usbprint' },
    { Name: 'Canon TS8300 series', Manufacturer: 'Canon', PNPDeviceID: 'USB\\VID_04A9&PID_1854&MI_01\\7&1B2C3D&0&0001', PNPClass: 'Image', Service: 'usbscan' },
    { Name: 'ScanSnap iX1600', Manufacturer: 'PFU', PNPDeviceID: 'USB\\VID_04C5&PID_1666\\A1BC004512', PNPClass: 'Image', Service: 'usbscan' },
    { Name: 'USB Input Device', Manufacturer: '(Standard system devices)', PNPDeviceID: 'USB\\VID_046D&PID_C52B\\6&2A3B4C&0&2', PNPClass: 'HIDClass', Service: 'HidUsb' },
    { Name: 'USB Root Hub (USB 3.0)', Manufacturer: '(Standard USB HUBs)', PNPDeviceID: 'USB\\ROOT_HUB30\\4&1234&0&0', PNPClass: 'USB', Service: 'USBHUB3' },
    { Name: 'Generic USB Hub', PNPDeviceID: 'USB\\VID_05E3&PID_0610\\5&ABC&0&1', PNPClass: 'USB', Service: 'USBHUB3' },
  ],
  disks: [
    { Model: 'SAMSUNG MZVL2512HCJQ-00BL7', SerialNumber: '0025_3881_1234_5678.', InterfaceType: 'SCSI' },
    { Model: 'SanDisk Cruzer USB Device', SerialNumber: '4C530001', InterfaceType: 'USB' },
  ],
};

describe('macOS (system_profiler)', () => {
  it('reads the Mac and its USB devices, skipping hubs', () => {
    const inv = parseMacProfile(MAC);
    expect(inv.machine).toMatchObject({ maker: 'Apple', model: 'MacBook Pro', serial: 'C02XK1ABMD6M', uuid: 'a1b2c3d4-0000-1111-2222-333344445555', registrable: true, details: { modelIdentifier: 'MacBookPro18,3' } });
    expect(inv.peripherals.map((p) => [p.id, p.maker, p.category, p.serial, p.registrable])).toEqual([
      ['usb:0x01110000', 'Canon', 'printer', 'KMZ0123', true],
      ['usb:0x01120000', 'Logitech', 'other', null, false],
      ['usb:0x01200000', 'PFU', 'scanner', 'A1BC004512', true],
    ]);
  });

  it('copes with output that has no hardware overview', () => {
    const inv = parseMacProfile({});
    expect(inv.machine).toBeNull();
    expect(inv.warnings).toHaveLength(1);
  });
});

describe('Windows (CIM)', () => {
  it('reads the PC, groups USB interfaces under their device, and uses the instance id as the serial only when it is one', () => {
    const inv = parseWindowsInventory(WINDOWS);
    expect(inv.machine).toMatchObject({ maker: 'LENOVO', model: 'ThinkPad X1 Carbon Gen 9', serial: 'PF2ABC12', registrable: true, details: { modelCode: '20XW0026JP' } });
    const byId = Object.fromEntries(inv.peripherals.map((p) => [p.id.replace(/#\d+$/, ''), p]));
    expect(byId['usb:04a9:1854']).toMatchObject({ category: 'printer', serial: 'KMZ0123', registrable: true });
    expect(byId['usb:04c5:1666']).toMatchObject({ category: 'scanner', serial: 'A1BC004512', maker: 'PFU' });
    expect(byId['usb:046d:c52b']).toMatchObject({ serial: null, registrable: false });
    expect(byId['usb:05e3:0610']).toBeUndefined();
    const disks = inv.peripherals.filter((p) => p.id.startsWith('disk:'));
    expect(disks).toMatchObject([{ maker: 'SAMSUNG', serial: '0025_3881_1234_5678', category: 'storage' }]);
  });

  it('keeps two devices of the same model apart, each with its own serial', () => {
    // Two Canon TS8300 printers (same vendor and product id) and two identical receivers without
    // serials, as Win32_PnPEntity lists them: each device, then its interfaces.
    const inv = parseWindowsInventory({
      ...WINDOWS,
      pnp: [
        { Name: 'USB Composite Device', Manufacturer: '(Standard USB Host Controller)', PNPDeviceID: 'USB\\VID_04A9&PID_1854\\KMZ0123', PNPClass: 'USB', Service: 'usbccgp' },
        { Name: 'USB Printing Support', Manufacturer: 'Microsoft', PNPDeviceID: 'USB\\VID_04A9&PID_1854&MI_00\\7&1B2C3D&0&0000', PNPClass: 'USB', Service: 'usbprint' },
        { Name: 'Canon TS8300 series', Manufacturer: 'Canon', PNPDeviceID: 'USB\\VID_04A9&PID_1854&MI_01\\7&1B2C3D&0&0001', PNPClass: 'Image', Service: 'usbscan' },
        { Name: 'USB Composite Device', Manufacturer: '(Standard USB Host Controller)', PNPDeviceID: 'USB\\VID_04A9&PID_1854\\KMZ0456', PNPClass: 'USB', Service: 'usbccgp' },
        { Name: 'USB Printing Support', Manufacturer: 'Microsoft', PNPDeviceID: 'USB\\VID_04A9&PID_1854&MI_00\\7&2D4E5F&0&0000', PNPClass: 'USB', Service: 'usbprint' },
        { Name: 'Canon TS8300 series', Manufacturer: 'Canon', PNPDeviceID: 'USB\\VID_04A9&PID_1854&MI_01\\7&2D4E5F&0&0001', PNPClass: 'Image', Service: 'usbscan' },
        { Name: 'USB Input Device', Manufacturer: '(Standard system devices)', PNPDeviceID: 'USB\\VID_046D&PID_C52B\\6&2A3B4C&0&2', PNPClass: 'HIDClass', Service: 'HidUsb' },
        { Name: 'USB Input Device', Manufacturer: '(Standard system devices)', PNPDeviceID: 'USB\\VID_046D&PID_C52B\\6&2A3B4C&0&3', PNPClass: 'HIDClass', Service: 'HidUsb' },
        { Name: 'ScanSnap iX1600', Manufacturer: 'PFU', PNPDeviceID: 'USB\\VID_04C5&PID_1666\\A1BC004512', PNPClass: 'Image', Service: 'usbscan' },
      ],
    });
    const usb = inv.peripherals.filter((p) => p.id.startsWith('usb:'));
    expect(usb.map((p) => [p.id, p.serial, p.category, p.registrable])).toEqual([
      ['usb:04a9:1854/kmz0123', 'KMZ0123', 'printer', true],
      ['usb:04a9:1854/kmz0456', 'KMZ0456', 'printer', true],
      ['usb:046d:c52b/6&2a3b4c&0&2', null, 'other', false],
      ['usb:046d:c52b/6&2a3b4c&0&3', null, 'other', false],
      // Alone of its model: the short id.
      ['usb:04c5:1666', 'A1BC004512', 'scanner', true],
    ]);
  });
});

describe('other platforms', () => {
  it('say plainly that they are not supported yet', async () => {
    await expect(readOtherInventory('aix', async () => '')).rejects.toThrow(/not supported yet on aix/);
  });

  it('guess a category from a product name', () => {
    expect(guessCategoryFromName('EPSON EW-M752T Printer')).toBe('printer');
    expect(guessCategoryFromName('fi-7160 Scanner')).toBe('scanner');
    expect(guessCategoryFromName('Extreme Portable SSD')).toBe('storage');
    expect(guessCategoryFromName('Aterm ISDN TA')).toBe('terminal_adapter');
    expect(guessCategoryFromName('TS8300 series')).toBe('printer');
    expect(guessCategoryFromName('EW-M752T')).toBe('printer');
    expect(guessCategoryFromName('Brother MFC-J6983CDW')).toBe('printer');
    expect(guessCategoryFromName('Keyboard')).toBe('other');
    expect(guessCategoryFromName('USB Receiver')).toBe('other');
  });
});

/**
 * USB classification against fixtures of `si.usb()` output.
 *
 * Provenance: the fixtures are written, not captured. linux-si-usb.json follows what systeminformation's
 * parseLinuxUsb makes of `lsusb -v` (first interface's class name, `vvvv:pppp` id, names from usb.ids 2025-07);
 * windows-si-usb.json follows parseWindowsUsb (only hubs/storage/keyboard/pointing/controller CIM rows survive);
 * windows-pnp-usb.json is the shape of our Win32_PnPEntity query. Replace them with captures from a commune PC
 * when one is available.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePnpJson } from '../../../agent/system/inventory.js';
import { classifyUsb, factsFromPnp, factsFromSi, usbInventory } from '../../../agent/system/usb-classes.js';

const fixture = (name: string): unknown[] =>
  JSON.parse(readFileSync(new URL(`../../fixtures/usb/${name}`, import.meta.url), 'utf8'));
const byId = (inv: ReturnType<typeof usbInventory>) =>
  Object.fromEntries(inv.devices.map((d) => [`${d.vendorId}:${d.productId}`, d]));

describe('USB classification, Linux si.usb() shape', () => {
  const inv = usbInventory(fixture('linux-si-usb.json'));
  const dev = byId(inv);

  it.each([
    ['072f:b100', 'smartcard-reader', 'id', 'ACS ACR39U chip reader'],
    ['096e:0807', 'signing-token', 'id', 'Feitian ePass2003 token is CCID but not a chip reader'],
    ['04a9:1913', 'scanner', 'vendor', 'Canon LiDE 300 is vendor-specific class: decided by Canon id range'],
    ['04b8:118a', 'scanner', 'vendor', 'Epson L3250 all-in-one: first interface vendor-specific'],
    ['03f0:002a', 'printer', 'class', 'HP LaserJet P1102: class 0x07'],
    ['04a9:2676', 'printer', 'class', 'Canon LBP2900: class 0x07'],
    ['046d:c077', 'other', 'class', 'mouse'],
    ['413c:2113', 'other', 'class', 'keyboard'],
    ['0bda:0129', 'other', 'id', 'Realtek memory-card reader is not a smart-card reader'],
    ['05e3:0749', 'other', 'class', 'Genesys SD reader: mass storage'],
    ['05ac:12a8', 'other', 'class', 'iPhone speaks PTP (class 0x06) but is not a scanner'],
  ])('%s → %s by %s (%s)', (id, cls, basis) => {
    expect(dev[id]?.class).toBe(cls);
    expect(dev[id]?.basis).toBe(basis);
  });

  it('drops hubs, keeps the rest, counts per class and lists important devices first', () => {
    expect(inv.devices).toHaveLength(11);
    expect(inv.counts).toEqual({ 'smartcard-reader': 1, 'signing-token': 1, scanner: 2, printer: 2, other: 5 });
    expect(inv.devices.map((d) => d.class).slice(0, 6)).toEqual([
      'smartcard-reader',
      'signing-token',
      'scanner',
      'scanner',
      'printer',
      'printer',
    ]);
    expect(dev['072f:b100']).toMatchObject({ name: 'ACR39U', manufacturer: 'ACS' });
  });
});

describe('USB classification, Windows si.usb() + Win32_PnPEntity', () => {
  const siRows = fixture('windows-si-usb.json');
  const pnpRows = fixture('windows-pnp-usb.json');

  it('si.usb() alone cannot see the chip reader or the scanner (why the PnP query exists)', () => {
    const inv = usbInventory(siRows);
    expect(inv.counts['smartcard-reader']).toBe(0);
    expect(byId(inv)['04a9:1913']).toBeUndefined();
  });

  it('merges composite devices per vendor:product id and classifies from PnP class and CompatibleID', () => {
    const inv = usbInventory(siRows, pnpRows);
    const dev = byId(inv);
    expect(Object.keys(dev).sort()).toEqual(
      [
        '03f0:002a',
        '046d:c077',
        '04a9:1913',
        '04b8:118a',
        '05ac:12a8',
        '072f:b100',
        '0951:1666',
        '096e:0807',
        '0bda:0129',
        '413c:2113',
      ].sort(),
    );
    expect(dev['072f:b100']).toMatchObject({ class: 'smartcard-reader', name: 'ACS ACR39U', classCode: 0x0b });
    expect(dev['096e:0807']).toMatchObject({ class: 'signing-token', name: 'Feitian ePass2003' });
    expect(dev['04a9:1913']).toMatchObject({
      class: 'scanner',
      name: 'CanoScan LiDE 300',
      classCode: 0x06,
      basis: 'class',
    });
    // Print + scan + storage interfaces: counted as a scanner; its print queue counts it as a printer.
    expect(dev['04b8:118a']).toMatchObject({ class: 'scanner', name: 'EPSON L3250 Series', manufacturer: 'EPSON' });
    expect(dev['03f0:002a']).toMatchObject({ class: 'printer', classCode: 0x07 });
    expect(dev['0bda:0129']?.class).toBe('other');
    expect(dev['05ac:12a8']?.class).toBe('other');
    expect(dev['0951:1666']).toMatchObject({ class: 'other', classCode: 0x08 });
    expect(inv.counts).toEqual({ 'smartcard-reader': 1, 'signing-token': 1, scanner: 2, printer: 1, other: 5 });
  });

  it('ignores host controllers and root hubs', () => {
    expect(factsFromSi(siRows[0])).toBeUndefined();
    expect(factsFromSi(siRows[1])).toBeUndefined();
    expect(
      factsFromPnp({ Name: 'USB Root Hub (USB 3.0)', PNPClass: 'USB', PNPDeviceID: 'USB\\ROOT_HUB30\\4&2B5C2C1F&0&0' }),
    ).toBeUndefined();
  });

  it('parses PowerShell JSON: array, single bare object, empty output, BOM', () => {
    expect(parsePnpJson('[{"Name":"a"},{"Name":"b"}]')).toHaveLength(2);
    expect(parsePnpJson('{"Name":"a"}')).toEqual([{ Name: 'a' }]);
    expect(parsePnpJson('  \r\n')).toEqual([]);
    expect(parsePnpJson('\uFEFF[{"Name":"a"}]')).toHaveLength(1);
    expect(() => parsePnpJson('Get-CimInstance : Access denied')).toThrow();
  });
});

describe('classifyUsb rules', () => {
  const f = (vendorId: string | undefined, productId: string | undefined, names: string[], classCodes: number[] = []) =>
    classifyUsb({ vendorId, productId, names, classCodes });

  it.each([
    [
      'unknown vendor, "Smart Card" in the name',
      f('1234', '5678', ['Smart Card Reader USB'], [0xff]),
      'smartcard-reader',
      'name',
    ],
    ['unknown CCID device', f('1234', '5678', ['Generic CCID reader'], [0x0b]), 'smartcard-reader', 'class'],
    ['CCID device named token', f('1234', '5678', ['PKI Token'], [0x0b]), 'signing-token', 'class'],
    ['SafeNet CCID device', f('0529', '9999', ['eToken'], [0x0b]), 'signing-token', 'class'],
    ['memory-card reader named "Card Reader"', f('1234', '5678', ['USB2.0-CRW Card Reader'], [0xff]), 'other', 'none'],
    ['Canon camera in PTP mode', f('04a9', '3218', ['PowerShot G12'], [0x06]), 'other', 'class'],
    ['Canon LiDE 120, vendor-specific class', f('04a9', '190e', [], [0xff]), 'scanner', 'vendor'],
    ['HP ScanJet id (low byte 05)', f('03f0', '1705', [], [0xff]), 'scanner', 'vendor'],
    ['HP LaserJet P1006, no class seen', f('03f0', '3e17', [], []), 'printer', 'vendor'],
    ['Brother, vendor-specific', f('04f9', '0042', [], [0xff]), 'printer', 'vendor'],
    ['Fujitsu/PFU fi-series', f('04c5', '132b', [], [0xff]), 'scanner', 'vendor'],
    ['ACS reader in keyboard-wedge (HID) mode', f('072f', '2242', [], [0x03]), 'other', 'class'],
    ['ACS reader, class unknown', f('072f', '2242', [], []), 'smartcard-reader', 'vendor'],
    ['no ids, "Scanner" in the name', f(undefined, undefined, ['Document Scanner'], []), 'scanner', 'name'],
    ['nothing known', f(undefined, undefined, [], []), 'other', 'none'],
  ])('%s', (_label, got, cls, basis) => {
    expect(got.class).toBe(cls);
    expect(got.basis).toBe(basis);
  });
});

/**
 * USB device classification: is this a citizen-ID chip reader, a signing token, a scanner, a printer, or other?
 *
 * Rules, first match wins: exact vendor:product id → USB class codes (0x0B smart card, 0x06 still image,
 * 0x07 printer) → "smart card" in the name → other known classes (HID, storage, audio…) → vendor default
 * (with product-id ranges for Canon, Epson and HP) → name keywords. Ids and names are from the usb.ids
 * database (2025-07). Memory-card readers from Realtek, Genesys and Alcor are *not* smart-card readers:
 * they are mass storage or vendor-specific, and only Alcor's AU9540 family is CCID.
 *
 * Input shapes differ by platform. Linux `si.usb()` keeps only the first interface's class *name* from
 * `lsusb -v` (the number is dropped), and `id` is `vvvv:pppp`. Windows `si.usb()` returns only devices
 * whose WMI class is a hub, storage, keyboard, pointing device or controller — smart-card readers and
 * scanners (PnP classes SmartCardReader and Image) never appear — so inventory.ts adds Win32_PnPEntity
 * rows, whose CompatibleID lists the class codes. Windows rows are merged per vendor:product id because
 * one composite device (an all-in-one printer) is several PnP entities.
 */
import type { UsbClassBasis, UsbDevice, UsbDeviceClass } from '../../protocol/system.js';

/** Normalised facts about one physical device, whatever the source. */
export interface UsbFacts {
  vendorId?: string;
  productId?: string;
  names: string[];
  manufacturer?: string;
  classCodes: number[];
}

export interface UsbClassification {
  class: UsbDeviceClass;
  classCode?: number;
  basis: UsbClassBasis;
}

type Row = readonly [UsbDeviceClass, string];
/**
 * Exact ids. Chip readers as sold for citizen-ID (CCCD) reading; the tokens Vietnamese CAs ship; and card readers
 * that are not smart-card readers.
 */
const BY_ID: Record<string, Row> = {
  '072f:9000': ['smartcard-reader', 'ACS ACR38'],
  '072f:90cc': ['smartcard-reader', 'ACS ACR38U'],
  '072f:b100': ['smartcard-reader', 'ACS ACR39U'],
  '072f:b101': ['smartcard-reader', 'ACS ACR39K'],
  '072f:2200': ['smartcard-reader', 'ACS ACR122U (contactless)'],
  '072f:9006': ['signing-token', 'ACS CryptoMate'],
  '072f:90db': ['signing-token', 'ACS CryptoMate64'],
  '096e:0503': ['smartcard-reader', 'Feitian SCR301'],
  '096e:0608': ['smartcard-reader', 'Feitian KP382'],
  '096e:0005': ['signing-token', 'Feitian ePass2000'],
  '096e:0305': ['signing-token', 'Feitian ePass2000Auto'],
  '096e:0702': ['signing-token', 'Feitian ePass3003'],
  '096e:0703': ['signing-token', 'Feitian ePass3003Auto'],
  '096e:0807': ['signing-token', 'Feitian ePass2003'],
  '0529:0600': ['signing-token', 'SafeNet eToken Pro'],
  '0529:0620': ['signing-token', 'SafeNet eToken 5110'],
  '08e6:3437': ['smartcard-reader', 'Gemalto GemPC Twin'],
  '08e6:3438': ['smartcard-reader', 'Gemalto GemPC Key'],
  '08e6:5503': ['smartcard-reader', 'Gemalto Prox-DU (contactless)'],
  '076b:3021': ['smartcard-reader', 'HID Omnikey 3121'],
  '076b:5340': ['smartcard-reader', 'HID Omnikey 5021 CL'],
  '04e6:5116': ['smartcard-reader', 'Identiv SCR3310'],
  '04e6:5810': ['smartcard-reader', 'Identiv uTrust 2700 R'],
  '058f:9540': ['smartcard-reader', 'Alcor AU9540'],
  '0bda:0129': ['other', 'Realtek RTS5129 memory-card reader'],
  '0bda:0158': ['other', 'Realtek multicard reader'],
  '05e3:0723': ['other', 'Genesys GL827L memory-card reader'],
  '05e3:0751': ['other', 'Genesys microSD reader'],
  '058f:6366': ['other', 'Alcor multi-flash reader'],
};

type VendorRule = UsbDeviceClass | ((pid: number) => UsbDeviceClass);
const canon = (pid: number): UsbDeviceClass => {
  const hi = pid >> 8; // Canon groups product ids by line
  if ([0x16, 0x17, 0x18, 0x19, 0x22].includes(hi)) return 'scanner'; // DR document scanners, PIXMA all-in-ones, CanoScan LiDE
  if ((hi >= 0x10 && hi <= 0x12) || (hi >= 0x26 && hi <= 0x28)) return 'printer'; // inkjets, LBP lasers, imageCLASS MF
  return 'other'; // 0x31xx–0x33xx: cameras
};
const epson = (pid: number): UsbDeviceClass => {
  const hi = pid >> 8;
  if ([0x01, 0x08, 0x11].includes(hi)) return 'scanner'; // Perfection/GT scanners; 08xx and 11xx are all-in-ones (L-series)
  return hi === 0x04 || hi === 0x05 ? 'other' : 'printer'; // 04xx/05xx: cameras
};
/** HP's low byte marks the product type: 01/05 ScanJet, the rest printers and all-in-ones. */
const hp = (pid: number): UsbDeviceClass => ([0x01, 0x05].includes(pid & 0xff) ? 'scanner' : 'printer');

/** Vendor defaults, used only when the class codes say nothing decisive (vendor-specific or unknown). */
const BY_VENDOR: Record<string, VendorRule> = {
  '072f': 'smartcard-reader', // ACS
  '08e6': 'smartcard-reader', // Gemalto / Thales
  '076b': 'smartcard-reader', // HID Omnikey
  '04e6': 'smartcard-reader', // SCM / Identiv (its old eUSB media readers are mass storage, caught by class)
  '0ca6': 'smartcard-reader', // Castles
  '0529': 'signing-token', // SafeNet / Aladdin eToken
  '04a9': canon,
  '04b8': epson,
  '03f0': hp,
  '04f9': 'printer', // Brother
  '04c5': 'scanner', // Fujitsu / PFU fi-series, ScanSnap
  '0638': 'scanner', // Avision
  '07b3': 'scanner', // Plustek
};
/** Phones and cameras speak USB class 0x06 (PTP) too; plugged in to charge, they are not scanners. */
const CAMERA_VENDORS = new Set(['05ac', '04e8', '18d1', '2717', '22d9', '2d95', '12d1', '054c', '04b0', '04da']);
const TOKEN_VENDORS = new Set(['0529']);

/** Class names as `lsusb -v` prints them (usb.ids), and as si renames some of them from the device name. */
const LINUX_TYPE_CODES: Record<string, number> = {
  'chip/smartcard': 0x0b,
  printer: 0x07,
  imaging: 0x06,
  'still image': 0x06,
  'human interface device': 0x03,
  keyboard: 0x03,
  mouse: 0x03,
  storage: 0x08,
  'mass storage': 0x08,
  hub: 0x09,
  audio: 0x01,
  microphone: 0x01,
  video: 0x0e,
  camera: 0x0e,
  wireless: 0xe0,
  communications: 0x02,
  'cdc data': 0x0a,
  'vendor specific class': 0xff,
  'miscellaneous device': 0xef,
  'application specific interface': 0xfe,
};
/** Windows PnP setup classes that pin down the function. */
const PNP_CLASS_CODES: Record<string, number> = {
  smartcardreader: 0x0b,
  image: 0x06,
  printer: 0x07,
  hidclass: 0x03,
  keyboard: 0x03,
  mouse: 0x03,
  diskdrive: 0x08,
  media: 0x01,
  camera: 0x0e,
  bluetooth: 0xe0,
  net: 0x02,
};
/** Class codes that decide "other" (the device is clearly something else). */
const OTHER_CODES = new Set([0x01, 0x02, 0x03, 0x08, 0x0a, 0x0e, 0xe0]);
const GENERIC_NAMES = [
  'usb (composite|input|mass storage) device',
  'usb printing support',
  'hid-compliant .*',
  'hid keyboard device',
  'microsoft usbccid smartcard reader.*',
  '.*usb (root )?hub.*',
];
const GENERIC_NAME = new RegExp(`^(${GENERIC_NAMES.join('|')})$`, 'i');

const str = (v: unknown) => (typeof v === 'string' ? v.replace(/[\u0000-\u001f\u007f]/g, ' ').trim() : '');
const hex4 = (s: string | undefined) => (s && /^[0-9a-f]{4}$/i.test(s) ? s.toLowerCase() : undefined);
const clip = (s: string, max: number) => (s.length > max ? s.slice(0, max) : s);
/** Windows reports the driver's provider as Manufacturer, cheap devices report "Generic": not who made it. */
const DRIVER_PROVIDER = /^(\(.*|microsoft|compatible usb.*|generic( usb)?)$/i;
const maker = (v: unknown) => (DRIVER_PROVIDER.test(str(v)) ? undefined : str(v) || undefined);
const VID_PID = /VID_([0-9a-f]{4})&PID_([0-9a-f]{4})/i;

/** Facts from one `si.usb()` entry (Linux or Windows shape); undefined for hubs and host controllers. */
export function factsFromSi(raw: unknown): UsbFacts | undefined {
  const r = (raw ?? {}) as Record<string, unknown>;
  const name = str(r.name);
  const names = name ? [name] : [];
  const type = str(r.type).toLowerCase();
  const lin = /^([0-9a-f]{4}):([0-9a-f]{4})$/i.exec(str(r.id));
  if (lin) {
    if (lin[1] === '1d6b' || type === 'hub') return undefined; // root and external hubs: noise, not equipment
    const code = LINUX_TYPE_CODES[type];
    const manufacturer = maker(r.manufacturer) ?? maker(r.vendor);
    return {
      vendorId: hex4(lin[1]),
      productId: hex4(lin[2]),
      names,
      manufacturer,
      classCodes: code === undefined ? [] : [code],
    };
  }
  const win = VID_PID.exec(str(r.deviceId));
  if (!win) return undefined; // Windows root hubs and PCI host controllers carry no VID/PID
  const code = windowsSiCode(name, type);
  if (code === 0x09) return undefined;
  return {
    vendorId: hex4(win[1]),
    productId: hex4(win[2]),
    names,
    manufacturer: maker(r.manufacturer),
    classCodes: code === undefined ? [] : [code],
  };
}

/** On Windows si's `type` is 'Hub' for everything Win32_USBHub lists (composites too), so read the driver name. */
function windowsSiCode(name: string, type: string): number | undefined {
  if (/printing support/i.test(name)) return 0x07;
  if (/mass storage/i.test(name) || type === 'storage') return 0x08;
  if (/input device|\bhid\b/i.test(name) || type === 'keyboard' || type === 'mouse') return 0x03;
  if (/usb (root )?hub/i.test(name)) return 0x09;
  return undefined;
}

/** Facts from one Win32_PnPEntity row (Name, Manufacturer, PNPClass, PNPDeviceID, CompatibleID). */
export function factsFromPnp(raw: unknown): UsbFacts | undefined {
  const r = (raw ?? {}) as Record<string, unknown>;
  const id = VID_PID.exec(str(r.PNPDeviceID));
  if (!id) return undefined;
  const compat = Array.isArray(r.CompatibleID) ? r.CompatibleID : [r.CompatibleID];
  // `USB\Class_0B&SubClass_00&Prot_00` per interface; `USB\DevClass_00` (composite parent) carries nothing.
  const codes = compat
    .map((c) => /USB\\(?:Dev)?Class_([0-9a-f]{2})/i.exec(str(c))?.[1])
    .filter((c): c is string => !!c)
    .map((c) => parseInt(c, 16))
    .filter((c) => c !== 0);
  const pnp = PNP_CLASS_CODES[str(r.PNPClass).toLowerCase()];
  if (pnp !== undefined) codes.unshift(pnp);
  const name = str(r.Name);
  if (codes.includes(0x09) || /usb (root )?hub/i.test(name)) return undefined;
  return {
    vendorId: hex4(id[1]),
    productId: hex4(id[2]),
    names: name ? [name] : [],
    manufacturer: maker(r.Manufacturer),
    classCodes: codes,
  };
}

/** Classify one device; pure, so fixtures test it directly. */
export function classifyUsb(f: UsbFacts): UsbClassification {
  const codes = new Set(f.classCodes);
  const names = f.names.join(' | ');
  const exact = BY_ID[key(f)];
  if (exact) return { class: exact[0], basis: 'id', ...firstCode(f) };
  const rule = f.vendorId ? BY_VENDOR[f.vendorId] : undefined;
  const byVendor = typeof rule === 'function' ? rule(parseInt(f.productId ?? '0', 16)) : rule;
  if (codes.has(0x0b)) {
    const token = (f.vendorId && TOKEN_VENDORS.has(f.vendorId)) || /token|epass|cryptomate|ikey/i.test(names);
    return { class: token ? 'signing-token' : 'smartcard-reader', classCode: 0x0b, basis: 'class' };
  }
  if (codes.has(0x06)) {
    const camera =
      (f.vendorId && CAMERA_VENDORS.has(f.vendorId)) ||
      byVendor === 'other' ||
      /camera|webcam|phone|android|\bmtp\b|\bptp\b/i.test(names);
    return { class: camera ? 'other' : 'scanner', classCode: 0x06, basis: 'class' };
  }
  if (codes.has(0x07)) return { class: 'printer', classCode: 0x07, basis: 'class' };
  if (/smart ?card|chip ?card|\bccid\b|\bicc\b/i.test(names))
    return { class: 'smartcard-reader', basis: 'name', ...firstCode(f) };
  const other = f.classCodes.find((c) => OTHER_CODES.has(c));
  if (other !== undefined) return { class: 'other', classCode: other, basis: 'class' };
  if (byVendor) return { class: byVendor, basis: 'vendor', ...firstCode(f) };
  if (/scan/i.test(names)) return { class: 'scanner', basis: 'name', ...firstCode(f) };
  if (/print|laserjet|deskjet|officejet/i.test(names)) return { class: 'printer', basis: 'name', ...firstCode(f) };
  return { class: 'other', basis: 'none', ...firstCode(f) };
}

/** `vvvv:pppp`, or '' when either id is unknown. */
function key(f: UsbFacts): string {
  return f.vendorId && f.productId ? `${f.vendorId}:${f.productId}` : '';
}

function firstCode(f: UsbFacts): { classCode?: number } {
  return f.classCodes[0] === undefined ? {} : { classCode: f.classCodes[0] };
}

const RANK: Record<UsbDeviceClass, number> = {
  'smartcard-reader': 0,
  'signing-token': 1,
  scanner: 2,
  printer: 3,
  other: 4,
};

/** The classified device list, most important first, plus per-class counts over all devices (before any cap). */
export interface UsbInventory {
  devices: UsbDevice[];
  counts: Record<UsbDeviceClass, number>;
}

/**
 * Normalise, merge and classify. `siRows` are `si.usb()` entries; `pnpRows` are Win32_PnPEntity rows
 * (Windows only). Windows-derived rows are merged per vendor:product id; Linux rows are one per device.
 */
export function usbInventory(siRows: readonly unknown[], pnpRows: readonly unknown[] = []): UsbInventory {
  const merged = new Map<string, UsbFacts>();
  const add = (f: UsbFacts | undefined, key: string) => {
    if (!f) return;
    const prev = merged.get(key);
    if (!prev) return void merged.set(key, { ...f, names: [...f.names], classCodes: [...f.classCodes] });
    prev.names.push(...f.names.filter((n) => !prev.names.includes(n)));
    prev.classCodes.push(...f.classCodes.filter((c) => !prev.classCodes.includes(c)));
    prev.manufacturer ??= f.manufacturer;
  };
  siRows.forEach((row, i) => {
    const f = factsFromSi(row);
    const windows = typeof (row as { deviceId?: unknown } | null)?.deviceId === 'string';
    add(f, (windows && f && key(f)) || `si#${i}`);
  });
  pnpRows.forEach((row, i) => {
    const f = factsFromPnp(row);
    add(f, (f && key(f)) || `pnp#${i}`);
  });
  const counts: Record<UsbDeviceClass, number> = {
    'smartcard-reader': 0,
    'signing-token': 0,
    scanner: 0,
    printer: 0,
    other: 0,
  };
  const devices = [...merged.values()].map((f) => {
    const c = classifyUsb(f);
    counts[c.class]++;
    const label = BY_ID[key(f)]?.[1];
    // Prefer the device's own name, then our table's label over a driver's generic name ("USB Composite Device").
    const name = f.names.find((n) => !GENERIC_NAME.test(n)) ?? label ?? f.names[0] ?? (key(f) || 'unknown');
    const d: UsbDevice = { name: clip(name, 128), class: c.class, basis: c.basis };
    if (f.vendorId) d.vendorId = f.vendorId;
    if (f.productId) d.productId = f.productId;
    if (f.manufacturer) d.manufacturer = clip(f.manufacturer, 128);
    if (c.classCode !== undefined) d.classCode = c.classCode;
    return d;
  });
  devices.sort((a, b) => RANK[a.class as UsbDeviceClass] - RANK[b.class as UsbDeviceClass]);
  return { devices, counts };
}

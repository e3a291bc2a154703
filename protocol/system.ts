/**
 * Wire schemas for the commune PC's health samples (every few minutes) and equipment inventory (daily).
 *
 * Same rules as protocol/wire.ts: lenient to unknown fields so older servers accept newer agents, every
 * field the server reads typed and bounded. Enumerations that may grow (USB device class, basis) are
 * patterned strings rather than literal unions, so a new value from a newer agent is not a 400.
 * Fields fed by a systeminformation call are optional: when that call fails the collector leaves them out
 * and names the call in `errors`, so the server keeps the last known value instead of storing a fake zero.
 */
import Type, { type Static } from 'typebox';

const EpochMs = (description: string) => Type.Integer({ minimum: 0, maximum: 8_640_000_000_000, description });
/** Byte counts up to 2^53: disks and RAM fit with room to spare. */
const Bytes = (description: string) => Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description });
/** Cumulative interface counters since boot; the server differences consecutive samples. */
const Counter = (description: string) => Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description });
const Text = (maxLength: number, description?: string) =>
  Type.String({ maxLength, ...(description ? { description } : {}) });
const TOKEN_PATTERN = '^[a-z][a-z0-9-]{0,31}$';

/** Array caps; the collectors truncate to these so a sample always validates. */
export const SYSTEM_LIMITS = { disks: 32, ifaces: 16, errors: 16, usb: 64, printers: 32, physicalDisks: 16 } as const;
/** String caps the collectors clip to (device names from firmware can be long or garbage). */
export const TEXT_LIMITS = { name: 128, mount: 256, error: 300 } as const;

/** `call: message` for each systeminformation call that failed or timed out during collection. */
const Errors = Type.Array(Text(TEXT_LIMITS.error), { maxItems: SYSTEM_LIMITS.errors });
const CollectMs = Type.Integer({ minimum: 0, maximum: 3_600_000, description: 'wall time the collection took' });

export const HealthDisk = Type.Object({
  mount: Text(TEXT_LIMITS.mount, 'mount point (Linux) or drive letter (Windows)'),
  fsType: Type.Optional(Text(32)),
  sizeBytes: Bytes('file system size'),
  freeBytes: Bytes('space available to unprivileged users'),
});
export type HealthDisk = Static<typeof HealthDisk>;

export const HealthIface = Type.Object({
  iface: Text(64),
  rxErrors: Counter('receive errors since boot'),
  txErrors: Counter('transmit errors since boot'),
  rxDropped: Counter('received packets dropped since boot'),
  txDropped: Counter('transmitted packets dropped since boot'),
  operstate: Type.Optional(Text(16)),
});
export type HealthIface = Static<typeof HealthIface>;

/** One health sample of the agent's PC, taken every few minutes from cheap systeminformation calls only. */
export const HealthSample = Type.Object({
  /** When collection started, agent clock (epoch ms). */
  ts: EpochMs('sample time, agent clock'),
  collectMs: Type.Optional(CollectMs),
  /** CPU busy % over the short window systeminformation measures (≥ 200 ms since its previous call). */
  cpuLoadPct: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
  /** 1-minute load average; absent on Windows, where Node reports zeros. */
  loadAvg1: Type.Optional(Type.Number({ minimum: 0, maximum: 100_000 })),
  memTotalBytes: Type.Optional(Bytes('installed RAM visible to the OS')),
  memAvailableBytes: Type.Optional(Bytes('RAM available for new work without swapping')),
  swapUsedBytes: Type.Optional(Bytes('swap / page file in use')),
  disks: Type.Array(HealthDisk, { maxItems: SYSTEM_LIMITS.disks }),
  uptimeSec: Type.Number({ minimum: 0, maximum: 3_153_600_000 }),
  /** Agent clock − server clock as last measured from the server's ack (positive: agent ahead). */
  clockOffsetMs: Type.Optional(Type.Integer({ minimum: -31_622_400_000, maximum: 31_622_400_000 })),
  ifaces: Type.Array(HealthIface, { maxItems: SYSTEM_LIMITS.ifaces }),
  errors: Type.Optional(Errors),
});
export type HealthSample = Static<typeof HealthSample>;

/**
 * What a USB device is, for the equipment questions the server answers. `signing-token` is separate from
 * `smartcard-reader` because USB signing tokens (ePass2003, eToken…) are CCID devices too, and nearly every
 * commune PC has one: counting them as chip readers would hide the communes that lack a citizen-ID reader.
 */
export const USB_DEVICE_CLASSES = ['smartcard-reader', 'signing-token', 'scanner', 'printer', 'other'] as const;
export type UsbDeviceClass = (typeof USB_DEVICE_CLASSES)[number];
/** Which rule decided the class: exact vendor:product id, USB class code, vendor default, or device name. */
export const USB_CLASS_BASES = ['id', 'class', 'vendor', 'name', 'none'] as const;
export type UsbClassBasis = (typeof USB_CLASS_BASES)[number];

export const UsbDevice = Type.Object({
  /** Lower-case 4-digit hex, e.g. `072f`. */
  vendorId: Type.Optional(Type.String({ pattern: '^[0-9a-f]{4}$' })),
  productId: Type.Optional(Type.String({ pattern: '^[0-9a-f]{4}$' })),
  name: Text(TEXT_LIMITS.name),
  manufacturer: Type.Optional(Text(TEXT_LIMITS.name)),
  /** One of USB_DEVICE_CLASSES. */
  class: Type.String({ pattern: TOKEN_PATTERN }),
  /** The USB class code (0x0B smart card, 0x07 printer, 0x06 still image…) that decided or was seen. */
  classCode: Type.Optional(Type.Integer({ minimum: 0, maximum: 255 })),
  /** One of USB_CLASS_BASES. */
  basis: Type.Optional(Type.String({ pattern: TOKEN_PATTERN })),
});
export type UsbDevice = Static<typeof UsbDevice>;

export const InventoryPrinter = Type.Object({
  name: Text(256),
  /** Driver name on Windows, make-and-model on CUPS. */
  model: Type.Optional(Text(256)),
  local: Type.Optional(Type.Boolean()),
  default: Type.Optional(Type.Boolean()),
  /** Print-to-PDF/XPS/OneNote/fax queues: listed, but not counted as printers. */
  virtual: Type.Optional(Type.Boolean()),
});
export type InventoryPrinter = Static<typeof InventoryPrinter>;

export const InventoryDisk = Type.Object({
  device: Type.Optional(Text(TEXT_LIMITS.name)),
  /** `HD`, `SSD`, `NVMe`… as systeminformation reports it: an old HDD is a common cause of slow PCs. */
  type: Type.Optional(Text(32)),
  sizeBytes: Bytes('disk size'),
  name: Type.Optional(Text(TEXT_LIMITS.name)),
});
export type InventoryDisk = Static<typeof InventoryDisk>;

/** The PC's equipment, collected daily (and at agent start) from the slow systeminformation calls. */
export const InventoryDoc = Type.Object({
  ts: EpochMs('collection time, agent clock'),
  collectMs: Type.Optional(CollectMs),
  hostname: Text(255),
  system: Type.Optional(
    Type.Object({
      manufacturer: Text(TEXT_LIMITS.name),
      model: Text(TEXT_LIMITS.name),
      serial: Type.Optional(Text(TEXT_LIMITS.name)),
      virtual: Type.Optional(Type.Boolean()),
    }),
  ),
  cpu: Type.Optional(
    Type.Object({
      manufacturer: Type.Optional(Text(64)),
      brand: Text(TEXT_LIMITS.name),
      cores: Type.Integer({ minimum: 0, maximum: 4096 }),
      physicalCores: Type.Integer({ minimum: 0, maximum: 4096 }),
      /** Nominal speed; 0 when the OS does not say (some VMs). */
      speedGHz: Type.Number({ minimum: 0, maximum: 100 }),
    }),
  ),
  memTotalBytes: Type.Optional(Bytes('installed RAM visible to the OS')),
  disks: Type.Array(InventoryDisk, { maxItems: SYSTEM_LIMITS.physicalDisks }),
  os: Type.Optional(
    Type.Object({
      platform: Text(32),
      distro: Text(TEXT_LIMITS.name),
      release: Text(64),
      arch: Text(32),
      build: Type.Optional(Text(64)),
    }),
  ),
  /** Important devices first; capped at SYSTEM_LIMITS.usb (counts are taken before the cap). */
  usb: Type.Array(UsbDevice, { maxItems: SYSTEM_LIMITS.usb }),
  /** USB devices seen before the cap (hubs and host controllers excluded). */
  usbSeen: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
  printers: Type.Array(InventoryPrinter, { maxItems: SYSTEM_LIMITS.printers }),
  counts: Type.Object({
    smartcardReaders: Type.Integer({ minimum: 0 }),
    signingTokens: Type.Optional(Type.Integer({ minimum: 0 })),
    scanners: Type.Integer({ minimum: 0 }),
    /** max(USB printers, non-virtual print queues). */
    printers: Type.Integer({ minimum: 0 }),
  }),
  errors: Type.Optional(Errors),
});
export type InventoryDoc = Static<typeof InventoryDoc>;

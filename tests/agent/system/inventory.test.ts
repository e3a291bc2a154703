import { readFileSync } from 'node:fs';
import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { collectInventory, siInventorySources, type InventorySources } from '../../../agent/system/inventory.js';
import { InventoryDoc, SYSTEM_LIMITS } from '../../../protocol/system.js';

const fixture = (name: string): unknown[] =>
  JSON.parse(readFileSync(new URL(`../../fixtures/usb/${name}`, import.meta.url), 'utf8'));

/** A Windows commune PC as systeminformation would describe it, built from the fixtures. */
const windowsPc: InventorySources = {
  system: async () => ({
    manufacturer: 'To be filled by O.E.M.',
    model: 'To be filled by O.E.M.',
    serial: 'Default string',
    virtual: false,
  }),
  cpu: async () => ({ manufacturer: 'Intel', brand: 'Pentium® G3250', cores: 2, physicalCores: 2, speed: 3.2 }),
  osInfo: async () => ({
    platform: 'Windows',
    distro: 'Microsoft Windows 10 Pro',
    release: '10.0.19045',
    arch: 'x64',
    build: '19045',
    hostname: 'MOTCUA-01',
  }),
  mem: async () => ({ total: 4_196_548_608 }),
  diskLayout: async () => [
    { device: '\\\\.\\PHYSICALDRIVE0', type: 'HD', name: 'ST500DM002-1BD142', size: 500_105_249_280 },
  ],
  blockDevices: async () => [],
  usb: async () => fixture('windows-si-usb.json'),
  printer: async () => fixture('windows-printers.json') as Awaited<ReturnType<InventorySources['printer']>>,
  windowsUsb: async () => fixture('windows-pnp-usb.json'),
};

describe('collectInventory', () => {
  it('returns a sane, schema-valid document on this machine', async () => {
    const doc = await collectInventory();
    expect(Value.Check(InventoryDoc, doc)).toBe(true);
    expect(doc.hostname.length).toBeGreaterThan(0);
    expect(doc.memTotalBytes).toBeGreaterThan(0);
    expect(doc.cpu?.cores).toBeGreaterThan(0);
    expect(doc.os?.platform).toBe(process.platform);
    expect(doc.disks.length).toBeGreaterThanOrEqual(1);
    expect(doc.system).toBeDefined();
    expect(doc.counts.smartcardReaders).toBeGreaterThanOrEqual(0);
  });

  it('describes a Windows commune PC: chip reader, token, scanners, one real printer among virtual queues', async () => {
    const doc = await collectInventory({ sources: windowsPc, now: () => 1_750_000_000_000 });
    expect(Value.Check(InventoryDoc, doc)).toBe(true);
    expect(doc.ts).toBe(1_750_000_000_000);
    expect(doc.hostname).toBe('MOTCUA-01');
    expect(doc.system).toEqual({
      manufacturer: 'To be filled by O.E.M.',
      model: 'To be filled by O.E.M.',
      virtual: false,
    });
    expect(doc.cpu).toEqual({
      manufacturer: 'Intel',
      brand: 'Pentium® G3250',
      cores: 2,
      physicalCores: 2,
      speedGHz: 3.2,
    });
    expect(doc.disks).toEqual([
      { device: '\\\\.\\PHYSICALDRIVE0', type: 'HD', name: 'ST500DM002-1BD142', sizeBytes: 500_105_249_280 },
    ]);
    expect(doc.counts).toEqual({ smartcardReaders: 1, signingTokens: 1, scanners: 2, printers: 1 });
    expect(doc.usb[0]).toMatchObject({ vendorId: '072f', productId: 'b100', class: 'smartcard-reader' });
    expect(doc.printers.filter((p) => !p.virtual).map((p) => p.name)).toEqual(['HP LaserJet Professional P1102']);
    expect(doc.printers.find((p) => p.default)?.name).toBe('HP LaserJet Professional P1102');
    expect(doc.errors).toBeUndefined();
  });

  it('a failing call leaves its part empty and is named in errors; the rest is collected', async () => {
    const doc = await collectInventory({
      sources: { ...windowsPc, windowsUsb: () => Promise.reject(new Error('powershell: not found')) },
    });
    expect(Value.Check(InventoryDoc, doc)).toBe(true);
    expect(doc.errors).toEqual(['windowsUsb: powershell: not found']);
    expect(doc.counts.smartcardReaders).toBe(0); // si.usb() alone cannot see it: errors is what tells the server not to trust 0
    expect(doc.memTotalBytes).toBe(4_196_548_608);

    const real = await collectInventory({
      sources: { ...siInventorySources, system: () => Promise.reject(new Error('dmidecode: permission denied')) },
    });
    expect(Value.Check(InventoryDoc, real)).toBe(true);
    expect(real.system).toBeUndefined();
    expect(real.errors).toContain('system: dmidecode: permission denied');
    expect(real.cpu).toBeDefined();
  });

  it('caps the USB list, keeping chip readers and counting everything', async () => {
    const mice = Array.from({ length: 100 }, (_, i) => ({
      bus: 3,
      deviceId: i + 2,
      id: '046d:c077',
      name: 'Mouse',
      type: 'Mouse',
    }));
    const reader = { bus: 4, deviceId: 9, id: '072f:b100', name: 'ACR39U', type: 'Chip/SmartCard' };
    const doc = await collectInventory({
      sources: { ...windowsPc, usb: async () => [...mice, reader], windowsUsb: async () => [] },
    });
    expect(Value.Check(InventoryDoc, doc)).toBe(true);
    expect(doc.usb).toHaveLength(SYSTEM_LIMITS.usb);
    expect(doc.usbSeen).toBe(101);
    expect(doc.usb[0]?.class).toBe('smartcard-reader');
    expect(doc.counts.smartcardReaders).toBe(1);
  });

  it('falls back to blockDevices when diskLayout lists nothing, skipping zram', async () => {
    const doc = await collectInventory({
      sources: {
        ...windowsPc,
        diskLayout: async () => [],
        blockDevices: async () => [
          { name: 'vda', type: 'disk', size: 274_877_906_944, model: '', physical: 'HDD', device: '/dev/vda' },
          { name: 'zram0', type: 'disk', size: 8e9, model: '', physical: 'SSD', device: '/dev/zram0' },
          { name: 'vda1', type: 'part', size: 1e9, model: '', physical: 'HDD', device: '/dev/vda1' },
        ],
      },
    });
    expect(doc.disks).toEqual([{ device: '/dev/vda', type: 'HDD', sizeBytes: 274_877_906_944 }]);
  });
});

/**
 * The `vendors:` section of the server config: ids, SLA targets with their default, the deprecated
 * `dossiers.vendors` merged in with ids from names, problems located by key path; and who may see a vendor.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyVendors, loadServerConfig } from '../../../server/config.js';
import { canSeeVendor, vendorById, vendorIdOf, vendorsOf } from '../../../server/evidence/vendors.js';
import { tempDir } from '../../helpers/temp-dir.js';

const dir = tempDir();
afterAll(() => dir.remove());

function load(yaml: string) {
  const file = join(dir.path, `server-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, yaml);
  return loadServerConfig({ config: file });
}

describe('vendors config', () => {
  it('reads vendors with ids, contacts and targets, and merges the deprecated dossiers.vendors', () => {
    const config = load(`
vendors:
  - id: vnpt-it
    name: VNPT IT
    services: [one-stop-shop, portal]
    contact: { person: Nguyễn Văn A, email: hotro@vnpt.example }
    sla: { targetPct: 99.5, workingHoursTargetPct: 99.9 }
  - id: ky-so
    name: Ký số CA
    services: [e-signing]
dossiers:
  vendors:
    - { name: Bộ Tư pháp, services: [civil-status] }
    - { name: VNPT IT, services: [one-stop-shop] }
`);
    expect(config.vendors).toEqual([
      {
        id: 'vnpt-it',
        name: 'VNPT IT',
        services: ['one-stop-shop', 'portal'],
        contact: { person: 'Nguyễn Văn A', email: 'hotro@vnpt.example' },
        sla: { targetPct: 99.5, workingHoursTargetPct: 99.9 },
      },
      { id: 'ky-so', name: 'Ký số CA', services: ['e-signing'], sla: { targetPct: 99 } },
      // The deprecated entry joins with an id from its name; 'VNPT IT' is already there as vnpt-it.
      { id: 'bo-tu-phap', name: 'Bộ Tư pháp', services: ['civil-status'], sla: { targetPct: 99 } },
    ]);
    // The dossier attribution reads the merged list, ids included; merging again changes nothing.
    expect(config.dossiers.vendors.map((v) => v.id)).toEqual(['vnpt-it', 'ky-so', 'bo-tu-phap']);
    const before = structuredClone(config.vendors);
    applyVendors(config);
    expect(config.vendors).toEqual(before);
  });

  it('names the key of a duplicate id, the commune network as a service, a bad target', () => {
    expect(() =>
      load(`
vendors:
  - { id: a, name: A, services: [portal, network] }
  - { id: a, name: A2, services: [payment], sla: { targetPct: 101 } }
`),
    ).toThrow(/vendors\[1\]\.sla\.targetPct \(line 4\): must be <= 100/);
    expect(() =>
      load(`
vendors:
  - { id: a, name: A, services: [portal, network] }
  - { id: a, name: A2, services: [payment] }
`),
    ).toThrow(
      /vendors\[0\]\.services\[1\] \(line 3\): "network" is the commune network, charged to no vendor[\s\S]*vendors\[1\]\.id \(line 4\): duplicate vendor id "a"/,
    );
  });

  it('derives ids from Vietnamese names', () => {
    expect(vendorIdOf('Bộ Tư pháp')).toBe('bo-tu-phap');
    expect(vendorIdOf('  Viettel — Đồng Nai ')).toBe('viettel-dong-nai');
    expect(vendorIdOf('***')).toBe('vendor');
  });

  it('finds vendors by id and by service; a vendor account sees a vendor only if it sees all its services', () => {
    const config = load('vendors:\n  - { id: vnpt-it, name: VNPT IT, services: [one-stop-shop, portal] }\n');
    const vnpt = vendorById(config.vendors, 'vnpt-it')!;
    expect(vnpt.name).toBe('VNPT IT');
    expect(vendorById(config.vendors, 'nope')).toBeUndefined();
    expect(vendorsOf(config.vendors, ['portal', 'e-signing'])).toEqual([vnpt]);
    expect(vendorsOf(config.vendors, ['e-signing'])).toEqual([]);
    expect(canSeeVendor({ role: 'admin' }, vnpt)).toBe(true);
    expect(canSeeVendor({ role: 'viewer' }, vnpt)).toBe(true);
    expect(canSeeVendor({ role: 'vendor', services: ['one-stop-shop', 'portal', 'payment'] }, vnpt)).toBe(true);
    expect(canSeeVendor({ role: 'vendor', services: ['one-stop-shop'] }, vnpt)).toBe(false);
    expect(canSeeVendor({ role: 'vendor', services: [] }, vnpt)).toBe(false);
  });
});

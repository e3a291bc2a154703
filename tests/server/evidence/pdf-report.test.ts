/**
 * report.pdf: each vendor-side incident's record essentials, read back through pdftotext (facts, the failing
 * conditions, the control-group verdict sentence exactly, the vendor's reply), built through the production
 * wiring (reports/vendor-bundle.ts) over the incident-record scenario; and a missing font: a typed error naming
 * the file and the fix, which the API answers as 503 with that message.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Value } from 'typebox/value';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DossierConfigSchema, type DossierConfig } from '../../../server/dossiers/dossier-config.js';
import { buildVendorBundle, type BundleDeps, type VendorBundle } from '../../../server/evidence/bundle.js';
import { FONT_DIR_ENV, loadPdfFonts, pdfFontDir, PdfFontMissing } from '../../../server/evidence/pdf-fonts.js';
import { loadOrCreateSigningKey } from '../../../server/evidence/signing.js';
import type { Vendor } from '../../../server/evidence/vendors.js';
import { replyToIncident } from '../../../server/outages/manual-incidents.js';
import { vendorBundleDeps } from '../../../server/reports/vendor-bundle.js';
import { startApiApp } from '../../helpers/api-app.js';
import { MIN } from '../../helpers/ingest-driver.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { startRecordScenario, T0, type RecordScenario } from './incident-record-scenario.js';

const VENDOR: Vendor = {
  id: 'motcua-vendor',
  name: 'Công ty Một Cửa',
  services: ['one-stop-shop'],
  sla: { targetPct: 99.5 },
};
const REPLY = 'Máy chủ ứng dụng quá tải, đã khởi động lại lúc 09:20.';
const dir = tempDir('cw-pdf-');

/** The PDF's text layer, whitespace folded (pdftotext breaks lines where the layout does). */
function pdfText(bytes: Uint8Array): string {
  const path = join(dir.path, 'report.pdf');
  writeFileSync(path, bytes);
  return execFileSync('pdftotext', ['-enc', 'UTF-8', path, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
}

describe('report.pdf carries the records of the vendor-side incidents', () => {
  let s: RecordScenario;
  let bundle: VendorBundle;

  beforeAll(async () => {
    s = await startRecordScenario();
    const vendorAccount = { name: 'motcua-ops', role: 'vendor' as const, services: ['one-stop-shop'] };
    replyToIncident(s.api.store, s.service.id, vendorAccount, REPLY, s.clock.now);
    const deps = vendorBundleDeps(
      {
        store: s.api.store,
        config: {
          vendors: [VENDOR],
          dossiers: Value.Default(DossierConfigSchema, {}) as DossierConfig,
          timezoneOffsetMinutes: 420,
        },
        calendars: s.api.built.calendars,
        units: s.api.built.units,
        signingKey: () => loadOrCreateSigningKey(join(dir.path, 'data')),
      },
      s.clock.now,
    );
    bundle = await buildVendorBundle(deps, { vendor: VENDOR, from: T0, to: T0 + 60 * MIN, now: s.clock.now });
  }, 60_000);
  afterAll(async () => {
    await s.api.close();
    dir.remove();
  });

  it('gives the facts, the failing conditions, the control-group verdict and the reply, in exact Vietnamese', () => {
    expect(bundle.data.incidents.map((i) => i.id)).toEqual([s.service.id]);
    const text = pdfText(bundle.files.get('report.pdf')!);
    expect(text).toContain(`BIÊN BẢN SỰ CỐ #${s.service.id}`);
    expect(text).toContain('Hệ thống một cửa điện tử');
    expect(text).toContain('Xã Bảo Hà (26734): từ 25/11/2026 09:10 đến 25/11/2026 09:20');
    expect(text).toContain('[STATUS] == 200-399 ✗ 503');
    expect(text).toContain('[RESPONSE_TIME] < 3000 ms ✓ 48 ms');
    expect(text).toContain('HTTP/1.1 503 Service Unavailable');
    expect(text).toContain(
      'Tại Xã Bảo Hà (26734), 25/11/2026 09:10 – 09:20: các kiểm tra mạng của xã đạt 30/30 lần, trong khi ' +
        'Hệ thống một cửa điện tử không đạt 10/10 lần. Mạng của xã hoạt động bình thường: lỗi nằm ở phía dịch vụ.',
    );
    expect(text).toContain('Cùng thời gian, không xã nào khác có sự cố Hệ thống một cửa điện tử');
    expect(text).toContain(REPLY);
    // The record's probed URL loses its query string (the scenario's token) in the PDF too.
    expect(text).not.toContain('SECRET-TOKEN');
  });

  it('labels the units of the SLA columns', () => {
    const csv = Buffer.from(bundle.files.get('sla.csv')!).toString('utf8');
    expect(csv).toContain('Phút gián đoạn (ít nhất một xã) / Minutes down (at least one commune)');
    expect(csv).toContain('Phút gián đoạn × xã (cộng các xã) / Commune-minutes down (sum over communes)');
    expect(csv).toContain('Phút bảo trì × xã (loại trừ) / Maintenance, commune-minutes (excluded)');
  });

  it('gives every table as XLSX too, not-theirs and RUM errors included', () => {
    for (const name of ['sla', 'incidents', 'not-theirs', 'rum-errors', 'dossiers']) {
      expect(bundle.files.has(`${name}.csv`), name).toBe(true);
      expect(bundle.files.has(`${name}.xlsx`), name).toBe(true);
      expect(bundle.manifest.files.some((f) => f.name === `${name}.xlsx`)).toBe(true);
    }
  });
});

describe('a missing PDF font', () => {
  const empty = mkdtempSync(join(tmpdir(), 'cw-nofont-'));
  const saved = process.env[FONT_DIR_ENV];
  afterEach(() => {
    if (saved === undefined) delete process.env[FONT_DIR_ENV];
    else process.env[FONT_DIR_ENV] = saved;
  });
  afterAll(() => rmSync(empty, { recursive: true, force: true }));

  it('is a typed error naming the file tried and the fix', async () => {
    process.env[FONT_DIR_ENV] = empty;
    const missing = join(empty, 'DejaVuSans.ttf');
    expect(() => loadPdfFonts(pdfFontDir())).toThrow(PdfFontMissing);
    // The bundle stops before any work: the font is the first thing it reads.
    const err = await buildVendorBundle({} as BundleDeps, { vendor: VENDOR, from: 0, to: 1, now: 1 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PdfFontMissing);
    expect(err).toMatchObject({ path: missing });
    expect((err as Error).message).toBe(
      `the PDF font ${missing} is missing: install Debian's fonts-dejavu-core (apt-get install fonts-dejavu-core) ` +
        'or set COMMUNEWATCH_PDF_FONT_DIR to a folder holding DejaVuSans.ttf and DejaVuSans-Bold.ttf',
    );
  });

  it('makes the API answer 503 with that message', async () => {
    const data = tempDir('cw-nofont-api-');
    const api = await startApiApp({
      now: () => T0,
      configure: (c) => {
        c.dataDir = data.path;
        c.vendors = [VENDOR];
      },
    });
    try {
      process.env[FONT_DIR_ENV] = empty;
      const res = await api.built.app.inject({
        method: 'GET',
        url: `/api/v1/reports/vendor/${VENDOR.id}`,
        headers: { authorization: `Bearer ${api.admin}` },
      });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({
        statusCode: 503,
        code: 'CW_ERR_NOT_READY',
        message: expect.stringContaining(`${join(empty, 'DejaVuSans.ttf')} is missing`),
      });
      expect(res.json().message).toContain('apt-get install fonts-dejavu-core');
    } finally {
      await api.close();
      data.remove();
    }
  });
});

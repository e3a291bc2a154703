/**
 * Dossier import from the files provinces export: DVCQG and vendor headers, Vietnamese display headers,
 * CSV with `,` or `;`, XLSX with date cells and Excel serials; every bad cell reported; nothing imported
 * unless --partial; the same file twice changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import { openSqliteStore } from '../../../server/store/sqlite-store.js';
import type { Store } from '../../../server/store/store.js';
import { loadUnits } from '../../../server/org/units.js';
import { importRows, ImportHeaderError, type ImportOptions } from '../../../server/dossiers/importer.js';
import { readRows } from '../../../server/dossiers/readers.js';
import { parseDossierTime } from '../../../server/dossiers/dates.js';
import { mapHeaders } from '../../../server/dossiers/fields.js';
import { tempDir } from '../../helpers/temp-dir.js';

const units = loadUnits(fileURLToPath(new URL('../../fixtures/units/units.yaml', import.meta.url)));
const vn = (local: string) => Date.parse(`${local}+07:00`);

describe('dossier import', () => {
  const dir = tempDir();
  let store: Store;
  beforeAll(() => {
    store = openSqliteStore({ file: join(dir.path, 'cw.db') });
  });
  afterAll(() => {
    store.close();
    dir.remove();
  });

  const opts = (over: Partial<ImportOptions> = {}): ImportOptions => ({
    store,
    units,
    offsetMinutes: 420,
    source: 'motcua-laocai',
    actor: 'test',
    now: () => Date.now(),
    partial: false,
    ...over,
  });
  const file = (name: string, text: string) => {
    const path = join(dir.path, `${randomUUID()}-${name}`);
    writeFileSync(path, text);
    return path;
  };

  it('reads the date forms exports use, in Vietnam time', () => {
    expect(parseDossierTime('24/11/2026 08:15')).toBe(vn('2026-11-24T08:15:00'));
    expect(parseDossierTime('24/11/2026 08:15:30')).toBe(vn('2026-11-24T08:15:30'));
    expect(parseDossierTime('24/11/2026')).toBe(vn('2026-11-24T00:00:00'));
    expect(parseDossierTime('2026-11-24T08:15:00+07:00')).toBe(vn('2026-11-24T08:15:00'));
    expect(parseDossierTime('2026-11-24T01:15:00Z')).toBe(vn('2026-11-24T08:15:00'));
    expect(parseDossierTime('20261124081500')).toBe(vn('2026-11-24T08:15:00'));
    expect(parseDossierTime(46350.34375)).toBe(vn('2026-11-24T08:15:00')); // Excel serial
    expect(parseDossierTime('46350')).toBe(vn('2026-11-24T00:00:00'));
    for (const bad of ['31/02/2026', '2026-13-01', 'hôm qua', '24/11/26 8h', '12'])
      expect(parseDossierTime(bad), bad).toBeUndefined();
  });

  it('maps DVCQG, HS_ vendor and Vietnamese display headers to the same fields', () => {
    const m = mapHeaders([
      'Mã hồ sơ',
      'HS_NgayTiepNhan',
      'NGAY_HEN_TRA',
      'Đơn vị',
      'Kênh tiếp nhận',
      'Ghi chú',
      'NgayTra',
      'NgayKetThucXuLy',
    ]);
    expect([...m.columns.values()]).toEqual(['code', 'receivedAt', 'dueAt', 'commune', 'channel', 'finishedAt']);
    expect(m).toMatchObject({
      missing: [],
      ignored: ['Ghi chú'],
      duplicates: [{ field: 'finishedAt', headers: ['NgayTra', 'NgayKetThucXuLy'] }],
    });
    expect(mapHeaders(['Số biên nhận', 'Ngày nhận'], { 'Số biên nhận': 'code' }).missing).toEqual([
      'commune',
      'receivedAt',
      'dueAt',
    ]);
  });

  it('imports a DVCQG-style CSV, then re-importing it changes nothing and a changed row is one update', async () => {
    const csv = [
      'MaHoSo,MaTTHC,TenTTHC,TenLinhVuc,DonViXuLy,KenhTiepNhan,NgayTiepNhan,NgayHenTra,NgayTra,TrangThaiHoSo',
      'H38.01-261124-0001,2.000815,Đăng ký khai sinh,Hộ tịch,26734,Trực tuyến,' +
        '24/11/2026 08:15,26/11/2026 17:00,27/11/2026 09:00,Đã trả kết quả',
      'H38.01-261124-0002,1.001234,"Chứng thực bản sao, chữ ký",Chứng thực,UBND xã Bảo Hà,Trực tiếp,' +
        '24/11/2026 14:50,25/11/2026 11:30,,Đang xử lý',
      'H38.01-261124-0003,2.000815,Đăng ký khai sinh,Hộ tịch,02683,Bưu chính,2026-11-24T09:00:00+07:00,20261126170000,,',
    ].join('\n');
    const path = file('dvcqg.csv', csv);
    const first = await importRows(readRows(path, 'csv'), opts());
    expect(first).toMatchObject({
      status: 'imported',
      rows: 3,
      valid: 3,
      invalid: 0,
      inserted: 3,
      updated: 0,
      unchanged: 0,
      problems: [],
    });
    const one = store.dossiers.list({ commune: '26734' }).find((d) => d.code === 'H38.01-261124-0001');
    expect(one).toMatchObject({
      source: 'motcua-laocai',
      code: 'H38.01-261124-0001',
      procedureName: 'Đăng ký khai sinh',
      field: 'Hộ tịch',
      channel: 'online',
      receivedAt: vn('2026-11-24T08:15:00'),
      dueAt: vn('2026-11-26T17:00:00'),
      finishedAt: vn('2026-11-27T09:00:00'),
    });
    expect(store.dossiers.list({ commune: '26734' }).map((d) => d.code)).toEqual([
      'H38.01-261124-0002',
      'H38.01-261124-0001',
      'H38.01-261124-0003',
    ]); // name and old code mapped
    const again = await importRows(readRows(path, 'csv'), opts());
    expect(again).toMatchObject({ status: 'imported', inserted: 0, updated: 0, unchanged: 3 });
    const changed = await importRows(
      readRows(file('changed.csv', csv.replace(',,Đang xử lý', ',25/11/2026 10:00,Đã trả kết quả')), 'csv'),
      opts(),
    );
    expect(changed).toMatchObject({ inserted: 0, updated: 1, unchanged: 2 });
    expect(store.dossiers.count()).toBe(3);
  });

  it('reads Vietnamese headers, semicolons and a BOM; reports every bad cell and imports nothing', async () => {
    const csv =
      '\uFEFFMã hồ sơ;Đơn vị;Kênh tiếp nhận;Ngày tiếp nhận;Ngày hẹn trả\n' +
      'A-1;26737;Trực tiếp;01/12/2026 08:00;03/12/2026 17:00\n' +
      'A-2;Xã Không Có;qua điện thoại;31/02/2026 08:00;01/12/2026\n' +
      ';26737;;01/12/2026 08:00;30/11/2026 08:00\n' +
      'A-1;26737;;01/12/2026 09:00;03/12/2026 17:00\n';
    const before = store.dossiers.count();
    const report = await importRows(readRows(file('vi.csv', csv), 'csv'), opts({ source: 'other' }));
    expect(report).toMatchObject({ status: 'refused', rows: 4, valid: 1, invalid: 3, inserted: 0 });
    expect(report.problems).toEqual([
      {
        row: 3,
        column: 'Đơn vị',
        value: 'Xã Không Có',
        reason: 'not a commune code, old code or name known to the units file',
      },
      {
        row: 3,
        column: 'Kênh tiếp nhận',
        value: 'qua điện thoại',
        reason: 'not a channel: online (trực tuyến), direct (trực tiếp) or postal (bưu chính)',
      },
      {
        row: 3,
        column: 'Ngày tiếp nhận',
        value: '31/02/2026 08:00',
        reason: 'not a date: use dd/MM/yyyy HH:mm, dd/MM/yyyy, ISO 8601 or an Excel date',
      },
      { row: 4, column: 'Mã hồ sơ', value: '', reason: 'missing' },
      { row: 4, column: 'Ngày hẹn trả', value: '30/11/2026 08:00', reason: 'before the date received' },
      { row: 5, column: 'Mã hồ sơ', value: 'A-1', reason: 'this dossier code appears on an earlier row of the file' },
    ]);
    expect(store.dossiers.count()).toBe(before);
    expect(store.dossiers.getImport(report.importId)).toMatchObject({
      status: 'refused',
      invalid: 3,
      problems: report.problems,
    });
    const partial = await importRows(readRows(file('vi.csv', csv), 'csv'), opts({ source: 'other', partial: true }));
    expect(partial).toMatchObject({ status: 'imported', inserted: 1, invalid: 3 });
  });

  it('reads XLSX with date cells, Excel serials and text dates alike', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Hồ sơ');
    ws.addRow(['HS_MaHoSo', 'HS_MaDonVi', 'HS_NgayTiepNhan', 'HS_NgayHenTra', 'HS_NgayThucTra']);
    // exceljs writes a Date as the wall-clock time (UTC fields), as Excel stores local dates.
    ws.addRow(['X-1', '26734', new Date(Date.UTC(2026, 10, 24, 8, 15)), 46352.708333333336, '27/11/2026 09:00']);
    ws.addRow(['X-2', '99001', '24/11/2026 10:00', new Date(Date.UTC(2026, 10, 25, 17, 0)), null]);
    const path = join(dir.path, 'export.xlsx');
    await wb.xlsx.writeFile(path);
    const report = await importRows(readRows(path, 'xlsx'), opts({ source: 'xlsx' }));
    expect(report).toMatchObject({ status: 'imported', inserted: 2, problems: [] });
    const [x1] = store.dossiers.list({ commune: '26734' }).filter((d) => d.code === 'X-1');
    expect(x1).toMatchObject({
      receivedAt: vn('2026-11-24T08:15:00'),
      dueAt: vn('2026-11-26T17:00:00'),
      finishedAt: vn('2026-11-27T09:00:00'),
    });
  });

  it('refuses a file without the required columns, naming them', async () => {
    await expect(importRows(readRows(file('bad.csv', 'So,Ten\n1,a\n'), 'csv'), opts())).rejects.toThrow(
      ImportHeaderError,
    );
    await expect(importRows(readRows(file('bad.csv', 'So,Ten\n1,a\n'), 'csv'), opts())).rejects.toThrow(
      /^no column for code, commune, receivedAt, dueAt; headers found: So, Ten/,
    );
  });
});

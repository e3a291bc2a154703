/**
 * The dossier fields CommuneWatch uses, and the column names provincial systems and the national portal
 * sync export them under: DVCQG sync names (MaHoSo, NgayTiepNhan…), `HS_`-prefixed vendor names,
 * Vietnamese display headers with diacritics ("Ngày tiếp nhận"), and our own snake_case. Headers are
 * compared normalised — no diacritics, case, spaces or punctuation — so "Ngày hẹn trả", "NGAY_HEN_TRA" and
 * "NgayHenTra" are one name. A mapping file adds names for anything else.
 */
import { foldVietnamese } from '../../common/text.js';

/** The dossier fields a column can map to. */
export const DOSSIER_FIELDS = [
  'code',
  'procedureCode',
  'procedureName',
  'field',
  'commune',
  'channel',
  'receivedAt',
  'dueAt',
  'finishedAt',
  'firstHandledAt',
  'status',
] as const;
/** One of DOSSIER_FIELDS. */
export type DossierField = (typeof DOSSIER_FIELDS)[number];

/** Fields a row cannot do without. */
export const REQUIRED_FIELDS: readonly DossierField[] = ['code', 'commune', 'receivedAt', 'dueAt'];

const ALIASES: Record<DossierField, string[]> = {
  code: ['MaHoSo', 'HS_MaHoSo', 'SoHoSo', 'Mã hồ sơ', 'Số hồ sơ', 'dossier_code', 'code'],
  procedureCode: ['MaTTHC', 'HS_MaTTHC', 'MaThuTuc', 'Mã TTHC', 'Mã thủ tục', 'procedure_code'],
  procedureName: ['TenTTHC', 'HS_TenTTHC', 'TenThuTuc', 'Tên TTHC', 'Tên thủ tục', 'Thủ tục', 'procedure_name'],
  field: ['MaLinhVuc', 'TenLinhVuc', 'HS_LinhVuc', 'HS_TenLinhVuc', 'Lĩnh vực', 'procedure_field', 'field'],
  commune: [
    'DonViXuLy',
    'HS_DonViXuLy',
    'MaDonVi',
    'HS_MaDonVi',
    'DonViTiepNhan',
    'Đơn vị',
    'Đơn vị xử lý',
    'Đơn vị tiếp nhận',
    'Mã đơn vị',
    'commune',
    'unit_code',
  ],
  channel: [
    'KenhTiepNhan',
    'HS_CachTiepNhan',
    'CachTiepNhan',
    'HinhThucTiepNhan',
    'Kênh tiếp nhận',
    'Hình thức tiếp nhận',
    'channel',
  ],
  receivedAt: ['NgayTiepNhan', 'HS_NgayTiepNhan', 'Ngày tiếp nhận', 'received_at'],
  dueAt: ['NgayHenTra', 'HS_NgayHenTra', 'Ngày hẹn trả', 'Hạn giải quyết', 'due_at'],
  finishedAt: [
    'NgayTra',
    'NgayKetThucXuLy',
    'NgayThucTra',
    'HS_NgayTra',
    'HS_NgayKetThucXuLy',
    'HS_NgayThucTra',
    'Ngày trả kết quả',
    'Ngày trả',
    'Ngày kết thúc xử lý',
    'finished_at',
  ],
  firstHandledAt: ['NgayXuLyDauTien', 'HS_NgayXuLyDauTien', 'ThoiDiemXuLy', 'Ngày xử lý đầu tiên', 'first_handled_at'],
  status: [
    'TrangThaiHoSo',
    'HS_TrangThaiHoSo',
    'HS_TrangThaiHSTen',
    'TrangThai',
    'Trạng thái',
    'Trạng thái hồ sơ',
    'status',
  ],
};

/** "Ngày hẹn trả" → "ngayhentra"; "HS_NgayHenTra" → "hsngayhentra". */
export function normaliseHeader(header: string): string {
  return foldVietnamese(header).replace(/[^a-z0-9]/g, '');
}

const KNOWN = new Map<string, DossierField>();
for (const [field, names] of Object.entries(ALIASES) as Array<[DossierField, string[]]>) {
  for (const name of names) KNOWN.set(normaliseHeader(name), field);
}

/** A header row read: which column is which field, and what is missing, unknown or repeated. */
export interface HeaderMapping {
  /** Column index → field, for the columns that map to one. */
  columns: Map<number, DossierField>;
  /** Required fields no column maps to. */
  missing: DossierField[];
  /** Headers that map to nothing (ignored, reported). */
  ignored: string[];
  /** Fields two columns map to (the first wins). */
  duplicates: Array<{ field: DossierField; headers: string[] }>;
}

/**
 * Maps a header row to fields. `extra` (from a mapping file) maps further header names to fields and wins
 * over the built-in names.
 */
export function mapHeaders(
  headers: readonly string[],
  extra: Readonly<Record<string, DossierField>> = {},
): HeaderMapping {
  const custom = new Map(Object.entries(extra).map(([name, field]) => [normaliseHeader(name), field]));
  const columns = new Map<number, DossierField>();
  const seen = new Map<DossierField, string[]>();
  const ignored: string[] = [];
  headers.forEach((header, i) => {
    const key = normaliseHeader(header);
    const field = custom.get(key) ?? KNOWN.get(key);
    if (!field) {
      if (header.trim()) ignored.push(header);
      return;
    }
    const list = seen.get(field) ?? [];
    list.push(header);
    seen.set(field, list);
    if (list.length === 1) columns.set(i, field);
  });
  return {
    columns,
    missing: REQUIRED_FIELDS.filter((f) => !seen.has(f)),
    ignored,
    duplicates: [...seen.entries()].filter(([, h]) => h.length > 1).map(([field, headers]) => ({ field, headers })),
  };
}

/**
 * The attribution as a file leaders can open: CSV (csv-stringify, UTF-8 with BOM so Excel shows the
 * diacritics) or XLSX (exceljs). Safe against formula injection: a cell that starts with = + - @ or a
 * control character (a dossier code or status typed into a vendor system by anyone) is written with a
 * leading apostrophe, so no spreadsheet evaluates it.
 */
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { formatLocalTime } from '../../common/local-time.js';
import type { AttributedDossier } from './attribution-report.js';

const HEADERS = [
  'Mã hồ sơ / Dossier', 'Nguồn / Source', 'Đơn vị / Commune', 'Mã TTHC / Procedure', 'Tên TTHC / Procedure name', 'Lĩnh vực / Field', 'Kênh / Channel',
  'Ngày tiếp nhận / Received', 'Ngày hẹn trả / Due', 'Ngày trả / Finished', 'Trạng thái / Status', 'Kết luận / Verdict',
  'Trễ (giờ làm việc) / Late (working h)', 'Sự cố (giờ làm việc) / Outage (working h)', 'Sự cố / Incidents', 'Trực tuyến chờ xử lý / Idle online',
];

/** Neutralises spreadsheet formulas (OWASP CSV injection). */
export function safeCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

function row(d: AttributedDossier, offset: number): Array<string | number> {
  const time = (ms: number | null) => (ms === null ? '' : formatLocalTime(ms, offset));
  const hours = (ms: number) => Math.round((ms / 3_600_000) * 100) / 100;
  const text = (s: string | null) => safeCell(s ?? '');
  return [
    text(d.code), text(d.source), text(d.commune), text(d.procedureCode), text(d.procedureName), text(d.field), d.channel ?? '',
    time(d.receivedAt), time(d.dueAt), time(d.finishedAt), text(d.status), d.verdict, hours(d.lateMs), hours(d.outageMs), d.incidentIds.join(' '), d.idleOnline ? 'x' : '',
  ];
}

export function attributionCsv(dossiers: readonly AttributedDossier[], offset: number): Buffer {
  return Buffer.concat([Buffer.from('\uFEFF'), Buffer.from(stringify([HEADERS, ...dossiers.map((d) => row(d, offset))]))]);
}

export async function attributionXlsx(dossiers: readonly AttributedDossier[], offset: number): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'CommuneWatch';
  const ws = wb.addWorksheet('Hồ sơ trễ hạn');
  ws.addRow(HEADERS).font = { bold: true };
  for (const d of dossiers) ws.addRow(row(d, offset));
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  return Buffer.from(await wb.xlsx.writeBuffer());
}

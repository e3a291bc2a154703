/**
 * The attribution as a table for server/export/tabular.ts (CSV or XLSX, formula injection neutralised
 * there): one row per dossier, bilingual headers. The outage split by service always; when the report was
 * asked about some services (a `service` filter, a vendor's), their charged hours and verdict too.
 */
import { formatLocalTime } from '../../common/local-time.js';
import type { Cell, Tabular } from '../export/tabular.js';
import type { AttributedDossier } from './attribution-report.js';

const HEADERS = [
  'Mã hồ sơ / Dossier',
  'Nguồn / Source',
  'Đơn vị / Commune',
  'Mã TTHC / Procedure',
  'Tên TTHC / Procedure name',
  'Lĩnh vực / Field',
  'Kênh / Channel',
  'Ngày tiếp nhận / Received',
  'Ngày hẹn trả / Due',
  'Ngày trả / Finished',
  'Trạng thái / Status',
  'Kết luận / Verdict',
  'Trễ (giờ làm việc) / Late (working h)',
  'Sự cố (giờ làm việc) / Outage (working h)',
  'Sự cố / Incidents',
  'Trực tuyến chờ xử lý / Idle online',
  'Sự cố theo dịch vụ (giờ) / Outage by service (h)',
];
const CHARGED_HEADERS = [
  'Phần sự cố tính cho dịch vụ (giờ) / Charged (working h)',
  'Kết luận theo dịch vụ / Charged verdict',
];

const hours = (ms: number) => Math.round((ms / 3_600_000) * 100) / 100;

function row(d: AttributedDossier, offset: number, withCharged: boolean): Cell[] {
  const time = (ms: number | null) => (ms === null ? '' : formatLocalTime(ms, offset));
  const split = Object.entries(d.outageByService)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([s, ms]) => `${s} ${hours(ms)}`)
    .join('; ');
  const cells: Cell[] = [
    d.code,
    d.source,
    d.commune,
    d.procedureCode,
    d.procedureName,
    d.field,
    d.channel ?? '',
    time(d.receivedAt),
    time(d.dueAt),
    time(d.finishedAt),
    d.status,
    d.verdict,
    hours(d.lateMs),
    hours(d.outageMs),
    d.incidentIds.join(' '),
    d.idleOnline ? 'x' : '',
    split,
  ];
  if (withCharged) cells.push(d.charged ? hours(d.charged.chargedMs) : '', d.charged?.verdict ?? '');
  return cells;
}

/** @param charged the report was asked about some services: add their charged hours and verdict. */
export function attributionTable(
  dossiers: readonly AttributedDossier[],
  offset: number,
  name: string,
  charged = false,
): Tabular {
  return {
    name,
    sheet: 'Hồ sơ trễ hạn',
    headers: charged ? [...HEADERS, ...CHARGED_HEADERS] : HEADERS,
    rows: dossiers.map((d) => row(d, offset, charged)),
  };
}

/**
 * The attribution as a table for server/export/tabular.ts (CSV or XLSX, formula injection neutralised
 * there): one row per dossier, bilingual headers.
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
];

function row(d: AttributedDossier, offset: number): Cell[] {
  const time = (ms: number | null) => (ms === null ? '' : formatLocalTime(ms, offset));
  const hours = (ms: number) => Math.round((ms / 3_600_000) * 100) / 100;
  return [
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
  ];
}

export function attributionTable(dossiers: readonly AttributedDossier[], offset: number, name: string): Tabular {
  return { name, sheet: 'Hồ sơ trễ hạn', headers: HEADERS, rows: dossiers.map((d) => row(d, offset)) };
}

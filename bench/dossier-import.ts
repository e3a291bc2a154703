/**
 * Importing a large dossier export: a CSV of --rows rows (Vietnamese display headers, dd/MM/yyyy dates)
 * through the same path as `communewatch dossiers import` (stream parse → check → stage → merge), then the
 * same file again (all rows unchanged). No peer imports dossiers, so the figures are ours alone.
 *
 * Run: npm run build && node dist/bench/dossier-import.js [--rows 1000000]
 */
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openSqliteStore } from '../server/store/sqlite-store.js';
import { Units } from '../server/org/units.js';
import { importRows } from '../server/dossiers/importer.js';
import { readRows } from '../server/dossiers/readers.js';

const { values: args } = parseArgs({ options: { rows: { type: 'string', default: '1000000' } } });
const N = Number(args.rows);
const dir = mkdtempSync(join(tmpdir(), 'cw-bench-import-'));
const pad = (n: number) => String(n).padStart(2, '0');
try {
  const file = join(dir, 'ho-so.csv');
  const out = createWriteStream(file);
  out.write(
    '\uFEFFMã hồ sơ,Tên thủ tục,Lĩnh vực,Đơn vị,Kênh tiếp nhận,Ngày tiếp nhận,Ngày hẹn trả,Ngày trả kết quả,Trạng thái\n',
  );
  for (let i = 0; i < N; i++) {
    const day = 1 + (i % 28);
    const month = 1 + (Math.floor(i / 28) % 12);
    const date = `${pad(day)}/${pad(month)}/2026`;
    const line =
      `H38.${i % 3321}-${i},Đăng ký khai sinh,Hộ tịch,${10_000 + (i % 3321)},${i % 3 ? 'Trực tiếp' : 'Trực tuyến'},` +
      `${date} 08:${pad(i % 60)},${date} 17:00,${i % 10 ? `${date} 16:${pad(i % 60)}` : ''},Đã trả kết quả\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  const store = openSqliteStore({ file: join(dir, 'cw.db') });
  const opts = {
    store,
    units: new Units(),
    offsetMinutes: 420,
    source: 'bench',
    actor: 'bench',
    now: Date.now,
    partial: false,
  };
  const run = async () => {
    const t = Date.now();
    const r = await importRows(readRows(file, 'csv'), opts);
    return { seconds: (Date.now() - t) / 1000, r };
  };
  const first = await run();
  const second = await run();
  const rate = (s: number) => Math.round(N / s).toLocaleString('en');
  process.stdout.write(
    [
      `Dossier import, CSV of ${N.toLocaleString('en')} rows (${(statSync(file).size / 1048576).toFixed(0)} MiB), Node ${process.version}`,
      '',
      '| run | wall s | rows/s | new | updated | unchanged |',
      '|---|---|---|---|---|---|',
      `| first import | **${first.seconds.toFixed(1)}** | ${rate(first.seconds)} | ` +
        `${first.r.inserted} | ${first.r.updated} | ${first.r.unchanged} |`,
      `| same file again | **${second.seconds.toFixed(1)}** | ${rate(second.seconds)} | ` +
        `${second.r.inserted} | ${second.r.updated} | ${second.r.unchanged} |`,
      '',
      `Peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB.`,
      '',
    ].join('\n'),
  );
  store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

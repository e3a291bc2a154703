/**
 * September and October 2026 at three communes, seeded through the real APIs (ingest, incidents, dossiers)
 * on a real SQLite file, with the figures the reports tests expect worked out by hand below.
 *
 * Units: province 15 Lào Cai has 26734 Xã Bảo Hà (directly) and 26737 Xã Kim Sơn (in district 080);
 * province 01 has 99001, whose name needs HTML escaping. Every commune first reports on 1 Sep 2026 07:00, so
 * both months are observed in full. Default timetable: Mon–Fri 07:30–11:30 and 13:00–17:00 (8 h a day);
 * October 2026 has 22 working days (176 h), September 20 (160 h: 1 and 2 Sep are the National Day holiday).
 *
 * Incidents (Vietnam time):
 *   detected  local-service one-stop-shop at 26734, Tue 6 Oct 09:00–09:30 (3 failures, then 2 successes)   0.5 h
 *   A  central-service civil-status at 26734 and 26737, Thu 15 Oct 13:00–17:00                                 4 h each
 *   B  commune-network at 26737, Mon 19 Oct 07:00–12:00                                          4 h (07:30–11:30)
 *   C  local-service civil-status at 26734, Sat 24 Oct 08:00–10:00                                 0 h (weekend)
 *   D  local-service civil-status at 26734, Thu 10 Sep 08:00–09:00                                1 h, September
 *   E  commune-network at 26734, Fri 30 Oct 16:00 – Mon 2 Nov 09:00                           1 h in October
 *   F  local-service one-stop-shop at 99001, Thu 8 Oct 08:00–10:00                       2 h, province 01 only
 *
 * Dossiers (due in October unless said): D1 outage, D2 partly-outage, D3 not-outage, D4 on time, D5 on time
 * but idle online, D6 due in November, D7 not-outage in September, D8 not-outage at 99001.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { startApiApp, type ApiApp } from '../../helpers/api-app.js';
import { IngestDriver } from '../../helpers/ingest-driver.js';
import { tempDir } from '../../helpers/temp-dir.js';

export const H = 3_600_000;
export const vn = (local: string): number => Date.parse(`${local}:00+07:00`);
export const OCTOBER = { year: 2026, month: 10 };
export const ODD_NAME = 'Xã <b>Thử</b> & "Nghiệm"';

const UNITS = `provinces:
  - code: "15"
    name: Lào Cai
    communes:
      - { code: "26734", name: "Xã Bảo Hà" }
    districts:
      - code: "080"
        name: Huyện Bảo Yên
        communes: [{ code: "26737", name: "Xã Kim Sơn" }]
  - code: "01"
    name: Hà Nội
    communes:
      - { code: "99001", name: '${ODD_NAME}' }
`;

export interface Seeded {
  api: ApiApp;
  time: { now: number };
  ids: Record<'detected' | 'A' | 'B' | 'C' | 'D' | 'E' | 'F', number>;
  close(): Promise<void>;
}

export async function seed(): Promise<Seeded> {
  const dir = tempDir('cw-reports-');
  const unitsFile = join(dir.path, 'units.yaml');
  writeFileSync(unitsFile, UNITS);
  const time = { now: vn('2026-09-01T07:00') };
  const api = await startApiApp({ now: () => time.now, configure: (c) => (c.units = unitsFile) });
  const driver = new IngestDriver(api.built, api.store, ['26734', '26737', '99001'], time);
  await driver.rounds('26734', 'hotich', time.now, 1, true, { service: 'civil-status' });
  await driver.rounds('26734', 'motcua', time.now, 1, true, { service: 'one-stop-shop' });
  await driver.rounds('26737', 'hotich', time.now, 1, true, { service: 'civil-status' });
  await driver.rounds('99001', 'motcua', time.now, 1, true, { service: 'one-stop-shop' });
  await driver.rounds('26734', 'motcua', vn('2026-10-06T09:00'), 3, false, {
    service: 'one-stop-shop',
    layer: 'service',
  });
  await driver.rounds('26734', 'motcua', vn('2026-10-06T09:30'), 2, true, { service: 'one-stop-shop' });
  const detected = api.store.incidents.list({ limit: 10 });
  expect(detected.map((i) => [i.cause, i.commune, i.startedAt, i.endedAt])).toEqual([
    ['local-service', '26734', vn('2026-10-06T09:00'), vn('2026-10-06T09:30')],
  ]);

  time.now = vn('2026-11-03T08:00');
  const post = async (url: string, payload: object) => {
    const res = await api.built.app.inject({
      method: 'POST',
      url,
      headers: { authorization: `Bearer ${api.admin}` },
      payload,
    });
    expect(res.statusCode, res.body).toBeLessThan(300);
    return res.json();
  };
  const incident = async (cause: string, communes: string[], from: string, to: string, service?: string) =>
    (
      await post('/api/v1/incidents', {
        cause,
        service,
        communes,
        startedAt: vn(from),
        endedAt: vn(to),
        note: 'sổ trực',
      })
    ).incident.id as number;
  const ids = {
    detected: detected[0]!.id,
    A: await incident('central-service', ['26734', '26737'], '2026-10-15T13:00', '2026-10-15T17:00', 'civil-status'),
    B: await incident('commune-network', ['26737'], '2026-10-19T07:00', '2026-10-19T12:00'),
    C: await incident('local-service', ['26734'], '2026-10-24T08:00', '2026-10-24T10:00', 'civil-status'),
    D: await incident('local-service', ['26734'], '2026-09-10T08:00', '2026-09-10T09:00', 'civil-status'),
    E: await incident('commune-network', ['26734'], '2026-10-30T16:00', '2026-11-02T09:00'),
    F: await incident('local-service', ['99001'], '2026-10-08T08:00', '2026-10-08T10:00', 'one-stop-shop'),
  };
  const dossier = (
    code: string,
    commune: string,
    field: string,
    received: string,
    due: string,
    finished: string,
    extra: object = {},
  ) => ({
    MaHoSo: code,
    TenLinhVuc: field,
    DonViXuLy: commune,
    NgayTiepNhan: received,
    NgayHenTra: due,
    NgayTra: finished,
    ...extra,
  });
  const imported = await post('/api/v1/dossiers', {
    source: 'motcua-laocai',
    records: [
      dossier('D1', '26734', 'Hộ tịch', '15/10/2026 08:00', '15/10/2026 14:00', '15/10/2026 16:00'),
      dossier('D2', '26734', 'Hộ tịch', '14/10/2026 08:00', '15/10/2026 08:30', '16/10/2026 08:30'),
      dossier('D3', '26737', 'Đất đai', '05/10/2026 08:00', '06/10/2026 08:00', '07/10/2026 08:00'),
      dossier('D4', '26737', 'Hộ tịch', '20/10/2026 08:00', '22/10/2026 17:00', '21/10/2026 10:00'),
      dossier('D5', '26734', 'Hộ tịch', '01/10/2026 08:00', '09/10/2026 17:00', '08/10/2026 10:00', {
        KenhTiepNhan: 'trực tuyến',
        NgayXuLyDauTien: '05/10/2026 08:00',
      }),
      dossier('D6', '26734', 'Hộ tịch', '30/10/2026 08:00', '03/11/2026 17:00', '02/11/2026 10:00'),
      dossier('D7', '26734', 'Hộ tịch', '14/09/2026 08:00', '15/09/2026 17:00', '16/09/2026 17:00'),
      dossier('D8', '99001', 'Đất đai', '19/10/2026 08:00', '20/10/2026 17:00', '21/10/2026 17:00'),
    ],
  });
  expect(imported).toMatchObject({ status: 'imported', inserted: 8 });
  return {
    api,
    time,
    ids,
    async close() {
      await api.close();
      dir.remove();
    },
  };
}

/**
 * The SLA table, hand-computed: March 2026 (31 days = 744 h; 22 weekdays × 8 working hours = 176 h, the
 * default timetable 07:30–11:30 and 13:00–17:00, no holiday that month), two communes watching the
 * one-stop-shop from before the month:
 *
 * - a central outage Tue 17 Mar 08:00–10:00 at both communes (2 h, in working hours);
 * - a local outage at A, Wed 18 Mar 14:00–14:30 (30 min);
 * - a maintenance window for the service Thu 19 Mar 16:00–17:00, with a local outage at B 16:00–17:30:
 *   only 17:00–17:30 counts (24×7), none of it in working hours;
 * - the commune network of B down Fri 20 Mar 09:00–11:00, the one-stop-shop "down" there meanwhile: charged
 *   to the commune network, not to the vendor (out of the denominator).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monthsOf, slaReport } from '../../../server/evidence/sla.js';
import { startApiApp, type ApiApp } from '../../helpers/api-app.js';
import { IngestDriver } from '../../helpers/ingest-driver.js';
import type { ServerConfig } from '../../../server/config.js';

const vn = (local: string) => Date.parse(`${local}:00+07:00`);
const A = '26734';
const B = '26737';
const H = 3_600_000;

describe('slaReport', () => {
  const clock = { now: vn('2026-02-28T12:00') };
  let api: ApiApp;
  let config: ServerConfig;
  const ids: Record<string, number> = {};
  beforeAll(async () => {
    api = await startApiApp({
      now: () => clock.now,
      configure: (c) => {
        config = c;
        c.vendors = [
          {
            id: 'vnpt-it',
            name: 'VNPT IT',
            services: ['one-stop-shop'],
            sla: { targetPct: 99.5, workingHoursTargetPct: 99 },
          },
        ];
      },
    });
    const { built, store, admin } = api;
    const driver = new IngestDriver(built, store, [A, B], clock);
    for (const c of [A, B]) await driver.push(c, [driver.result(c, 'motcua', clock.now, true)]);
    const post = async (url: string, payload: object) => {
      const res = await built.app.inject({
        method: 'POST',
        url,
        headers: { authorization: `Bearer ${admin}` },
        payload,
      });
      expect(res.statusCode, res.body).toBe(201);
      return res.json();
    };
    await post('/api/v1/silences', {
      kind: 'maintenance',
      matchers: { service: ['one-stop-shop'] },
      startsAt: vn('2026-03-19T16:00'),
      endsAt: vn('2026-03-19T17:00'),
      comment: 'nâng cấp phần mềm một cửa',
    });
    clock.now = vn('2026-04-02T08:00');
    const incident = async (name: string, body: object) => {
      ids[name] = (await post('/api/v1/incidents', { note: 'sổ trực', ...body })).incident.id;
    };
    await incident('central', {
      cause: 'central-service',
      service: 'one-stop-shop',
      communes: [A, B],
      startedAt: vn('2026-03-17T08:00'),
      endedAt: vn('2026-03-17T10:00'),
    });
    const local = { cause: 'local-service', service: 'one-stop-shop' };
    await incident('localA', {
      ...local,
      communes: [A],
      startedAt: vn('2026-03-18T14:00'),
      endedAt: vn('2026-03-18T14:30'),
    });
    await incident('maintenanceB', {
      ...local,
      communes: [B],
      startedAt: vn('2026-03-19T16:00'),
      endedAt: vn('2026-03-19T17:30'),
    });
    await incident('network', {
      cause: 'commune-network',
      communes: [B],
      startedAt: vn('2026-03-20T09:00'),
      endedAt: vn('2026-03-20T11:00'),
    });
    await incident('duringNetwork', {
      ...local,
      communes: [B],
      startedAt: vn('2026-03-20T09:00'),
      endedAt: vn('2026-03-20T11:00'),
    });
  });
  afterAll(() => api.close());

  const report = () =>
    slaReport(
      {
        store: api.store,
        units: api.built.units,
        calendars: api.built.calendars,
        offsetMin: 420,
        vendors: config.vendors,
      },
      { services: ['one-stop-shop'], from: vn('2026-03-01T00:00'), to: vn('2026-04-01T00:00') },
    );

  it('24×7: Σ up / Σ (observed − network down) over the two communes', () => {
    const [row, ...more] = report();
    expect(more).toEqual([]);
    expect(row).toMatchObject({ service: 'one-stop-shop', vendorId: 'vnpt-it', month: '2026-03', communes: 2 });
    // A: 744 h − 1 h maintenance = 743 h observed; down 2 h + 0.5 h.
    // B: 743 h observed, 2 h of it the commune network's; down 2 h + 17:00–17:30 = 2.5 h.
    expect(row!.allHours).toMatchObject({
      observedMs: 1486 * H,
      plannedMs: 2 * H,
      networkDownMs: 2 * H,
      serviceDownMs: 5 * H,
      downCommuneMinutes: 300,
      // At least one commune down: 17 Mar 08–10, 18 Mar 14:00–14:30, 19 Mar 17:00–17:30.
      downMinutes: 180,
      targetPct: 99.5,
      met: true,
    });
    expect(row!.allHours.availability).toBeCloseTo(1 - 5 / 1484, 12); // 99.663 %
  });

  it('working hours: 176 h a commune, the maintenance hour out; the target missed', () => {
    const [row] = report();
    // A: 175 h observed, down 2 h + 0.5 h. B: 175 h, 2 h the network's, down 2 h (17:00–17:30 is after hours).
    expect(row!.workingHours).toMatchObject({
      observedMs: 350 * H,
      plannedMs: 2 * H,
      networkDownMs: 2 * H,
      serviceDownMs: 4.5 * H,
      downCommuneMinutes: 270,
      downMinutes: 150,
      targetPct: 99,
      met: false,
    });
    expect(row!.workingHours.availability).toBeCloseTo(1 - 4.5 / 348, 12); // 98.707 %
  });

  it('counts the incidents that charged downtime: not the one hidden by the commune network', () => {
    const [row] = report();
    expect(row!.incidentIds).toEqual([ids.central, ids.localA, ids.maintenanceB].sort((a, b) => a! - b!));
    expect(row!.incidents).toBe(3);
  });

  it('a service no vendor runs has no target; a period over two months gives two rows', () => {
    const rows = slaReport(
      {
        store: api.store,
        units: api.built.units,
        calendars: api.built.calendars,
        offsetMin: 420,
        vendors: [],
      },
      { services: ['one-stop-shop'], from: vn('2026-02-15T00:00'), to: vn('2026-03-18T00:00') },
    );
    expect(rows.map((r) => [r.month, r.allHours.targetPct, r.allHours.met])).toEqual([
      ['2026-02', null, null],
      ['2026-03', null, null],
    ]);
    expect(rows[1]!.allHours.serviceDownMs).toBe(4 * H);
  });

  it('months follow the server time zone', () => {
    expect(monthsOf(vn('2026-01-31T23:00'), vn('2026-03-01T00:30'), 420)).toEqual([
      { month: '2026-01', from: vn('2026-01-31T23:00'), to: vn('2026-02-01T00:00') },
      { month: '2026-02', from: vn('2026-02-01T00:00'), to: vn('2026-03-01T00:00') },
      { month: '2026-03', from: vn('2026-03-01T00:00'), to: vn('2026-03-01T00:30') },
    ]);
  });
});

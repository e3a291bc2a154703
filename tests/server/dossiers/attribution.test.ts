/**
 * Overdue dossiers attributed to outages, hand-computed: a lunch break, a weekend, Tết 2026, the August 2026
 * swap day, two overlapping incidents, a central incident, on time despite an outage, an open dossier over a
 * holiday, an idle online dossier. The default timetable is Mon–Fri 07:30–11:30 and 13:00–17:00.
 */
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { loadCalendarFile } from '../../../server/calendar/calendar-file.js';
import { WorkCalendar } from '../../../server/calendar/working-time.js';
import { attribute, outageSpansByCommune } from '../../../server/dossiers/attribution.js';
import { servicesFor } from '../../../server/dossiers/dossier-config.js';
import type { Dossier } from '../../../server/dossiers/dossier-row.js';
import type { Incident } from '../../../server/outages/incident.js';
import { Value } from 'typebox/value';
import { DossierConfigSchema, type DossierConfig } from '../../../server/dossiers/dossier-config.js';
import { incidentFixture } from '../../helpers/incident-fixture.js';

const H = 3_600_000;
const vn = (local: string) => Date.parse(`${local}:00+07:00`);
const holidays = (y: number) =>
  loadCalendarFile(fileURLToPath(new URL(`../../../server/calendar/holidays/vn-${y}.yaml`, import.meta.url))).days;
const calendar = new WorkCalendar({ rules: holidays(2026) });
const config = Value.Default(DossierConfigSchema, {}) as DossierConfig;

const incident = incidentFixture;

function dossier(over: Partial<Dossier> & Pick<Dossier, 'receivedAt' | 'dueAt'>): Dossier {
  return {
    code: 'HS',
    procedureCode: null,
    procedureName: 'Đăng ký khai sinh',
    field: 'Hộ tịch',
    commune: '26734',
    channel: 'direct',
    finishedAt: null,
    firstHandledAt: null,
    status: null,
    ...over,
  };
}

function judge(d: Dossier, incidents: Incident[], now = vn('2026-11-25T10:00')) {
  const spans = outageSpansByCommune(incidents, now).get(d.commune) ?? [];
  return attribute(d, {
    now,
    calendar,
    services: servicesFor(config, d).services,
    spans,
    idleOnlineMs: config.idleOnlineHours * H,
  });
}

describe('dossier attribution (hand-computed)', () => {
  it('across the lunch break: late 1.5 h, civil-status down 2 h of working time → outage; another service does not count', () => {
    const local = incident({ startedAt: vn('2026-11-17T10:00'), endedAt: vn('2026-11-17T13:30') });
    const unrelated = incident({
      service: 'payment',
      startedAt: vn('2026-11-17T08:00'),
      endedAt: vn('2026-11-17T17:00'),
    });
    const a = judge(
      dossier({
        receivedAt: vn('2026-11-17T08:00'),
        dueAt: vn('2026-11-17T11:00'),
        finishedAt: vn('2026-11-17T14:00'),
      }),
      [local, unrelated],
    );
    expect(a).toMatchObject({ verdict: 'outage', lateMs: 1.5 * H, outageMs: 2 * H, incidentIds: [local.id] });
  });

  it(
    'over a weekend: due Friday 16:00, returned Monday 09:00 is 2.5 working hours late; the ' +
      'network down Fri 15:00–Mon 08:00 covers it',
    () => {
      const network = incident({
        cause: 'commune-network',
        service: null,
        startedAt: vn('2026-11-20T15:00'),
        endedAt: vn('2026-11-23T08:00'),
      });
      const a = judge(
        dossier({
          receivedAt: vn('2026-11-19T08:00'),
          dueAt: vn('2026-11-20T16:00'),
          finishedAt: vn('2026-11-23T09:00'),
        }),
        [network],
      );
      expect(a).toMatchObject({ verdict: 'outage', lateMs: 2.5 * H, outageMs: 2.5 * H, incidentIds: [network.id] });
    },
  );

  it('over Tết 2026: due Thu 12 Feb, returned Tue 24 Feb 09:00 is 17.5 working hours late (14–22 Feb off); no outage', () => {
    const a = judge(
      dossier({
        receivedAt: vn('2026-02-10T08:00'),
        dueAt: vn('2026-02-12T17:00'),
        finishedAt: vn('2026-02-24T09:00'),
      }),
      [],
    );
    expect(a).toMatchObject({ verdict: 'not-outage', lateMs: 17.5 * H, outageMs: 0, incidentIds: [] });
  });

  it('over the swap day: Saturday 22 Aug 2026 is worked; a central incident that morning covers 4 of 9 late hours → partly', () => {
    const central = incident({
      scope: 'central',
      cause: 'central-service',
      commune: null,
      startedAt: vn('2026-08-22T07:00'),
      endedAt: vn('2026-08-22T12:30'),
      communes: [
        { commune: '26734', startedAt: vn('2026-08-22T07:00'), endedAt: vn('2026-08-22T12:00') },
        { commune: '26737', startedAt: vn('2026-08-22T07:00'), endedAt: vn('2026-08-22T12:30') },
      ],
    });
    const a = judge(
      dossier({
        receivedAt: vn('2026-08-19T08:00'),
        dueAt: vn('2026-08-21T17:00'),
        finishedAt: vn('2026-08-24T08:30'),
      }),
      [central],
    );
    expect(a).toMatchObject({ verdict: 'partly-outage', lateMs: 9 * H, outageMs: 4 * H, incidentIds: [central.id] });
  });

  it('two incidents overlapping: their union counts, not their sum', () => {
    const hotich = incident({ startedAt: vn('2026-11-17T09:00'), endedAt: vn('2026-11-17T11:00') });
    const kyso = incident({ service: 'e-signing', startedAt: vn('2026-11-17T10:00'), endedAt: vn('2026-11-17T12:00') });
    const a = judge(
      dossier({
        receivedAt: vn('2026-11-17T08:00'),
        dueAt: vn('2026-11-17T09:00'),
        finishedAt: vn('2026-11-17T13:30'),
      }),
      [hotich, kyso],
    );
    // Late 09:00–11:30 + 13:00–13:30 = 3 h; down 09:00–11:30 = 2.5 h (2 h + 1.5 h would be 3.5 h).
    expect(a).toMatchObject({
      verdict: 'partly-outage',
      lateMs: 3 * H,
      outageMs: 2.5 * H,
      incidentIds: [hotich.id, kyso.id],
    });
  });

  it('on time despite an outage: not overdue, no verdict against anyone', () => {
    const local = incident({ startedAt: vn('2026-11-17T09:00'), endedAt: vn('2026-11-17T11:00') });
    const a = judge(
      dossier({
        receivedAt: vn('2026-11-17T08:00'),
        dueAt: vn('2026-11-17T17:00'),
        finishedAt: vn('2026-11-17T16:00'),
      }),
      [local],
    );
    expect(a).toMatchObject({ verdict: 'on-time', lateMs: 0, outageMs: 2 * H, incidentIds: [] });
  });

  it('open and overdue: due Mon 23 Nov 17:00, still open Wed 25 Nov 10:00 → 2.5 h late (24 Nov is Culture Day)', () => {
    const a = judge(dossier({ receivedAt: vn('2026-11-20T08:00'), dueAt: vn('2026-11-23T17:00') }), []);
    expect(a).toMatchObject({ verdict: 'not-outage', lateMs: 2.5 * H, open: true });
  });

  it('an online dossier first handled 9 working hours after receipt is idle-online (threshold 8 h)', () => {
    const d = dossier({
      channel: 'online',
      receivedAt: vn('2026-11-16T09:00'),
      dueAt: vn('2026-11-20T17:00'),
      finishedAt: vn('2026-11-19T10:00'),
      firstHandledAt: vn('2026-11-17T10:00'),
    });
    expect(judge(d, [])).toMatchObject({ verdict: 'on-time', idleOnline: true });
    expect(judge({ ...d, firstHandledAt: vn('2026-11-17T09:00') }, [])).toMatchObject({ idleOnline: false }); // exactly 8 h
  });

  it('picks services by procedure field: civil status, certification, the rest', () => {
    expect(servicesFor(config, { field: 'Hộ tịch', procedureName: null })).toEqual({
      fieldName: 'civil-status',
      services: ['civil-status', 'portal', 'e-signing'],
    });
    expect(servicesFor(config, { field: null, procedureName: 'Chứng thực bản sao từ bản chính' })).toEqual({
      fieldName: 'certification',
      services: ['one-stop-shop', 'e-signing'],
    });
    expect(servicesFor(config, { field: 'Đất đai', procedureName: null })).toEqual({
      fieldName: 'other',
      services: ['one-stop-shop', 'portal'],
    });
  });
});

/** The calendar API: a year as it applies to a commune of a province with its own rules; admin edits and imports. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import type { App } from '../../../server/app.js';
import type { Store } from '../../../server/store/store.js';
import { startApiApp, type ApiApp } from '../../helpers/api-app.js';

describe('calendar API', () => {
  let api: ApiApp;
  let store: Store;
  let built: App;
  let admin: string;
  let viewer: string;

  beforeAll(async () => {
    api = await startApiApp({
      now: () => Date.parse('2026-11-25T03:00:00Z'),
      configure: (config) =>
        (config.units = fileURLToPath(new URL('../../fixtures/units/units.yaml', import.meta.url))),
    });
    ({ store, built, admin, viewer } = api);
  });
  afterAll(() => api.close());

  const call = (method: 'GET' | 'PUT' | 'DELETE' | 'POST', url: string, key: string, payload?: object) =>
    built.app.inject({ method, url, headers: { authorization: `Bearer ${key}` }, ...(payload && { payload }) });

  it('serves the shipped national year', async () => {
    const res = await call('GET', '/api/v1/calendar?year=2026', viewer);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ year: 2026, commune: null, workingHours: 1992 });
    expect(res.json().days.find((d: { date: string }) => d.date === '2026-08-22')).toMatchObject({
      kind: 'work',
      scope: '',
    });
  });

  it('applies a province timetable and a province day off to its communes only', async () => {
    const imported = await call('POST', '/api/v1/calendar/import', admin, {
      scope: { province: '15' },
      schedules: [
        {
          effectiveFrom: '2026-01-01',
          seasons: [{ from: '01-01', weekdays: [1, 2, 3, 4, 5], sessions: ['07:00-11:00', '13:30-17:30'] }],
        },
      ],
      days: [{ date: '2026-12-31', kind: 'off', name: 'Nghỉ do bão' }],
    });
    expect(imported.json()).toEqual({ scope: 'p:15', schedules: 1, days: 1 });
    const laoCai = (await call('GET', '/api/v1/calendar?year=2026&commune=02683', viewer)).json(); // an old code of 26734
    expect(laoCai.workingHours).toBe(1992 - 8);
    expect(laoCai.days.at(-1)).toMatchObject({ date: '2026-12-31', scope: 'p:15', name: 'Nghỉ do bão' });
    expect((await call('GET', '/api/v1/calendar?year=2026&commune=99001', viewer)).json().workingHours).toBe(1992);
    expect(built.calendars.forCommune('26734').day('2026-12-30').sessions).toEqual([
      { startMin: 420, endMin: 660 },
      { startMin: 810, endMin: 1050 },
    ]);
  });

  it('lets an admin set and remove one day, with clear errors for the rest', async () => {
    const put = await call('PUT', '/api/v1/calendar/days/2026-12-30', admin, {
      scope: { commune: '26737' },
      kind: 'off',
      name: 'Lễ hội địa phương',
    });
    expect(put.statusCode, put.body).toBe(200);
    expect((await call('GET', '/api/v1/calendar?year=2026&commune=26737', viewer)).json().workingHours).toBe(1992 - 16);
    expect((await call('DELETE', '/api/v1/calendar/days/2026-12-30?commune=26737', admin)).statusCode).toBe(200);
    expect((await call('DELETE', '/api/v1/calendar/days/2026-12-30?commune=26737', admin)).statusCode).toBe(404);
    expect(
      (await call('PUT', '/api/v1/calendar/days/2026-02-30', admin, { kind: 'off', name: 'x' })).json().message,
    ).toBe('params/date 2026-02-30 is not a date');
    expect((await call('PUT', '/api/v1/calendar/days/2026-12-30', viewer, { kind: 'off', name: 'x' })).statusCode).toBe(
      403,
    );
    const bad = await call('POST', '/api/v1/calendar/import', admin, {
      schedules: [{ effectiveFrom: '2026-01-01', seasons: [{ from: '01-01', sessions: ['13:00-11:00'] }] }],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toBe('body/schedules/0/seasons/0/sessions/0: 13:00-11:00 ends before it starts');
    expect(store.calendar.audit(10).map((a) => a.action)).toEqual([
      'delete-day',
      'set-day',
      'import',
      'import',
      'import',
    ]);
  });
});

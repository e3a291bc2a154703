/**
 * Times in read-API query strings: epoch ms, ISO 8601 and dd/MM/yyyy, in the server's offset unless the
 * text carries one; a date-only end is the next midnight; anything else is a 400 naming the parameter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseQueryTime } from '../../../server/api/query-time.js';
import { startApiApp, type ApiApp } from '../../helpers/api-app.js';

const VN = 420;
const H = 3_600_000;
const midnightVn = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d) - 7 * H;

describe('parseQueryTime', () => {
  it.each([
    ['1767225600000', 'start', 1_767_225_600_000],
    ['2026-01-31', 'start', midnightVn(2026, 1, 31)],
    ['2026-01-31', 'end', midnightVn(2026, 2, 1)],
    ['31/01/2026', 'start', midnightVn(2026, 1, 31)],
    ['31/01/2026', 'end', midnightVn(2026, 2, 1)],
    ['1/2/2026', 'start', midnightVn(2026, 2, 1)],
    ['31/01/2026 08:30', 'end', midnightVn(2026, 1, 31) + 8.5 * H],
    ['2026-01-31T08:30', 'start', midnightVn(2026, 1, 31) + 8.5 * H],
    ['2026-01-31 08:30:15', 'start', midnightVn(2026, 1, 31) + 8.5 * H + 15_000],
    ['2026-01-31T08:30:00Z', 'end', Date.UTC(2026, 0, 31, 8, 30)],
    ['2026-01-31T08:30:00+09:00', 'start', Date.UTC(2026, 0, 30, 23, 30)],
    ['2026-01-31T08:30:00.250-05:00', 'start', Date.UTC(2026, 0, 31, 13, 30, 0, 250)],
  ] as const)('%s as a %s is %d', (text, bound, expected) => {
    expect(parseQueryTime('from', text, VN, bound)).toBe(expected);
  });

  it('reads local forms in the configured offset', () => {
    expect(parseQueryTime('from', '2026-01-31', 0, 'start')).toBe(Date.UTC(2026, 0, 31));
  });

  it.each(['yesterday', '31/02/2026', '2026-13-01', '2026-01-31T25:00', '-5', '1.5e12', '2026-01-31T08:30+0700'])(
    'refuses %s with a 400 naming the parameter and the forms',
    (text) => {
      expect(() => parseQueryTime('to', text, VN, 'end')).toThrow(
        expect.objectContaining({
          statusCode: 400,
          code: 'CW_ERR_VALIDATION',
          message: expect.stringMatching(/^querystring\/to ".*" is not a time .*epoch ms.*ISO 8601.*dd\/MM\/yyyy/),
        }),
      );
    },
  );

  it('leaves an absent parameter absent', () => {
    expect(parseQueryTime('from', undefined, VN, 'start')).toBeUndefined();
  });
});

describe('time parameters of the read routes', () => {
  let api: ApiApp;
  const now = midnightVn(2026, 3, 2) + 10 * H;
  beforeAll(async () => {
    api = await startApiApp({ now: () => now });
  });
  afterAll(() => api?.close());
  const get = (url: string) =>
    api.built.app.inject({ url, headers: { authorization: `Bearer ${api.viewer}` } }).then((r) => ({
      status: r.statusCode,
      body: r.json() as { from: number; to: number; message?: string },
    }));

  it('take every form and answer the span they read', async () => {
    const month = { from: midnightVn(2026, 2, 1), to: midnightVn(2026, 3, 1) };
    for (const q of [
      'from=01/02/2026&to=28/02/2026',
      'from=2026-02-01&to=2026-02-28',
      `from=${month.from}&to=${month.to}`,
      'from=2026-01-31T17:00:00Z&to=2026-03-01T00:00%2B07:00',
    ]) {
      expect(await get(`/api/v1/results?${q}`), q).toMatchObject({ status: 200, body: month });
      expect(await get(`/api/v1/uptime?${q}`), q).toMatchObject({ status: 200, body: month });
      expect(await get(`/api/v1/dossiers/attribution?${q}`), q).toMatchObject({ status: 200, body: month });
    }
    expect(await get('/api/v1/rollups?from=01/03/2026&resolution=day')).toMatchObject({
      status: 200,
      body: { from: midnightVn(2026, 3, 1), to: now },
    });
    const incidents = await get('/api/v1/incidents?from=01/01/2026&to=02/03/2026 09:00');
    expect(incidents.status).toBe(200);
  });

  it('refuse what is not a time, naming the parameter', async () => {
    const res = await get('/api/v1/incidents?to=mai');
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/^querystring\/to "mai" is not a time/);
    expect((await get('/api/v1/results?from=2026-02-30')).status).toBe(400);
  });
});

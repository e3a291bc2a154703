/**
 * Uptime accounting: service downtime never counted twice, the commune's network (and silent agents) never
 * charged to the vendor, maintenance out of both, unknown time before the first result, working hours.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Value } from 'typebox/value';
import { uptime } from '../../../server/outages/uptime.js';
import { WorkCalendar } from '../../../server/calendar/working-time.js';
import { buildApp, type App } from '../../../server/app.js';
import { ServerConfigSchema, type ServerConfig } from '../../../server/config.js';
import { openSqliteStore } from '../../../server/store/sqlite-store.js';
import type { Store } from '../../../server/store/store.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { IngestDriver } from '../../helpers/ingest-driver.js';
import { incidentFixture } from '../../helpers/incident-fixture.js';

const H = 3_600_000;
// Wednesday 25 Nov 2026, 00:00 in Vietnam (the 24th is the provisional Culture Day holiday: no office hours).
const DAY0 = Date.parse('2026-11-24T17:00:00Z');
const at = (hour: number) => DAY0 + hour * H;

const incident = incidentFixture;

describe('uptime()', () => {
  const base = { from: at(0), to: at(24), observedFrom: at(0), commune: '26734', service: 'civil-status', planned: [] };

  it('counts overlapping local and central downtime once, and only the commune its central incident names', () => {
    const figures = uptime({
      ...base,
      incidents: [
        incident({ startedAt: at(8), endedAt: at(10) }),
        incident({
          scope: 'central',
          cause: 'central-service',
          commune: null,
          startedAt: at(9),
          endedAt: at(12),
          communes: [
            { commune: '26734', startedAt: at(9), endedAt: at(11) },
            { commune: '26737', startedAt: at(9), endedAt: at(12) },
          ],
        }),
        incident({ service: 'portal', startedAt: at(13), endedAt: at(20) }), // another service
        incident({ startedAt: at(14), endedAt: at(15), mergedInto: 99 }), // folded into a central one
        incident({ startedAt: at(16), endedAt: at(17), deletedAt: at(20) }),
      ],
    });
    expect(figures).toMatchObject({
      observedMs: 24 * H,
      networkDownMs: 0,
      serviceDownMs: 3 * H,
      serviceUptime: 21 / 24,
      networkUptime: 1,
    });
  });

  it('charges time without data (agent silent, link down) to the commune network, never to the vendor', () => {
    const figures = uptime({
      ...base,
      incidents: [
        incident({ cause: 'agent-silent', service: null, startedAt: at(8), endedAt: at(12) }),
        incident({ cause: 'commune-network', service: null, startedAt: at(11), endedAt: at(14) }),
        incident({ startedAt: at(13), endedAt: at(16) }), // the service fails too, partly while the link is down
        incident({ cause: 'agent-silent', service: null, startedAt: at(20), endedAt: at(21), superseded: true }),
      ],
    });
    expect(figures.networkDownMs).toBe(6 * H);
    expect(figures.serviceDownMs).toBe(2 * H); // 14:00–16:00 only
    expect(figures.networkUptime).toBeCloseTo(18 / 24, 10);
    expect(figures.serviceUptime).toBeCloseTo(1 - 2 / 18, 10);
  });

  it('leaves planned maintenance and the time before the first result out of both', () => {
    const figures = uptime({
      ...base,
      observedFrom: at(6),
      planned: [{ start: at(22), end: at(26) }],
      incidents: [incident({ startedAt: at(21), endedAt: at(23) })],
    });
    expect(figures).toMatchObject({ observedMs: 16 * H, plannedMs: 2 * H, serviceDownMs: 1 * H });
  });

  it('in working hours, counts only office sessions', () => {
    const figures = uptime({
      ...base,
      calendar: new WorkCalendar(),
      incidents: [incident({ startedAt: at(11), endedAt: at(14) })],
    });
    // Sessions 07:30–11:30 and 13:00–17:00; the outage covers 11:00–11:30 and 13:00–14:00.
    expect(figures).toMatchObject({ observedMs: 8 * H, serviceDownMs: 1.5 * H });
  });
});

describe('GET /api/v1/uptime', () => {
  const dir = tempDir();
  let store: Store;
  let built: App;
  let key: string;
  const time = { now: at(7) };

  beforeAll(async () => {
    store = openSqliteStore({ file: join(dir.path, `${randomUUID()}.db`) });
    built = await buildApp({
      store,
      config: Value.Default(ServerConfigSchema, {}) as ServerConfig,
      now: () => time.now,
      timers: false,
    });
    key = store.apiTokens.create({ name: 'lanh-dao', role: 'viewer', now: at(0) }).token;
    const admin = store.apiTokens.create({ name: 'it', role: 'admin', now: at(0) }).token;
    const driver = new IngestDriver(built, store, ['26734'], time);
    await driver.rounds('26734', 'hotich', at(7), 1, true, { service: 'civil-status' });
    time.now = at(12);
    const post = (url: string, payload: object) =>
      built.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${admin}` }, payload });
    expect(
      (
        await post('/api/v1/incidents', {
          cause: 'local-service',
          service: 'civil-status',
          communes: ['26734'],
          startedAt: at(9),
          endedAt: at(10),
          note: 'sổ trực',
        })
      ).statusCode,
    ).toBe(201);
    time.now = at(15.5);
    expect(
      (
        await post('/api/v1/incidents', {
          cause: 'commune-network',
          communes: ['26734'],
          startedAt: at(14),
          endedAt: at(15),
          note: 'mất điện',
        })
      ).statusCode,
    ).toBe(201);
    time.now = at(15.5);
    expect(
      (
        await post('/api/v1/silences', {
          kind: 'maintenance',
          matchers: { commune: ['26734'] },
          startsAt: at(16),
          endsAt: at(17),
          comment: 'bảo trì',
        })
      ).statusCode,
    ).toBe(201);
    time.now = at(24);
  });
  afterAll(async () => {
    await built.app.close();
    store.close();
    dir.remove();
  });

  it('answers per commune and service, 24×7 and in working hours', async () => {
    const res = await built.app.inject({
      url: `/api/v1/uptime?from=${at(0)}&to=${at(24)}`,
      headers: { authorization: `Bearer ${key}` },
    });
    expect(res.statusCode, res.body).toBe(200);
    const [row] = res.json().rows;
    // Observed from the first result (07:00) to midnight, minus the hour of maintenance: 16 h.
    expect(row).toMatchObject({
      commune: '26734',
      service: 'civil-status',
      observedMs: 16 * H,
      plannedMs: H,
      networkDownMs: H,
      serviceDownMs: H,
    });
    const working = (
      await built.app.inject({
        url: `/api/v1/uptime?from=${at(0)}&to=${at(24)}&working=true`,
        headers: { authorization: `Bearer ${key}` },
      })
    ).json();
    // Office time from 07:30: 4 h + 4 h, minus the maintenance hour 16:00–17:00 = 7 h.
    expect(working.rows[0]).toMatchObject({ observedMs: 7 * H, networkDownMs: H, serviceDownMs: H });
    expect(
      (
        await built.app.inject({
          url: `/api/v1/uptime?from=${at(5)}&to=${at(1)}`,
          headers: { authorization: `Bearer ${key}` },
        })
      ).statusCode,
    ).toBe(400);
  });
});

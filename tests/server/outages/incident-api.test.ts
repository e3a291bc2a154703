/**
 * The incident API with API keys: an admin records an outage known from the helpdesk log, corrects and
 * deletes it with an audit trail; a viewer reads; a vendor key sees only its own services; bad input is a
 * 4xx naming the problem.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../server/app.js';
import type { Store } from '../../../server/store/store.js';
import { startApiApp, type ApiApp } from '../../helpers/api-app.js';

const NOW = Date.parse('2026-11-25T03:00:00Z');
const H = 3_600_000;

describe('incident API', () => {
  let api: ApiApp;
  let store: Store;
  let built: App;
  let admin: string;
  let viewer: string;
  let vendor: string;

  beforeAll(async () => {
    api = await startApiApp({ now: () => NOW });
    ({ store, built, admin, viewer } = api);
    vendor = store.apiTokens.create({
      name: 'vnpt-hotich',
      role: 'vendor',
      services: ['civil-status'],
      now: NOW,
    }).token;
  });
  afterAll(() => api.close());

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, key: string | undefined, payload?: unknown) =>
    built.app.inject({
      method,
      url,
      ...(key && { headers: { authorization: `Bearer ${key}` } }),
      ...(payload !== undefined && { payload: payload as object }),
    });

  it('records an outage known from the helpdesk log, marked manual with who recorded it', async () => {
    const res = await call('POST', '/api/v1/incidents', admin, {
      cause: 'central-service',
      service: 'civil-status',
      communes: ['26734', '26737'],
      startedAt: NOW - 30 * H,
      endedAt: NOW - 27 * H,
      note: 'Phần mềm hộ tịch lỗi, theo sổ trực',
    });
    expect(res.statusCode, res.body).toBe(201);
    const { incident } = res.json();
    expect(incident).toMatchObject({
      scope: 'central',
      cause: 'central-service',
      manual: true,
      recordedBy: 'it-lead',
      startedAt: NOW - 30 * H,
      endedAt: NOW - 27 * H,
    });
    expect(incident.communes.map((c: { commune: string }) => c.commune)).toEqual(['26734', '26737']);
    const local = await call('POST', '/api/v1/incidents', admin, {
      cause: 'commune-network',
      communes: ['26734'],
      startedAt: NOW - 5 * H,
      note: 'Mất điện cả xã',
    });
    expect(local.statusCode).toBe(201);
    expect(local.json().incident).toMatchObject({ scope: 'local', commune: '26734', endedAt: null });
  });

  it('lets a viewer read, and a vendor only its own services', async () => {
    const list = await call('GET', '/api/v1/incidents', viewer);
    expect(list.statusCode).toBe(200);
    expect(list.json().incidents).toHaveLength(2);
    const own = await call('GET', '/api/v1/incidents', vendor);
    expect(own.json().incidents.map((i: { service: string }) => i.service)).toEqual(['civil-status']);
    const networkId = list.json().incidents.find((i: { cause: string }) => i.cause === 'commune-network').id;
    expect((await call('GET', `/api/v1/incidents/${networkId}`, vendor)).statusCode).toBe(404);
    const detail = await call('GET', `/api/v1/incidents/${networkId}`, viewer);
    expect(detail.json()).toMatchObject({
      incident: { id: networkId },
      evidence: [],
      events: [{ kind: 'recorded', actor: 'it-lead' }],
    });
  });

  it('refuses writes without the admin role, and requests without a valid key', async () => {
    const body = { cause: 'commune-network', communes: ['26734'], startedAt: NOW - H, note: 'x' };
    expect((await call('POST', '/api/v1/incidents', viewer, body)).json()).toMatchObject({
      statusCode: 403,
      code: 'CW_ERR_AUTH_FORBIDDEN',
      message: 'this needs the admin role; "chairman" is viewer',
    });
    expect((await call('POST', '/api/v1/incidents', undefined, body)).statusCode).toBe(401);
    expect(
      (
        await call('GET', '/api/v1/incidents', 'cwk_0000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')
      ).json(),
    ).toMatchObject({ statusCode: 401, code: 'CW_ERR_AUTH_INVALID' });
    expect(
      (await call('GET', '/api/v1/incidents', 'cwa_0000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'))
        .statusCode,
    ).toBe(401);
  });

  it('answers bad input with a 400 that names the problem, and stores nothing', async () => {
    const before = store.incidents.list({ limit: 100, includeDeleted: true }).length;
    const cases: Array<[unknown, RegExp]> = [
      [{ cause: 'central-service', communes: ['26734'], startedAt: NOW - H, note: 'x' }, /needs a service/],
      [
        { cause: 'commune-network', communes: ['26734'], startedAt: NOW - H, endedAt: NOW - 2 * H, note: 'x' },
        /endedAt must be after startedAt/,
      ],
      [
        { cause: 'commune-network', communes: ['26734', '26737'], startedAt: NOW - H, note: 'x' },
        /exactly one commune/,
      ],
      [{ cause: 'power-cut', communes: ['26734'], startedAt: NOW - H, note: 'x' }, /body\/cause/],
      [{ cause: 'commune-network', communes: ['26734'], startedAt: '2026-11-25', note: 'x' }, /body\/startedAt/],
      [{ cause: 'commune-network', communes: ['26734'], startedAt: NOW + H, note: 'x' }, /in the future/],
      [{ cause: 'commune-network', communes: ['26734'], startedAt: NOW - H, note: 'x', extra: 1 }, /extra/],
      [
        {
          cause: 'commune-network',
          communes: ['26734'],
          startedAt: NOW - 2 * H,
          endedAt: NOW - H,
          note: 'x',
          notify: true,
        },
        /notify is for an ongoing incident/,
      ],
      [{ cause: 'commune-network', communes: ['26734'], startedAt: NOW - H, note: 'x', notify: 'yes' }, /body\/notify/],
    ];
    for (const [body, message] of cases) {
      const res = await call('POST', '/api/v1/incidents', admin, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().message).toMatch(message);
    }
    expect(store.incidents.list({ limit: 100, includeDeleted: true })).toHaveLength(before);
  });

  it('corrects and deletes with an audit trail; a deleted incident no longer counts', async () => {
    const [inc] = (await call('GET', '/api/v1/incidents?cause=commune-network', admin)).json().incidents;
    const edited = await call('PATCH', `/api/v1/incidents/${inc.id}`, admin, {
      endedAt: NOW - 4 * H,
      reason: 'điện có lại lúc 6h',
    });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json().incident).toMatchObject({ endedAt: NOW - 4 * H, corrected: true });
    expect((await call('PATCH', `/api/v1/incidents/${inc.id}`, admin, { endedAt: NOW - 4 * H })).statusCode).toBe(400); // reason required
    const del = await call('DELETE', `/api/v1/incidents/${inc.id}?reason=${encodeURIComponent('ghi nhầm xã')}`, admin);
    expect(del.statusCode).toBe(200);
    expect((await call('GET', `/api/v1/incidents/${inc.id}`, viewer)).statusCode).toBe(404);
    const audit = (await call('GET', `/api/v1/incidents/${inc.id}`, admin)).json().events;
    expect(audit.map((e: { kind: string }) => e.kind)).toEqual(['recorded', 'edited', 'deleted']);
    expect(audit[1].detail).toEqual({
      reason: 'điện có lại lúc 6h',
      before: { endedAt: null },
      after: { endedAt: NOW - 4 * H },
    });
    expect((await call('GET', '/api/v1/incidents?cause=commune-network', viewer)).json().incidents).toEqual([]);
    expect(
      (await call('GET', '/api/v1/incidents?cause=commune-network&deleted=true', admin)).json().incidents,
    ).toHaveLength(1);
  });

  it('acknowledges once, recording who', async () => {
    const [inc] = (await call('GET', '/api/v1/incidents', admin)).json().incidents;
    const ack = await call('POST', `/api/v1/incidents/${inc.id}/ack`, admin);
    expect(ack.json().incident).toMatchObject({ acknowledgedAt: NOW, acknowledgedBy: 'it-lead' });
    expect((await call('POST', `/api/v1/incidents/${inc.id}/ack`, viewer)).statusCode).toBe(403);
    expect((await call('POST', '/api/v1/incidents/99999/ack', admin)).statusCode).toBe(404);
  });
});

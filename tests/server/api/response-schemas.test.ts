/**
 * Response schemas change nothing a caller reads: for every described JSON route, over real data, the
 * body fast-json-stringify writes from the route's schema equals what JSON.stringify would have written
 * from the handler's value (a field missing from a schema, a null turned into 0, a fraction truncated
 * would all show here). And every route the app registers is either described with a 2xx schema or hidden.
 *
 * `fastify` is wrapped so each app built in this file records its routes and the raw value of every
 * JSON reply (preSerialization sees it before the schema does).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startApiApp, type ApiApp } from '../../helpers/api-app.js';
import { createAgentToken } from '../../../server/auth/agent-tokens.js';
import { areaOf } from '../../../server/api/openapi.js';

interface SeenRoute {
  method: string | string[];
  url: string;
  schema?: { hide?: boolean; response?: Record<string, unknown> };
}
const seen = vi.hoisted(() => ({ routes: [] as SeenRoute[], raw: [] as string[] }));

vi.mock('fastify', async (importOriginal) => {
  const mod = await importOriginal<typeof import('fastify')>();
  const wrapped = ((opts: Parameters<typeof mod.default>[0]) => {
    const app = mod.default(opts);
    app.addHook('onRoute', (route) => {
      seen.routes.push({ method: route.method, url: route.url, schema: route.schema as SeenRoute['schema'] });
    });
    app.addHook('preSerialization', async (_request, _reply, payload) => {
      seen.raw.push(JSON.stringify(payload));
      return payload;
    });
    return app;
  }) as unknown as typeof mod.default;
  return { ...mod, default: wrapped };
});

const T0 = Date.UTC(2026, 2, 2, 3, 0); // Monday 2 March 2026, 10:00 in Vietnam
const DAY = 86_400_000;

describe('response schemas', () => {
  const clock = { now: T0 };
  let api: ApiApp;
  let vendor: string;

  beforeAll(async () => {
    api = await startApiApp({ now: () => clock.now });
    vendor = api.store.apiTokens.create({ name: 'vnpt', role: 'vendor', services: ['civil-status'], now: 0 }).token;
    const { store, built } = api;
    const inject = built.app.inject.bind(built.app);
    const admin = { authorization: `Bearer ${api.admin}` };

    // Results with and without failures and details, a health sample and an inventory, through ingest.
    const agent = createAgentToken(store, { commune: '26734', name: 'pc-1', now: T0 - DAY }).token;
    const result = (seq: number, ok: boolean, service: string) => ({
      id: randomUUID(),
      seq,
      ts: T0 - DAY + seq * 60_000,
      target: service === 'network' ? 'gateway' : `${service}-portal`,
      kind: service === 'network' ? 'icmp' : 'http',
      service,
      role: service === 'network' ? 'gateway' : 'service',
      ok,
      durationMs: 120.5,
      latencyMs: 99.75,
      ...(service === 'network'
        ? { icmp: { sent: 10, received: 9, lossRatio: 0.1, rttAvgMs: 3.25 } }
        : { http: { statusCode: ok ? 200 : 503, phases: { connectMs: 1.5 } } }),
      ...(!ok && { layer: 'service', error: { code: 'CW_ERR_PROBE_HTTP_STATUS', message: 'status 503 – lỗi' } }),
    });
    const res = await inject({
      method: 'POST',
      url: '/api/v1/ingest',
      headers: { authorization: `Bearer ${agent}` },
      payload: {
        v: 1,
        batchId: randomUUID(),
        commune: '26734',
        sentAt: T0 - DAY + 3_600_000,
        agent: { version: '1.0.0', hostname: 'pc-1' },
        results: [
          result(1, true, 'civil-status'),
          result(2, false, 'civil-status'),
          result(3, true, 'network'),
          result(4, false, 'one-stop-shop'),
        ],
        health: [
          {
            id: randomUUID(),
            seq: 5,
            ts: T0 - DAY,
            cpuLoadPct: 12.5,
            memTotalBytes: 8 * 1024 ** 3,
            disks: [{ mount: 'C:', fsType: 'NTFS', sizeBytes: 256e9, freeBytes: 140e9 }],
            uptimeSec: 3600.5,
            ifaces: [{ iface: 'Ethernet', rxErrors: 0, txErrors: 0, rxDropped: 3, txDropped: 0, operstate: 'up' }],
          },
        ],
        inventory: [
          {
            id: randomUUID(),
            seq: 6,
            ts: T0 - DAY,
            hostname: 'PC-MOTCUA',
            system: { manufacturer: 'Dell', model: 'OptiPlex 3080' },
            cpu: { brand: 'Core i3', cores: 4, physicalCores: 2, speedGHz: 3.6 },
            memTotalBytes: 8 * 1024 ** 3,
            disks: [{ sizeBytes: 256e9, type: 'SSD' }],
            os: { platform: 'win32', distro: 'Windows 10 Pro', release: '10.0.19045', arch: 'x64' },
            usb: [{ vendorId: '096e', productId: '0807', name: 'ePass2003', class: 'signing-token', basis: 'id' }],
            printers: [{ name: 'HP LaserJet', local: true, default: true }],
            counts: { smartcardReaders: 0, signingTokens: 1, scanners: 0, printers: 1 },
          },
        ],
      },
    });
    expect(res.statusCode, res.body).toBe(200);
    built.live.update('26734', []);

    // A recorded incident (ended), an ongoing one, an acknowledgement, a correction.
    for (const body of [
      {
        cause: 'central-service',
        service: 'civil-status',
        communes: ['26734', '26737'],
        startedAt: T0 - 5 * 3_600_000,
        endedAt: T0 - 4 * 3_600_000,
        note: 'Trục liên thông hộ tịch lỗi',
      },
      {
        cause: 'commune-network',
        severity: 'degraded',
        communes: ['26734'],
        startedAt: T0 - 3_600_000,
        note: 'mạng chập chờn',
      },
    ]) {
      const r = await inject({ method: 'POST', url: '/api/v1/incidents', headers: admin, payload: body });
      expect(r.statusCode, r.body).toBe(201);
    }
    await inject({ method: 'POST', url: '/api/v1/incidents/1/ack', headers: admin });
    await inject({
      method: 'PATCH',
      url: '/api/v1/incidents/1',
      headers: admin,
      payload: { note: 'sửa lại', reason: 'ghi chú' },
    });

    // A recurring maintenance window, a calendar day, dossiers, RUM aggregates.
    const s = await inject({
      method: 'POST',
      url: '/api/v1/silences',
      headers: admin,
      payload: {
        kind: 'maintenance',
        matchers: { service: ['civil-status'] },
        startsAt: T0,
        endsAt: T0 + 30 * DAY,
        recurring: { weekdays: [6], from: '22:00', to: '23:30' },
        comment: 'bảo trì',
      },
    });
    expect(s.statusCode, s.body).toBe(201);
    await inject({
      method: 'PUT',
      url: '/api/v1/calendar/days/2026-03-07',
      headers: admin,
      payload: { kind: 'work', name: 'Làm bù', source: 'TB 1/TB-BNV' },
    });
    const d = await inject({
      method: 'POST',
      url: '/api/v1/dossiers',
      headers: admin,
      payload: {
        source: 'motcua-test',
        records: [
          {
            MaHoSo: 'HS-1',
            MaDonVi: '26734',
            NgayTiepNhan: '02/03/2026 08:00',
            NgayHenTra: '02/03/2026 09:00',
            LinhVuc: 'Hộ tịch',
            KenhNop: 'online',
          },
        ],
      },
    });
    expect([200, 400]).toContain(d.statusCode);
    const rumApp = store.rum.createApp({
      name: 'motcua-web',
      origins: ['https://motcua.example'],
      services: ['civil-status'],
      now: T0,
    }).app;
    store.rum.recordError({
      appId: rumApp.id,
      key: { fingerprint: 'f1', type: 'TypeError', message: 'x is <n>', frames: [{ function: 'a', file: '/app.js' }] },
      at: T0 - 60_000,
      stack: [{ function: 'a', file: '/app.js', lineno: 2, colno: 30 }],
      page: '/ho-so/:id',
      commune: '26734',
      browser: 'Chrome 130',
      version: '1.2',
    });
    store.rum.recordFetchFailure({
      appId: rumApp.id,
      day: T0 - 3 * 3_600_000,
      commune: '26734',
      url: 'https://motcua.example/api',
      status: 0,
      durationMs: 1234.5,
      at: T0 - 60_000,
    });
  });
  afterAll(() => api?.close());

  const GETS = [
    '/api/v1/status',
    '/api/v1/incidents?deleted=true',
    '/api/v1/incidents/1',
    '/api/v1/incidents/2',
    '/api/v1/uptime?from=01/03/2026&to=02/03/2026',
    '/api/v1/silences',
    '/api/v1/notifications',
    '/api/v1/calendar?year=2026&commune=26734',
    '/api/v1/results?from=2026-02-28',
    '/api/v1/rollups?resolution=hour',
    '/api/v1/profile/hour-of-day?service=civil-status',
    '/api/v1/inventory',
    '/api/v1/health',
    '/api/v1/dossiers/attribution',
    '/api/v1/rum/errors',
    '/api/v1/rum/fetch-failures',
    '/api/v1/incidents/99',
    '/api/v1/results?from=yesterday',
    '/healthz',
    '/readyz',
  ];

  const bodies = new Map<string, unknown>();
  it.each(['admin', 'viewer', 'vendor'] as const)('serialise what the handlers return, as %s', async (role) => {
    const token = role === 'admin' ? api.admin : role === 'viewer' ? api.viewer : vendor;
    for (const url of GETS) {
      seen.raw.length = 0;
      const res = await api.built.app.inject({ url, headers: { authorization: `Bearer ${token}` } });
      expect(res.statusCode, `${url}: ${res.body}`).toBeLessThan(500);
      expect(seen.raw, url).toHaveLength(1);
      expect(JSON.parse(res.body), `${role} ${url}`).toEqual(JSON.parse(seen.raw[0]!));
      if (role === 'admin') bodies.set(url, JSON.parse(res.body));
    }
    if (role !== 'admin') return;
    // The comparison above means something only over data: each list has rows to serialise.
    const rows = (url: string, key: string) => (bodies.get(url) as Record<string, unknown[]>)[key]!.length;
    expect(rows('/api/v1/status', 'targets')).toBeGreaterThan(0);
    expect(rows('/api/v1/incidents?deleted=true', 'incidents')).toBe(2);
    expect(rows('/api/v1/incidents/1', 'events')).toBeGreaterThan(0);
    expect(rows('/api/v1/uptime?from=01/03/2026&to=02/03/2026', 'rows')).toBeGreaterThan(0);
    expect(rows('/api/v1/silences', 'silences')).toBe(1);
    expect(rows('/api/v1/calendar?year=2026&commune=26734', 'days')).toBeGreaterThan(0);
    expect(rows('/api/v1/results?from=2026-02-28', 'results')).toBe(4);
    expect(rows('/api/v1/rollups?resolution=hour', 'rows')).toBeGreaterThan(0);
    expect(rows('/api/v1/profile/hour-of-day?service=civil-status', 'cells')).toBeGreaterThan(0);
    expect(rows('/api/v1/inventory', 'agents')).toBe(1);
    expect(rows('/api/v1/health', 'agents')).toBe(1);
    expect(rows('/api/v1/rum/errors', 'groups')).toBe(1);
    expect(rows('/api/v1/rum/fetch-failures', 'failures')).toBe(1);
  });

  it('serialise the answers of writes', async () => {
    const headers = { authorization: `Bearer ${api.admin}` };
    const writes = [
      {
        method: 'POST' as const,
        url: '/api/v1/incidents',
        payload: { cause: 'local-service', service: 'one-stop-shop', startedAt: T0 - 60_000, note: 'x' },
      },
      { method: 'DELETE' as const, url: '/api/v1/incidents/3?reason=nhầm' },
      { method: 'DELETE' as const, url: '/api/v1/silences/1' },
      { method: 'DELETE' as const, url: '/api/v1/calendar/days/2026-03-07' },
      { method: 'POST' as const, url: '/api/v1/calendar/import', payload: { scope: { commune: '26734' }, days: [] } },
      { method: 'PATCH' as const, url: '/api/v1/incidents/1', payload: { startedAt: T0 + DAY, reason: 'x' } },
    ];
    for (const w of writes) {
      seen.raw.length = 0;
      const res = await api.built.app.inject({ ...w, headers });
      expect(res.statusCode, `${w.url}: ${res.body}`).toBeLessThan(500);
      expect(JSON.parse(res.body), w.url).toEqual(JSON.parse(seen.raw[0]!));
    }
  });

  it('leave no route undescribed: each has a 2xx response schema, or is hidden from the description', () => {
    const undescribed = seen.routes
      .filter((r) => r.method !== 'HEAD')
      .filter((r) => {
        // Anything under /api/ must be described (a new prefix needs its line in openapi.ts's AREAS too).
        if (r.url.startsWith('/api/') && !areaOf(r.url)) return true;
        if (r.schema?.hide || !areaOf(r.url)) return false;
        return !Object.keys(r.schema?.response ?? {}).some((code) => /^2/.test(code));
      })
      .map((r) => `${String(r.method)} ${r.url}`);
    expect(seen.routes.length).toBeGreaterThan(40);
    expect(undescribed).toEqual([]);
  });
});

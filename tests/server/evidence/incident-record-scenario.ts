/**
 * The incident-record scenario, driven through the real ingest API over a real SQLite file with an injected
 * clock. Three communes each probe their network path (gateway, resolver, uplink) and two services every
 * minute for 30 minutes from 09:00 (Vietnam time):
 * - Xã Bảo Hà (26734): the one-stop-shop answers 503 from 09:10 to 09:20 while everything else passes —
 *   a local-service incident whose control group is 30/30 path checks and 10/10 civil-status checks;
 * - Phường Yên Bái (26737): its gateway stops answering from 09:12 to 09:18 and everything fails with it —
 *   a commune-network incident whose control group shows the gateway failing;
 * - Xã Một (99001): healthy throughout.
 */
import { fileURLToPath } from 'node:url';
import type { ProbeResult } from '../../../protocol/wire.js';
import type { Incident } from '../../../server/outages/incident.js';
import { startApiApp, type ApiApp } from '../../helpers/api-app.js';
import { IngestDriver, MIN } from '../../helpers/ingest-driver.js';

export const UNITS = fileURLToPath(new URL('../../fixtures/units/units.yaml', import.meta.url));
/** Wednesday 25/11/2026 09:00 in Vietnam. */
export const T0 = Date.parse('2026-11-25T02:00:00Z');
export const SERVICE_DOWN = { commune: '26734', from: T0 + 10 * MIN, to: T0 + 20 * MIN };
export const NETWORK_DOWN = { commune: '26737', from: T0 + 12 * MIN, to: T0 + 18 * MIN };
const COMMUNES = ['26734', '26737', '99001'];
/** The query string is a secret the record must not show. */
export const MOTCUA_URL = 'https://motcua.laocai.gov.vn/dvc/dang-nhap?token=SECRET-TOKEN-123';

export interface RecordScenario {
  api: ApiApp;
  clock: { now: number };
  driver: IngestDriver;
  service: Incident;
  network: Incident;
}

const within = (t: number, s: { from: number; to: number }) => t >= s.from && t < s.to;

function round(d: IngestDriver, commune: string, ts: number): ProbeResult[] {
  const netDown = commune === NETWORK_DOWN.commune && within(ts, NETWORK_DOWN);
  const svcDown = commune === SERVICE_DOWN.commune && within(ts, SERVICE_DOWN);
  const path = (target: string, role: string, kind: 'icmp' | 'dns'): ProbeResult => {
    const r = d.result(commune, target, ts, !netDown, {
      service: 'network',
      role,
      kind,
      latencyMs: 4,
      ...(netDown && { layer: 'lan' }),
      ...(kind === 'icmp' && { lossRatio: netDown ? 1 : 0 }),
    });
    if (netDown)
      r.error = {
        code: kind === 'icmp' ? 'CW_ERR_PROBE_ICMP_NO_REPLY' : 'CW_ERR_PROBE_TIMEOUT',
        message: 'no reply within 2000 ms',
      };
    return r;
  };
  const motcua = d.result(commune, 'motcua', ts, !netDown && !svcDown, {
    service: 'one-stop-shop',
    latencyMs: svcDown ? 48 : 180,
    ...(svcDown && { layer: 'service' }),
    ...(netDown && { layer: 'lan' }),
  });
  if (svcDown) {
    motcua.error = { code: 'CW_ERR_PROBE_HTTP_STATUS', message: 'status 503, expected 200-399' };
    // What an issue-14 agent sends with the status (HttpDetail's optional fields); older agents send phases only.
    motcua.http = {
      statusCode: 503,
      phases: { resolveMs: 3, connectMs: 6, tlsMs: 14, processingMs: 20, firstByteMs: 43, totalMs: 48 },
      // The agent redacts the URL (common/redact.ts); the record cuts any query string an agent still sends.
      url: MOTCUA_URL,
      address: '10.20.30.40:443',
      statusLine: 'HTTP/1.1 503 Service Unavailable',
      bodyPreview: '<html><body><h1>Hệ thống đang bảo trì</h1></body></html>',
      conditions: [
        { subject: 'STATUS', condition: '== 200-399', actual: '503', ok: false },
        { subject: 'BODY', condition: 'contains "Đăng nhập"', actual: 'not found', ok: false },
        { subject: 'RESPONSE_TIME', condition: '< 3000 ms', actual: '48 ms', ok: true },
      ],
    };
  }
  const hotich = d.result(commune, 'hotich', ts, !netDown, {
    service: 'civil-status',
    latencyMs: 210,
    ...(netDown && { layer: 'lan' }),
  });
  return [
    path('path-gateway', 'gateway', 'icmp'),
    path('path-dns', 'resolver', 'dns'),
    path('path-uplink', 'uplink', 'icmp'),
    motcua,
    hotich,
  ];
}

/** Runs the 30 minutes; the clock ends at 09:30. */
export async function startRecordScenario(): Promise<RecordScenario> {
  const clock = { now: T0 };
  const api = await startApiApp({ now: () => clock.now, configure: (c) => (c.units = UNITS) });
  const driver = new IngestDriver(api.built, api.store, COMMUNES, clock);
  for (let i = 0; i < 30; i++) {
    clock.now = T0 + i * MIN;
    for (const c of COMMUNES) await driver.push(c, round(driver, c, clock.now));
  }
  const all = api.store.incidents.list({ limit: 100 });
  const service = all.find((i) => i.cause === 'local-service' && i.service === 'one-stop-shop');
  const network = all.find((i) => i.cause === 'commune-network');
  if (!service || !network) throw new Error(`scenario incidents missing: ${JSON.stringify(all.map((i) => i.cause))}`);
  return { api, clock, driver, service, network };
}

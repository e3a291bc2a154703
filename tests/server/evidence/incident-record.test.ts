/**
 * The incident record model over results ingested through the real API (incident-record-scenario.ts): what
 * failed, where and when; the failing checks as conditions with phases, status line and body preview (no query
 * string); the control group with exact counts — the one-stop-shop failing 10/10 while the commune's gateway,
 * DNS and uplink answered 30/30, and a commune-network outage where the gateway failed too; conditions derived
 * for older agents; the timeline in Vietnamese and English with actors; vendor scoping.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIncidentRecord, type IncidentRecord } from '../../../server/evidence/incident-record.js';
import { conditionLine, deriveConditions } from '../../../server/evidence/incident-record-checks.js';
import { renderIncidentRecordHtml } from '../../../server/evidence/incident-record-html.js';
import { acknowledgeIncident, editIncident, replyToIncident } from '../../../server/outages/manual-incidents.js';
import { MIN } from '../../helpers/ingest-driver.js';
import {
  NETWORK_DOWN,
  SERVICE_DOWN,
  startRecordScenario,
  T0,
  type RecordScenario,
} from './incident-record-scenario.js';

const ADMIN = { role: 'admin' as const };

describe('incident record', () => {
  let s: RecordScenario;
  const record = (id: number, principal: { role: 'admin' | 'viewer' | 'vendor'; services?: string[] } = ADMIN) =>
    buildIncidentRecord(
      { store: s.api.store, units: s.api.built.units, now: s.clock.now, offsetMin: 420 },
      id,
      principal,
    );

  beforeAll(async () => {
    s = await startRecordScenario();
  });
  afterAll(() => s.api.close());

  it('says what failed, where and from when to when', () => {
    const r = record(s.service.id)!;
    expect(r.province).toBe('Lào Cai');
    expect(r.incident).toMatchObject({
      cause: 'local-service',
      severity: 'down',
      service: 'one-stop-shop',
      serviceName: { vi: 'Hệ thống một cửa điện tử', en: expect.any(String) },
      layer: 'service',
      startedAt: SERVICE_DOWN.from,
      endedAt: SERVICE_DOWN.to,
      durationMs: 10 * MIN,
      downMs: 10 * MIN,
      downSpans: [{ start: SERVICE_DOWN.from, end: SERVICE_DOWN.to }],
      degradedSpans: [],
      counted: true,
    });
    expect(r.communes).toEqual([
      {
        commune: '26734',
        name: 'Xã Bảo Hà (26734)',
        startedAt: SERVICE_DOWN.from,
        endedAt: SERVICE_DOWN.to,
        durationMs: 10 * MIN,
      },
    ]);
  });

  it('shows the failing checks as conditions, with phases, status line and body, and no query string', () => {
    const r = record(s.service.id)!;
    expect(r.checks).toHaveLength(1);
    const check = r.checks[0]!;
    expect(check).toMatchObject({
      commune: '26734',
      target: 'motcua',
      kind: 'http',
      url: 'https://motcua.laocai.gov.vn/dvc/dang-nhap',
      address: '10.20.30.40:443',
    });
    expect(check.failed).toBeGreaterThanOrEqual(3);
    const first = check.results[0]!;
    expect(first).toMatchObject({
      ok: false,
      stored: true,
      ts: SERVICE_DOWN.from,
      statusCode: 503,
      statusLine: 'HTTP/1.1 503 Service Unavailable',
      bodyPreview: expect.stringContaining('Hệ thống đang bảo trì'),
      phases: { resolveMs: 3, connectMs: 6, tlsMs: 14, firstByteMs: 43, totalMs: 48 },
      conditionsDerived: false,
    });
    expect(first.conditions.map(conditionLine)).toEqual([
      '[STATUS] == 200-399 ✗ 503',
      '[BODY] contains "Đăng nhập" ✗ not found',
      '[RESPONSE_TIME] < 3000 ms ✓ 48 ms',
    ]);
    // The recovery closes the story.
    // The recovery closes the story (the success that confirmed it, a round after the end).
    expect(check.results.at(-1)).toMatchObject({ ok: true, ts: SERVICE_DOWN.to + MIN });
    expect(JSON.stringify(r)).not.toContain('SECRET-TOKEN');
  });

  it('derives the conditions of an older agent from its error and figures', () => {
    const base = {
      id: 'x1234567',
      seq: 1,
      ts: T0,
      target: 'motcua',
      kind: 'http',
      service: 'one-stop-shop',
      durationMs: 60,
    };
    expect(
      deriveConditions({
        ...base,
        ok: false,
        latencyMs: 60,
        error: { code: 'CW_ERR_PROBE_HTTP_STATUS', message: 'status 503, expected 200-399' },
        http: { statusCode: 503, phases: { totalMs: 60 } },
      }).map(conditionLine),
    ).toEqual(['[STATUS] == 200-399 ✗ 503', '[RESPONSE_TIME] measured ✓ 60 ms']);
    expect(
      deriveConditions({
        ...base,
        ok: false,
        error: {
          code: 'CW_ERR_PROBE_HTTP_KEYWORD',
          message: 'keyword "Đăng nhập" not found in the first 65536 bytes of the body',
        },
        http: { statusCode: 200, phases: {} },
      }).map(conditionLine),
    ).toEqual(['[STATUS] == 200 ✓ 200', '[BODY] contains "Đăng nhập" ✗']);
    expect(
      deriveConditions({
        ...base,
        ok: false,
        error: { code: 'CW_ERR_PROBE_TIMEOUT', message: 'no response from https://x within 10000 ms (headers)' },
      }).map(conditionLine),
    ).toEqual(['[RESPONSE_TIME] < 10000 ms ✗ timeout']);
  });

  it("control group: the commune's gateway, DNS and uplink answered 30/30 while the one-stop-shop failed 10/10", () => {
    const r = record(s.service.id)!;
    expect(r.control.communes).toHaveLength(1);
    const c = r.control.communes[0]!;
    expect(c).toMatchObject({
      commune: '26734',
      from: SERVICE_DOWN.from,
      to: SERVICE_DOWN.to,
      clipped: false,
      source: 'results',
      path: { ok: 30, total: 30 },
      subject: { ok: 0, total: 10 },
      others: { ok: 10, total: 10 },
    });
    expect(c.rows.map((x) => [x.group, x.target, x.role, x.ok, x.checks])).toEqual([
      ['path', 'path-dns', 'resolver', 10, 10],
      ['path', 'path-gateway', 'gateway', 10, 10],
      ['path', 'path-uplink', 'uplink', 10, 10],
      ['subject', 'motcua', 'service', 0, 10],
      ['other', 'hotich', 'service', 10, 10],
    ]);
    expect(c.rows.find((x) => x.target === 'path-gateway')).toMatchObject({ worstLatencyMs: 4, maxLossPct: 0 });
    expect(c.summary.vi).toBe(
      'Tại Xã Bảo Hà (26734), 25/11/2026 09:10 – 09:20: các kiểm tra mạng của xã đạt 30/30 lần, trong khi ' +
        'Hệ thống một cửa điện tử không đạt 10/10 lần. Mạng của xã hoạt động bình thường: lỗi nằm ở phía dịch vụ. ' +
        'Các dịch vụ khác của xã đạt 10/10 lần.',
    );
    expect(c.summary.en).toContain("the commune's network checks passed 30/30 while");
    expect(c.summary.en).toContain('failed 10/10');
    // No other commune had a one-stop-shop incident; all three probe it.
    expect(r.control.elsewhere).toMatchObject({ service: 'one-stop-shop', communes: [], probing: 3 });
    expect(r.control.elsewhere.summary.vi).toBe(
      'Cùng thời gian, không xã nào khác có sự cố Hệ thống một cửa điện tử (3 xã có giám sát dịch vụ này).',
    );
  });

  it("control group of a commune-network outage: the commune's gateway failed with everything else", () => {
    const r = record(s.network.id)!;
    expect(r.incident).toMatchObject({ cause: 'commune-network', service: null, startedAt: NETWORK_DOWN.from });
    const c = r.control.communes[0]!;
    expect(c).toMatchObject({
      commune: '26737',
      from: NETWORK_DOWN.from,
      to: NETWORK_DOWN.to,
      path: { ok: 0, total: 18 },
      subject: { ok: 0, total: 0 },
      others: { ok: 0, total: 12 },
    });
    expect(c.rows.find((x) => x.target === 'path-gateway')).toMatchObject({
      group: 'path',
      role: 'gateway',
      ok: 0,
      checks: 6,
      maxLossPct: 100,
    });
    expect(c.summary.vi).toBe(
      'Tại Phường Yên Bái (26737), 25/11/2026 09:12 – 09:18: các kiểm tra mạng của xã chỉ đạt 0/18 lần: ' +
        'mạng của xã lỗi. Các dịch vụ khác của xã đạt 0/12 lần.',
    );
    expect(r.control.elsewhere).toMatchObject({ service: null, communes: [] });
  });

  it('is scoped like the incident API: a vendor of another service gets nothing', () => {
    expect(record(s.service.id, { role: 'vendor', services: ['one-stop-shop'] })).toBeDefined();
    expect(record(s.service.id, { role: 'vendor', services: ['civil-status'] })).toBeUndefined();
    expect(record(s.network.id, { role: 'vendor', services: ['one-stop-shop'] })).toBeUndefined();
    expect(record(s.network.id, { role: 'viewer' })).toBeDefined();
    expect(record(99_999)).toBeUndefined();
  });

  it('renders as an HTML fragment with the title, the facts, the control group and two signature blocks', () => {
    const r: IncidentRecord = record(s.service.id)!;
    const vi = renderIncidentRecordHtml(r, { lang: 'vi', offsetMin: 420 }).value;
    expect(vi).toContain('BIÊN BẢN SỰ CỐ');
    expect(vi).toContain('TỈNH LÀO CAI');
    expect(vi).toContain('Xã Bảo Hà (26734)');
    expect(vi).toContain('30/30 lần');
    expect(vi).toContain('ĐẠI DIỆN ĐƠN VỊ VẬN HÀNH');
    expect(vi).toContain('ĐẠI DIỆN NHÀ CUNG CẤP');
    expect(vi).not.toMatch(/<html|<header class="(?!record)|<nav/);
    expect(vi).not.toContain('SECRET');
    const en = renderIncidentRecordHtml(r, { lang: 'en', offsetMin: 420 }).value;
    expect(en).toContain('INCIDENT RECORD');
  });

  it('tells the timeline in Vietnamese and English with actors, never as JSON', () => {
    const { store } = s.api;
    const vendor = { name: 'viettel-motcua', role: 'vendor' as const, services: ['one-stop-shop'] };
    acknowledgeIncident(store, s.service.id, vendor, s.clock.now);
    replyToIncident(store, s.service.id, vendor, 'Máy chủ ứng dụng quá tải, đã khởi động lại lúc 09:20.', s.clock.now);
    editIncident(
      store,
      s.service.id,
      { endedAt: SERVICE_DOWN.to + MIN, reason: 'theo sổ trực' },
      'it-lead',
      s.clock.now,
    );
    const r = record(s.service.id)!;
    const vi = r.events.map((e) => e.text.vi);
    expect(vi[0]).toBe(
      'Hệ thống mở sự cố: kiểm tra “motcua” không đạt (Phần mềm lỗi phía máy chủ); mức độ: Gián đoạn.',
    );
    expect(vi).toContain('Hệ thống đóng sự cố: hoạt động bình thường trở lại.');
    expect(vi).toContain('Nhà cung cấp viettel-motcua đã xác nhận sự cố.');
    expect(vi).toContain(
      'Nhà cung cấp viettel-motcua đã trả lời: “Máy chủ ứng dụng quá tải, đã khởi động lại lúc 09:20.”.',
    );
    expect(vi.at(-1)).toBe(
      'it-lead sửa thời điểm kết thúc: 25/11/2026 09:20 → 25/11/2026 09:21. Lý do: “theo sổ trực”.',
    );
    expect(r.events[0]!.text.en).toBe(
      'The system opened the incident: check “motcua” failed (Server-side software fault); severity: Down.',
    );
    expect(r.events.find((e) => e.kind === 'vendor-acknowledged')!.actorLabel).toEqual({
      vi: 'Nhà cung cấp viettel-motcua',
      en: 'Vendor viettel-motcua',
    });
    for (const e of r.events) expect(e.text.vi).not.toMatch(/[{}]/);
    expect(r.replies.map((x) => [x.kind, x.author, x.role])).toEqual([
      ['ack', 'viettel-motcua', 'vendor'],
      ['reply', 'viettel-motcua', 'vendor'],
    ]);
    // The vendor's acknowledgement is not the province's: escalation still waits for an admin's.
    expect(r.incident.acknowledgedAt).toBeNull();
  });
});

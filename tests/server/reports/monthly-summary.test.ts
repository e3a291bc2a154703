/**
 * The monthly summary's figures, hand-computed (fixture.ts explains the month), and the e-mail they render
 * to: Vietnamese first, vi-VN numbers, dd/MM/yyyy dates, escaped HTML.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Value } from 'typebox/value';
import { monthlySummary, type SummaryDeps } from '../../../server/reports/monthly-summary.js';
import { DossierConfigSchema, type DossierConfig } from '../../../server/dossiers/dossier-config.js';
import { renderMonthlyMail } from '../../../server/reports/summary-mail.js';
import {
  checkReportsConfig,
  ReportsConfigSchema,
  type ReportsConfig,
  type ReportScope,
} from '../../../server/reports/report-config.js';
import { monthBounds, parseMonth } from '../../../server/reports/report-month.js';
import vi from '../../../server/reports/i18n/vi.json' with { type: 'json' };
import en from '../../../server/reports/i18n/en.json' with { type: 'json' };
import { H, OCTOBER, ODD_NAME, seed, vn, type Seeded } from './fixture.js';

describe('monthly summary', () => {
  let s: Seeded;
  let deps: (scope?: ReportScope) => SummaryDeps;
  const now = vn('2026-11-01T07:30');
  beforeAll(async () => {
    s = await seed();
    deps = (scope) => ({
      store: s.api.store,
      units: s.api.built.units,
      calendars: s.api.built.calendars,
      // The default dossier config: hộ tịch depends on civil-status, portal and e-signing; the rest on one-stop-shop and portal.
      config: {
        timezoneOffsetMinutes: 420,
        dossiers: Value.Default(DossierConfigSchema, {}) as DossierConfig,
        monthly: { scope, topIncidents: 10 },
      },
    });
  });
  afterAll(() => s.close());

  it('October 2026 in Lào Cai: uptime per service and commune in working hours, against September', () => {
    const r = monthlySummary(deps({ provinces: ['15'], districts: [] }), { month: OCTOBER, now });
    expect(r).toMatchObject({
      from: vn('2026-10-01T00:00'),
      to: vn('2026-11-01T00:00'),
      partial: false,
      scope: { provinces: [{ code: '15', name: 'Lào Cai' }], districts: [] },
    });
    // 3 (commune, service) rows × 176 working hours; network down 1 h (26734, on both its rows) + 4 h (26737).
    expect(r.uptime.total).toEqual({
      observedMs: 528 * H,
      networkDownMs: 6 * H,
      serviceDownMs: 8.5 * H,
      networkUptime: 1 - 6 / 528,
      serviceUptime: 1 - 8.5 / 522,
    });
    expect(r.uptime.byService).toEqual([
      {
        service: 'civil-status',
        communes: 2,
        observedMs: 352 * H,
        networkDownMs: 5 * H,
        serviceDownMs: 8 * H,
        networkUptime: 1 - 5 / 352,
        serviceUptime: 1 - 8 / 347,
        previousServiceUptime: 1 - 1 / 320,
      },
      {
        service: 'one-stop-shop',
        communes: 1,
        observedMs: 176 * H,
        networkDownMs: 1 * H,
        serviceDownMs: 0.5 * H,
        networkUptime: 1 - 1 / 176,
        serviceUptime: 1 - 0.5 / 175,
        previousServiceUptime: 1,
      },
    ]);
    // Lowest first: Kim Sơn (civil-status 1 − 4/172) before Bảo Hà (services 1 − 4.5/350, network 1 − 2/352).
    expect(
      r.uptime.byCommune.map((c) => [
        c.commune,
        c.name,
        c.services,
        c.networkUptime,
        c.networkOutageMs,
        c.serviceUptime,
        c.worst,
        c.previousServiceUptime,
      ]),
    ).toEqual([
      [
        '26737',
        'Xã Kim Sơn',
        1,
        1 - 4 / 176,
        4 * H,
        1 - 4 / 172,
        { service: 'civil-status', serviceUptime: 1 - 4 / 172, serviceDownMs: 4 * H },
        1,
      ],
      [
        '26734',
        'Xã Bảo Hà',
        2,
        1 - 2 / 352,
        1 * H,
        1 - 4.5 / 350,
        { service: 'civil-status', serviceUptime: 1 - 4 / 175, serviceDownMs: 4 * H },
        1 - 1 / 320,
      ],
    ]);
    expect(r.previous).toMatchObject({
      month: { year: 2026, month: 9 },
      uptime: { observedMs: 480 * H, networkDownMs: 0, serviceDownMs: 1 * H, serviceUptime: 1 - 1 / 480 },
      incidents: 1,
    });
  });

  it('lists the incidents with the longest working-hours outage first; a weekend-only one is not among them', () => {
    const r = monthlySummary(deps({ provinces: ['15'], districts: [] }), { month: OCTOBER, now });
    expect(r.incidents.total).toBe(5); // detected, A, B, C (Saturday), E (into November); not F (another province)
    expect(r.incidents.byCause).toEqual({
      'commune-network': 2,
      'central-service': 1,
      'local-service': 2,
      'agent-silent': 0,
    });
    expect(r.incidents.top.map((i) => [i.id, i.workingMs, i.durationMs])).toEqual([
      [s.ids.A, 4 * H, 4 * H], // 4 h at each commune, two communes: before B
      [s.ids.B, 4 * H, 5 * H],
      [s.ids.E, 1 * H, 65 * H], // Fri 30 Oct 16:00–17:00 in October; 65 h in all
      [s.ids.detected, 0.5 * H, 0.5 * H],
    ]);
    expect(r.incidents.top[0]).toMatchObject({
      cause: 'central-service',
      scope: 'central',
      service: 'civil-status',
      manual: true,
      startedAt: vn('2026-10-15T13:00'),
      endedAt: vn('2026-10-15T17:00'),
    });
    expect(r.incidents.top[0]!.communes.map((c) => c.code).sort()).toEqual(['26734', '26737']);
    expect(r.incidents.top[3]).toMatchObject({
      cause: 'local-service',
      service: 'one-stop-shop',
      manual: false,
      communes: [{ code: '26734', name: 'Xã Bảo Hà' }],
    });
  });

  it('counts overdue dossiers by verdict, against September', () => {
    const r = monthlySummary(deps({ provinces: ['15'], districts: [] }), { month: OCTOBER, now });
    // D1 late 2 h, outage 3 h; D2 late 8 h, outage 4 h; D3 late 8 h, no outage; D5 on time but idle 16 working hours.
    expect(r.dossiers).toEqual({
      dossiers: 5,
      overdue: 3,
      outage: 1,
      partlyOutage: 1,
      notOutage: 1,
      idleOnline: 1,
      outageShare: 2 / 3,
      outageHours: 7,
    });
    expect(r.previous.dossiers).toMatchObject({ dossiers: 1, overdue: 1, notOutage: 1 });
  });

  it('scopes: a district keeps only its communes; no scope takes every commune', () => {
    const district = monthlySummary(deps({ provinces: [], districts: ['080'] }), { month: OCTOBER, now });
    expect(district.uptime.byCommune.map((c) => c.commune)).toEqual(['26737']);
    expect(district.incidents.top.map((i) => i.id)).toEqual([s.ids.A, s.ids.B]);
    expect(district.incidents.top[0]!.communes).toEqual([{ code: '26737', name: 'Xã Kim Sơn' }]);
    expect(district.dossiers).toMatchObject({ dossiers: 2, overdue: 1, notOutage: 1 });
    const all = monthlySummary(deps(), { month: OCTOBER, now });
    expect(all.scope).toBeNull();
    expect(all.uptime.byCommune.map((c) => c.commune)).toEqual(['26737', '26734', '99001']); // 99001: 1 − 2/176, above Bảo Hà's 1 − 4.5/350
    expect(all.incidents.top.map((i) => i.id)).toEqual([s.ids.A, s.ids.B, s.ids.F, s.ids.E, s.ids.detected]);
    expect(all.dossiers).toMatchObject({ dossiers: 6, overdue: 4, notOutage: 2 });
  });

  it('a month not over yet is reported up to now', () => {
    const r = monthlySummary(deps({ provinces: ['15'], districts: [] }), {
      month: OCTOBER,
      now: vn('2026-10-15T15:00'),
    });
    expect(r).toMatchObject({ partial: true, to: vn('2026-10-15T15:00') });
    // 1–15 Oct to 15:00: 10 full working days + 15 Oct 07:30–11:30, 13:00–15:00 = 86 h a row; A so far 2 h.
    expect(r.uptime.byService.find((x) => x.service === 'civil-status')).toMatchObject({
      observedMs: 172 * H,
      serviceDownMs: 4 * H,
    });
  });

  it('renders a Vietnamese e-mail: subject, vi-VN figures, dd/MM/yyyy, plain text and HTML', () => {
    const mail = renderMonthlyMail(
      monthlySummary(deps({ provinces: ['15'], districts: [] }), { month: OCTOBER, now }),
      { language: 'vi', maxCommunes: 1 },
    );
    expect(mail.subject).toBe('CommuneWatch — Báo cáo tháng 10/2026 — Lào Cai');
    const text = mail.text;
    expect(text).toContain('BÁO CÁO THÁNG 10/2026');
    expect(text).toContain('Kỳ báo cáo: từ 01/10/2026 đến 31/10/2026.');
    expect(text).toMatch(/Dịch vụ công hoạt động\s+98,3 %\s+99,7 %/);
    expect(text).toMatch(/Mạng của xã hoạt động\s+98,8 %\s+100 %/);
    expect(text).toMatch(/Phần mềm hộ tịch\s+2\s+97,6 %\s+8 giờ\s+99,6 %/);
    expect(text).toMatch(/Hệ thống một cửa điện tử\s+1\s+99,7 %\s+30 phút\s+100 %/);
    // One commune shown (maxCommunes: 1), the lowest; the rest summarised.
    expect(text).toMatch(/Xã Kim Sơn \(26737\)\s+97,7 %\s+4 giờ\s+97,6 %\s+Phần mềm hộ tịch: 97,6 % \(4 giờ\)\n/);
    expect(text).toContain('… và 1 xã khác, tỷ lệ hoạt động từ 98,7 % trở lên.');
    expect(text).toContain(
      'Tổng số sự cố trong tháng: 5 (Mất mạng tại xã: 2; Lỗi phía máy chủ dịch vụ (nhiều xã): 1; Lỗi dịch vụ tại xã: 2).',
    );
    expect(text).toMatch(
      /1\. Lỗi phía máy chủ dịch vụ \(nhiều xã\) \(ghi nhận thủ công\) — Phần mềm hộ tịch — 2 xã: Xã (Bảo Hà|Kim Sơn) \(267\d\d\), Xã/,
    );
    expect(text).toContain('15/10/2026 13:00 – 15/10/2026 17:00 (4 giờ); trong giờ hành chính: 4 giờ');
    expect(text).toContain('30/10/2026 16:00 – 02/11/2026 09:00 (2 ngày 17 giờ); trong giờ hành chính: 1 giờ');
    expect(text).toContain('4. Lỗi dịch vụ tại xã — Hệ thống một cửa điện tử — Xã Bảo Hà (26734)');
    expect(text).toContain('Hồ sơ có hạn trả kết quả trong tháng: 5; trễ hạn: 3.');
    expect(text).toMatch(/Trễ do sự cố mạng hoặc phần mềm\s+1\s+0/);
    expect(text).toMatch(/Tổng số hồ sơ trễ hạn\s+3\s+1/);
    expect(text).toMatch(/Hồ sơ trực tuyến chậm được xử lý\s+1\s+0/);
    expect(text).toContain('Báo cáo do CommuneWatch tạo lúc 01/11/2026 07:30.');
    expect(mail.html).toMatch(/^<!doctype html>\n<html lang="vi">/);
    expect(mail.html).toContain('<table border="1"');
    expect(mail.html).toContain('>97,6 %</td>');
    expect(mail.html).toContain('bgcolor="#fff3cd"'); // 97,6 %: below 99 %
    expect(mail.html).toContain('15/10/2026 13:00 – 15/10/2026 17:00');
  });

  it('escapes every text in the HTML, and speaks English when asked', () => {
    const all = monthlySummary(deps(), { month: OCTOBER, now });
    const mail = renderMonthlyMail(all, { language: 'vi', maxCommunes: 50 });
    expect(mail.text).toContain(ODD_NAME);
    expect(mail.html).not.toContain('<b>Thử</b>');
    expect(mail.html).toContain('Xã &lt;b&gt;Thử&lt;/b&gt; &amp; &quot;Nghiệm&quot; (99001)');
    const english = renderMonthlyMail(all, { language: 'en', maxCommunes: 50 });
    expect(english.subject).toBe('CommuneWatch — Monthly report 10/2026');
    expect(english.text).toMatch(/Services up\s+98\.4 %/); // with 99001: 1 − 10.5/698
    expect(english.html).toMatch(/<html lang="en">/);
  });

  it('config: {} is valid and off; the checks name what is missing', () => {
    const defaults = Value.Default(ReportsConfigSchema, {}) as ReportsConfig;
    expect(Value.Check(ReportsConfigSchema, defaults)).toBe(true);
    expect(defaults).toEqual({
      monthly: {
        enabled: false,
        recipients: [],
        dayOfMonth: 1,
        time: '07:30',
        language: 'vi',
        topIncidents: 10,
        maxCommunes: 50,
      },
    });
    expect(Value.Check(ReportsConfigSchema, { monthly: { ...defaults.monthly, time: '7:30' } })).toBe(false);
    expect(Value.Check(ReportsConfigSchema, { monthly: { ...defaults.monthly, dayOfMonth: 31 } })).toBe(false);
    expect(Value.Check(ReportsConfigSchema, { monthly: { ...defaults.monthly, recipients: ['not-an-address'] } })).toBe(
      false,
    );
    const on = { monthly: { ...defaults.monthly, enabled: true, scope: { provinces: [], districts: [] } } };
    expect(checkReportsConfig(on, {}).map((p) => p.path)).toEqual([
      'reports.monthly.recipients',
      'reports.monthly.enabled',
      'reports.monthly.scope',
    ]);
    expect(Object.keys(en).sort()).toEqual(Object.keys(vi).sort());
    expect(parseMonth('2026-10')).toEqual(OCTOBER);
    expect(parseMonth('10/2026')).toEqual(OCTOBER);
    expect(parseMonth('2026-13')).toBeUndefined();
    expect(monthBounds({ year: 2026, month: 12 }, 420)).toEqual({
      from: vn('2026-12-01T00:00'),
      to: vn('2027-01-01T00:00'),
    });
  });
});

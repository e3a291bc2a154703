/**
 * What messages say (issue 12): degraded is not down — "chập chờn / chậm" with the figures, a warning in the
 * subject and in Alertmanager's severity; a manual incident recorded while ongoing pages only when asked to
 * (notify), and gets its resolve when an edit ends it; Alertmanager gets one alert per incident with its
 * real start and, for merged and confirmed ones, an end in the past.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { amAlerts } from '../../../server/alerts/notifiers/alertmanager.js';
import { alertItem, renderMessage } from '../../../server/alerts/message.js';
import { Units } from '../../../server/org/units.js';
import { incidentFixture } from '../../helpers/incident-fixture.js';
import { MIN } from '../../helpers/ingest-driver.js';
import { alertHarness, T0, type Harness } from './harness.js';

const FIGURES = { lossPct: 35, rttP50Ms: 120, rttP95Ms: 900, baselineMs: 40, slowestStep: 'ký số', slowestMs: 240_000 };

describe('alert wording', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  it('a degraded commune network reads "chập chờn / chậm" with its figures, never "mất mạng"; a degraded service likewise', async () => {
    h = await alertHarness({ groupBy: ['cause', 'service', 'severity'] });
    h.incident({
      scope: 'local',
      cause: 'commune-network',
      severity: 'degraded',
      commune: '10001',
      layer: 'uplink',
      figures: FIGURES,
      startedAt: T0,
    });
    h.incident({
      scope: 'local',
      cause: 'local-service',
      severity: 'degraded',
      service: 'one-stop-shop',
      commune: '10002',
      layer: 'slow',
      startedAt: T0,
    });
    await h.tick(T0 + MIN);
    const [network, service] = h.got();
    expect(network!.message.subject).toBe('[CommuneWatch] CẢNH BÁO: Mạng của xã chập chờn / chậm — 10001');
    expect(network!.message.text).toContain('Mức: chậm / chập chờn');
    expect(network!.message.text).toContain(
      'Số liệu: mất gói 35%, độ trễ p50 120 ms / p95 900 ms (bình thường 40 ms), chậm nhất: ký số 240 giây.',
    );
    expect(network!.message.text).not.toMatch(/Mất kết nối|mất dịch vụ/);
    expect(network!.firing[0]!.figures).toEqual(FIGURES);
    expect(service!.message.subject).toBe(
      '[CommuneWatch] CẢNH BÁO: Hệ thống một cửa điện tử chậm / chập chờn khi truy cập từ xã — 10002',
    );
  });

  it('in English too, and a confirmed degraded span says so', () => {
    const units = new Units();
    const inc = incidentFixture({
      id: 7,
      cause: 'commune-network',
      service: null,
      severity: 'degraded',
      commune: '10001',
      layer: 'uplink',
      figures: { lossPct: 30 },
      startedAt: T0 + 8 * MIN,
      endedAt: T0 + 12 * MIN,
    });
    const item = alertItem(inc, units, 'https://x', 'confirmed');
    expect(item).toMatchObject({ change: 'confirmed', figures: { lossPct: 30 } });
    const payload = {
      kind: 'confirmed' as const,
      receiver: 'r',
      groupKey: 'g',
      generatedAt: T0 + 13 * MIN,
      firing: [],
      resolved: [],
      confirmed: [item],
    };
    expect(renderMessage(payload, 'vi').text).toContain(
      'Đã xác nhận: mạng của Xã 10001 chập chờn / chậm từ 24/11/2026 08:08 đến 08:12, tầng uplink',
    );
    const en = renderMessage(payload, 'en');
    expect(en.subject).toBe('[CommuneWatch] CONFIRMED: Commune network degraded (lossy / slow) — 10001');
    expect(en.text).toContain(
      'Confirmed: the network of Commune 10001 was degraded (lossy / slow) from 24/11/2026 08:08 to 08:12, layer uplink',
    );
    expect(en.text).toContain('Figures: packet loss 30%.');
  });

  it('Alertmanager: severity warning/critical, firing ends in 24 h, merged ends when merged, confirmed with its real end', () => {
    const units = new Units();
    const now = T0 + 20 * MIN;
    const down = alertItem(incidentFixture({ id: 1, startedAt: T0 }), units, 'https://x', 'firing');
    const merged = alertItem(incidentFixture({ id: 2, startedAt: T0, mergedInto: 9 }), units, 'https://x', 'resolved', {
      closedAt: T0 + 5 * MIN,
    });
    const confirmed = alertItem(
      incidentFixture({ id: 3, severity: 'degraded', startedAt: T0, endedAt: T0 + 4 * MIN }),
      units,
      'https://x',
      'confirmed',
    );
    const alerts = amAlerts({ generatedAt: now, firing: [down], resolved: [merged], confirmed: [confirmed] });
    expect(alerts.map((a) => [a.labels.incident_id, a.labels.severity, a.startsAt, a.endsAt])).toEqual([
      ['1', 'critical', new Date(T0).toISOString(), new Date(now + 24 * 3_600_000).toISOString()],
      ['2', 'critical', new Date(T0).toISOString(), new Date(T0 + 5 * MIN).toISOString()],
      ['3', 'warning', new Date(T0).toISOString(), new Date(T0 + 4 * MIN).toISOString()],
    ]);
    expect(alerts[1]!.annotations).toMatchObject({ merged_into: '9' });
  });

  it(
    'a manual incident recorded while ongoing pages when asked to (notify), and resolves when an ' +
      'edit ends it; without notify it stays quiet',
    async () => {
      h = await alertHarness();
      const post = (body: object) =>
        h.built.app.inject({
          method: 'POST',
          url: '/api/v1/incidents',
          headers: { authorization: `Bearer ${h.admin}` },
          payload: body,
        });
      h.time.now = T0 + 10 * MIN;
      const quiet = await post({ cause: 'commune-network', communes: ['10002'], startedAt: T0, note: 'Theo sổ trực' });
      expect(quiet.json().incident).toMatchObject({ manual: true, notify: false });
      const paged = await post({
        cause: 'commune-network',
        communes: ['10001'],
        startedAt: T0 + 5 * MIN,
        note: 'Xã gọi điện báo mất mạng',
        notify: true,
      });
      expect(paged.statusCode, paged.body).toBe(201);
      const id = paged.json().incident.id as number;
      expect(paged.json().incident).toMatchObject({ manual: true, notify: true });
      await h.tick(T0 + 10 * MIN + 5_000); // picked up by the tick (the API and the CLI do not call the alert engine)
      await h.tick(T0 + 11 * MIN);
      expect(h.got()).toMatchObject([
        { kind: 'firing', firing: [{ id, startedAt: T0 + 5 * MIN, note: 'Xã gọi điện báo mất mạng' }] },
      ]);
      h.time.now = T0 + 30 * MIN;
      const edit = await h.built.app.inject({
        method: 'PATCH',
        url: `/api/v1/incidents/${id}`,
        headers: { authorization: `Bearer ${h.admin}` },
        payload: { endedAt: T0 + 25 * MIN, reason: 'xã báo có mạng lại' },
      });
      expect(edit.statusCode, edit.body).toBe(200);
      await h.tick(T0 + 30 * MIN + 5_000);
      expect(h.got().map((m) => m.kind)).toEqual(['firing', 'resolved']);
      expect(h.got()[1]!.resolved).toMatchObject([{ id, startedAt: T0 + 5 * MIN, endedAt: T0 + 25 * MIN }]);
    },
  );
});

/**
 * A dossier's outage split among the services down with it, hand-computed over working hours: Tuesday
 * 17 March 2026, the default timetable 07:30–11:30 and 13:00–17:00 (server/calendar/working-time.ts).
 * Two vendors' services (one-stop-shop, e-signing) and the commune network overlap; each is charged only
 * its share of every moment, and the shares sum to the dossier's outage. While the commune network is down
 * the whole moment is the network's, as in the SLA (server/evidence/sla.ts): no vendor is charged for it.
 */
import { describe, expect, it } from 'vitest';
import { WorkCalendar } from '../../../server/calendar/working-time.js';
import { attribute, charged, outageSpansByCommune } from '../../../server/dossiers/attribution.js';
import type { Dossier } from '../../../server/dossiers/dossier-row.js';
import type { Incident } from '../../../server/outages/incident.js';
import { incidentFixture as incident } from '../../helpers/incident-fixture.js';

const MIN = 60_000;
const H = 60 * MIN;
const vn = (local: string) => Date.parse(`${local}:00+07:00`);
const calendar = new WorkCalendar();
const SERVICES = ['one-stop-shop', 'e-signing']; // a certification (chứng thực) dossier's

const dossier: Dossier = {
  code: 'CT-1',
  procedureCode: null,
  procedureName: 'Chứng thực bản sao từ bản chính',
  field: 'Chứng thực',
  commune: '26734',
  channel: 'direct',
  receivedAt: vn('2026-03-17T07:30'),
  dueAt: vn('2026-03-17T09:00'),
  finishedAt: vn('2026-03-17T15:00'),
  firstHandledAt: null,
  status: null,
};

function judge(incidents: Incident[]) {
  const now = vn('2026-03-20T10:00');
  const spans = outageSpansByCommune(incidents, now).get('26734') ?? [];
  return attribute(dossier, { now, calendar, services: SERVICES, spans, idleOnlineMs: 0 });
}

describe('the outage of a dossier split by service', () => {
  // One-stop-shop (vendor A) 08:00–10:00, e-signing (vendor B) 09:00–14:00 across the lunch break, the
  // commune network 09:30–10:30, and a payment outage the dossier does not need.
  const oss = incident({
    service: 'one-stop-shop',
    startedAt: vn('2026-03-17T08:00'),
    endedAt: vn('2026-03-17T10:00'),
  });
  const esign = incident({ service: 'e-signing', startedAt: vn('2026-03-17T09:00'), endedAt: vn('2026-03-17T14:00') });
  const network = incident({
    cause: 'commune-network',
    service: null,
    startedAt: vn('2026-03-17T09:30'),
    endedAt: vn('2026-03-17T10:30'),
  });
  const payment = incident({ service: 'payment', startedAt: vn('2026-03-17T07:30'), endedAt: vn('2026-03-17T17:00') });

  it('gives the network every moment it was down, and shares the others equally among the services down', () => {
    const a = judge([oss, esign, network, payment]);
    // Late 09:00–15:00 in working time: 09:00–11:30 + 13:00–15:00 = 4.5 h.
    // Down (the union) 08:00–14:00: 08:00–11:30 + 13:00–14:00 = 4.5 h → the dossier's own verdict: outage.
    expect(a).toMatchObject({ verdict: 'outage', lateMs: 4.5 * H, outageMs: 4.5 * H });
    expect(a.incidentIds).toEqual([oss.id, esign.id, network.id].sort((x, y) => x - y));
    // 08:00–09:00 one-stop-shop alone                        → oss 60 min
    // 09:00–09:30 one-stop-shop + e-signing, 30 min ÷ 2         → oss 15, e-signing 15
    // 09:30–10:00 all three, the network among them            → network 30 (no vendor charged)
    // 10:00–10:30 e-signing + network, the network among them   → network 30
    // 10:30–14:00 e-signing alone: 10:30–11:30 + 13:00–14:00     → e-signing 60 + 60 = 120 (lunch not counted)
    // one-stop-shop 60 + 15 = 75; e-signing 15 + 120 = 135; network 30 + 30 = 60; 75 + 135 + 60 = 270 = 4.5 h.
    const split = a.outageByService;
    expect(Object.keys(split).sort()).toEqual(['e-signing', 'network', 'one-stop-shop']);
    expect(split['one-stop-shop']).toBeCloseTo(75 * MIN, 3);
    expect(split['e-signing']).toBeCloseTo(135 * MIN, 3);
    expect(split.network).toBeCloseTo(60 * MIN, 3);
    expect(Object.values(split).reduce((x, y) => x + y, 0)).toBeCloseTo(a.outageMs, 3);
  });

  it('charges each vendor its share only: neither alone covers 4.5 h, so both are partly to blame', () => {
    const a = judge([oss, esign, network, payment]);
    expect(charged(a, ['one-stop-shop'])).toMatchObject({ verdict: 'partly-outage' });
    expect(charged(a, ['one-stop-shop']).chargedMs).toBeCloseTo(75 * MIN, 3);
    expect(charged(a, ['e-signing'])).toMatchObject({ verdict: 'partly-outage' });
    expect(charged(a, ['e-signing']).chargedMs).toBeCloseTo(135 * MIN, 3);
    expect(charged(a, ['network']).chargedMs).toBeCloseTo(60 * MIN, 3);
    // A vendor running both services is charged their sum, 75 + 135 = 210 min (< 270: still partly); the
    // payment vendor nothing.
    expect(charged(a, ['one-stop-shop', 'e-signing'])).toMatchObject({ verdict: 'partly-outage' });
    expect(charged(a, ['one-stop-shop', 'e-signing']).chargedMs).toBeCloseTo(210 * MIN, 3);
    expect(charged(a, ['payment'])).toEqual({ services: ['payment'], chargedMs: 0, verdict: 'not-outage' });
  });

  it('one service down alone for the whole lateness is charged all of it; the others are not to blame', () => {
    const alone = incident({
      service: 'one-stop-shop',
      startedAt: vn('2026-03-17T08:00'),
      endedAt: vn('2026-03-17T16:00'),
    });
    const a = judge([alone]);
    // 08:00–11:30 + 13:00–15:00 (the dossier finished at 15:00) = 5.5 h ≥ 4.5 h late.
    expect(a).toMatchObject({ verdict: 'outage', outageMs: 5.5 * H, outageByService: { 'one-stop-shop': 5.5 * H } });
    expect(charged(a, ['one-stop-shop'])).toMatchObject({ verdict: 'outage', chargedMs: 5.5 * H });
    expect(charged(a, ['e-signing'])).toMatchObject({ verdict: 'not-outage', chargedMs: 0 });
  });

  it('a vendor down only while the commune network was down is charged nothing', () => {
    const inside = incident({
      service: 'one-stop-shop',
      startedAt: vn('2026-03-17T09:00'),
      endedAt: vn('2026-03-17T10:00'),
    });
    const link = incident({
      cause: 'commune-network',
      service: null,
      startedAt: vn('2026-03-17T08:30'),
      endedAt: vn('2026-03-17T11:00'),
    });
    const a = judge([inside, link]);
    // 08:30–11:00 = 150 min, all of it with the network down: network 150, one-stop-shop 0; 150 < 270 late.
    expect(a).toMatchObject({ verdict: 'partly-outage', outageMs: 150 * MIN, outageByService: { network: 150 * MIN } });
    expect(charged(a, ['one-stop-shop'])).toMatchObject({ verdict: 'not-outage', chargedMs: 0 });
    // Both incidents still stand behind the dossier's own verdict.
    expect(a.incidentIds).toEqual([inside.id, link.id].sort((x, y) => x - y));
  });

  it('two incidents of one service at once count once, and an on-time dossier blames no one', () => {
    const twice = [
      incident({ service: 'e-signing', startedAt: vn('2026-03-17T09:00'), endedAt: vn('2026-03-17T10:00') }),
      incident({ service: 'e-signing', startedAt: vn('2026-03-17T09:30'), endedAt: vn('2026-03-17T10:30') }),
      incident({ service: 'one-stop-shop', startedAt: vn('2026-03-17T10:00'), endedAt: vn('2026-03-17T11:00') }),
    ];
    const a = judge(twice);
    // 09:00–10:00 e-signing 60; 10:00–10:30 both, 15 each; 10:30–11:00 one-stop-shop 30.
    expect(a.outageByService['e-signing']).toBeCloseTo(75 * MIN, 3);
    expect(a.outageByService['one-stop-shop']).toBeCloseTo(45 * MIN, 3);
    expect(a.outageMs).toBe(2 * H);
    const onTime = { ...a, verdict: 'on-time' as const, lateMs: 0 };
    expect(charged(onTime, ['e-signing']).verdict).toBe('on-time');
  });
});

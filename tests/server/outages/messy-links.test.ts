/**
 * Incidents on messy links (issue 12), through the real ingest API over a real SQLite file with an injected
 * clock: loss and congestion are degraded, not down; one commune has one network incident, with its layer and
 * the start of its first failure; flapping counts one cause; a gateway that ignores ping is not a fault;
 * central incidents do not depend on the order results arrive in, and never pull in an ended incident.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ServerConfig } from '../../../server/config.js';
import type { Store } from '../../../server/store/store.js';
import type { ProbeResult } from '../../../protocol/wire.js';
import type { Incident } from '../../../server/outages/incident.js';
import { uptime } from '../../../server/outages/uptime.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { startIncidentApp, type IncidentApp } from '../../helpers/incident-app.js';
import { type IngestDriver, MIN, type ResultOptions } from '../../helpers/ingest-driver.js';

const T0 = Date.parse('2026-11-24T01:00:00Z'); // Tuesday 08:00 in Vietnam
const COMMUNES = ['10001', '10002', '10003', '10004', '10005'];
const GATEWAY: ResultOptions = { role: 'gateway', kind: 'icmp', service: 'network' };
const UPLINK: ResultOptions = { role: 'uplink', kind: 'icmp', service: 'network' };
const LOSS_PROBE: ResultOptions = { kind: 'icmp', service: 'network' };

describe('incidents on messy links', () => {
  const dir = tempDir();
  let store: Store;
  const time = { now: T0 };
  let driver: IngestDriver;

  let running: IncidentApp | undefined;
  async function setup(incidents: Partial<ServerConfig['incidents']> = {}) {
    running = await startIncidentApp(dir.path, COMMUNES, time, incidents);
    ({ store, driver } = running);
  }
  beforeEach(() => {
    time.now = T0;
  });
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  const r = (...a: Parameters<IngestDriver['result']>) => driver.result(...a);
  const all = (): Incident[] => store.incidents.list({ limit: 1000, includeDeleted: true });
  /** One round a minute: each entry of `round(m)` is a result at T0 + m min. */
  async function minutes(c: string, from: number, to: number, round: (m: number, ts: number) => ProbeResult[]) {
    for (let m = from; m < to; m++) {
      time.now = T0 + m * MIN;
      await driver.push(c, round(m, time.now));
    }
  }
  const uptimeOf = (c: string, service: string, toMin: number) =>
    uptime({ from: T0, to: T0 + toMin * MIN, observedFrom: T0, incidents: all(), commune: c, service, planned: [] });

  it('30 % loss while every service round succeeds: one degraded network incident with its figures, no downtime', async () => {
    await setup({ lossMinEchoes: 30, degradedHoldSec: 120 });
    const c = COMMUNES[0]!;
    // The gateway's single echo is lost now and then (three in a row at 08:03–08:05); the 10-echo loss probe
    // to the data centre loses 30 %; the one-stop-shop answers every round.
    const lostEcho = new Set([3, 4, 5, 9]);
    await minutes(c, 0, 14, (m, ts) => [
      r(c, 'path-gateway', ts, !lostEcho.has(m), GATEWAY),
      r(c, 'loss-to-dc', ts, true, { ...LOSS_PROBE, lossRatio: m >= 2 && m < 10 ? 0.3 : 0, latencyMs: 40 }),
      r(c, 'motcua', ts, true),
    ]);
    const incidents = all();
    expect(incidents.map((i) => [i.cause, i.severity])).toEqual([['commune-network', 'degraded']]);
    const [net] = incidents;
    // The gateway's lost echoes put it on the LAN: the incident moves nearer, and stays there as it recovers.
    expect(net).toMatchObject({
      commune: c,
      layer: 'lan',
      startedAt: T0 + 2 * MIN,
      endedAt: T0 + 10 * MIN,
      downSpans: [],
    });
    expect(
      store.incidents
        .events(net!.id)
        .filter((e) => e.kind === 'layer-changed')
        .map((e) => [e.detail.from, e.detail.to]),
    ).toEqual([['uplink', 'lan']]);
    expect(net!.figures).toMatchObject({ lossPct: 30 });
    expect(uptimeOf(c, 'one-stop-shop', 14)).toMatchObject({ networkDownMs: 0, serviceDownMs: 0 });
    // A lossy echo is labelled lossy, not slow.
    expect(store.incidents.evidence(net!.id, 100).map((e) => e.summary)).toContainEqual(
      expect.stringMatching(/^LOSSY icmp 40 ms loss 30%/),
    );
  });

  it('an uplink cut: one network incident at the uplink layer, started by its first failure, down only while services failed', async () => {
    await setup();
    const c = COMMUNES[0]!;
    // Path checks fail from 08:02; the one-stop-shop from 08:03 (placed on the uplink); all heal at 08:08.
    await minutes(c, 0, 11, (m, ts) => [
      r(c, 'path-uplink', ts, m < 2 || m >= 8, { ...UPLINK, ...(m >= 2 && m < 8 && { layer: 'uplink' }) }),
      r(c, 'motcua', ts, m < 3 || m >= 8, m >= 3 && m < 8 ? { layer: 'uplink' } : {}),
    ]);
    const incidents = all();
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({
      cause: 'commune-network',
      severity: 'down',
      layer: 'uplink',
      startedAt: T0 + 2 * MIN,
      endedAt: T0 + 8 * MIN,
      downSpans: [[T0 + 3 * MIN, T0 + 8 * MIN]],
    });
    expect(uptimeOf(c, 'one-stop-shop', 11)).toMatchObject({ networkDownMs: 5 * MIN });
  });

  it('a target with an earlier first failure joining later moves the start back; the layer follows the nearest failing hop', async () => {
    await setup();
    const c = COMMUNES[0]!;
    await minutes(c, 0, 2, (_m, ts) => [r(c, 'motcua', ts, true), r(c, 'path-gateway', ts, true, GATEWAY)]);
    // The service's rounds reach the server first (another batch), the gateway's from the same minutes later.
    const service = [2, 3, 4, 5].map((m) => r(c, 'motcua', T0 + m * MIN, false, { layer: 'uplink' }));
    time.now = T0 + 6 * MIN;
    await driver.push(c, service);
    expect(all()[0]).toMatchObject({ layer: 'uplink', startedAt: T0 + 2 * MIN });
    const gateway = [1.5, 2.5, 3.5, 4.5, 5.5].map((m) =>
      r(c, 'path-gateway', T0 + m * MIN, false, { ...GATEWAY, layer: 'lan' }),
    );
    await driver.push(c, gateway);
    const [net] = all();
    expect(net).toMatchObject({ cause: 'commune-network', layer: 'lan', startedAt: T0 + 1.5 * MIN, endedAt: null });
    expect(store.incidents.events(net!.id).map((e) => e.kind)).toEqual([
      'opened',
      'target-added',
      'start-moved',
      'layer-changed',
    ]);
  });

  it('a service that is slow while the commune network is congested is part of the network story, not the vendor’s', async () => {
    await setup({ lossMinEchoes: 20 });
    const c = COMMUNES[0]!;
    // The uplink loses echoes from 08:01; the one-stop-shop pages go over their budget from 08:03.
    await minutes(c, 0, 12, (m, ts) => [
      r(c, 'loss-to-dc', ts, true, { ...LOSS_PROBE, lossRatio: m >= 1 && m < 9 ? 0.5 : 0 }),
      r(c, 'motcua', ts, true, m >= 3 && m < 8 ? { layer: 'slow', latencyMs: 2500 } : {}),
    ]);
    const incidents = all();
    expect(incidents.map((i) => [i.cause, i.severity])).toEqual([['commune-network', 'degraded']]);
    expect(incidents[0]!.figures).toMatchObject({ slowestStep: 'motcua', slowestMs: 2500 });
  });

  it('one failure placed on the service inside a network outage is not yet the vendor’s; three are', async () => {
    await setup();
    const c = COMMUNES[0]!;
    const layerAt = (m: number) =>
      m >= 2 && m < 9 ? (m === 5 ? 'service' : 'uplink') : m >= 9 && m < 12 ? 'service' : undefined;
    await minutes(c, 0, 14, (m, ts) => [
      r(c, 'motcua', ts, layerAt(m) === undefined, layerAt(m) ? { layer: layerAt(m) as 'uplink' | 'service' } : {}),
    ]);
    // The uplink fails 08:02–08:09 (one result at 08:05 misplaced on the service); then the vendor 08:09–08:12.
    expect(
      all()
        .map((i) => [i.cause, i.startedAt, i.endedAt])
        .sort((a, b) => Number(a[1]) - Number(b[1])),
    ).toEqual([
      ['commune-network', T0 + 2 * MIN, T0 + 9 * MIN],
      ['local-service', T0 + 9 * MIN, T0 + 12 * MIN],
    ]);
  });

  it('congestion that comes and goes for an afternoon is one degraded incident, ended at its last recovery once stable', async () => {
    await setup({ lossMinEchoes: 10, degradedHoldSec: 300 });
    const c = COMMUNES[0]!;
    // Lossy 08:01–08:05, clean 08:05–08:08, lossy again 08:08–08:12, then clean.
    const lossy = (m: number) => (m >= 1 && m < 5) || (m >= 8 && m < 12);
    await minutes(c, 0, 20, (m, ts) => [
      r(c, 'loss-to-dc', ts, true, { ...LOSS_PROBE, lossRatio: lossy(m) ? 0.4 : 0 }),
    ]);
    const incidents = all();
    expect(incidents.map((i) => [i.cause, i.severity, i.startedAt, i.endedAt, i.flapping])).toEqual([
      ['commune-network', 'degraded', T0 + MIN, T0 + 12 * MIN, false],
    ]);
  });

  it('a gateway that ignores ping while the uplink answers is no incident', async () => {
    await setup();
    const c = COMMUNES[0]!;
    await minutes(c, 0, 8, (_m, ts) => [
      r(c, 'path-gateway', ts, false, { ...GATEWAY, layer: 'lan' }),
      r(c, 'path-uplink', ts, true, UPLINK),
      r(c, 'motcua', ts, true),
    ]);
    expect(all()).toEqual([]);
  });

  it('latency far above the target’s own baseline for the hour is degraded, and not downtime', async () => {
    await setup({ baselineMinSamples: 5 });
    const c = COMMUNES[0]!;
    await minutes(c, 0, 20, (m, ts) => [
      r(c, 'kyso', ts, true, { service: 'e-signing', latencyMs: m >= 10 && m < 16 ? 4000 : 300 }),
    ]);
    const [inc] = all();
    expect(inc).toMatchObject({
      cause: 'local-service',
      service: 'e-signing',
      severity: 'degraded',
      layer: 'slow',
      startedAt: T0 + 10 * MIN,
      endedAt: T0 + 16 * MIN,
    });
    expect(inc!.figures).toMatchObject({ rttP50Ms: 4000, baselineMs: 300, slowestStep: 'kyso', slowestMs: 4000 });
    expect(uptimeOf(c, 'e-signing', 20)).toMatchObject({ serviceDownMs: 0 });
  });

  it('flapping counts one cause: a vendor that flaps does not hold the commune network incident open', async () => {
    await setup({ flap: { changes: 4, windowSec: 3600, stableSec: 600 } });
    const c = COMMUNES[0]!;
    // The vendor fails and recovers four times (service layer): eight changes of cause "service".
    let m = 0;
    for (let cycle = 0; cycle < 4; cycle++) {
      await minutes(c, m, m + 3, (_x, ts) => [r(c, 'motcua', ts, false, { layer: 'service' })]);
      await minutes(c, m + 3, m + 5, (_x, ts) => [r(c, 'motcua', ts, true)]);
      m += 5;
    }
    const vendor = all().filter((i) => i.cause === 'local-service');
    expect(vendor.filter((i) => i.endedAt === null)).toHaveLength(1);
    expect(vendor.find((i) => i.endedAt === null)!.flapping).toBe(true);
    // Stable for ten minutes: the vendor incident closes at its last recovery.
    await minutes(c, m, m + 11, (_x, ts) => [r(c, 'motcua', ts, true)]);
    m += 11;
    // Now the uplink is cut once, for three minutes: the network incident closes at once on recovery.
    await minutes(c, m, m + 3, (_x, ts) => [r(c, 'motcua', ts, false, { layer: 'uplink' })]);
    await minutes(c, m + 3, m + 5, (_x, ts) => [r(c, 'motcua', ts, true)]);
    const net = all().filter((i) => i.cause === 'commune-network');
    expect(net).toHaveLength(1);
    expect(net[0]).toMatchObject({ flapping: false, startedAt: T0 + m * MIN, endedAt: T0 + (m + 3) * MIN });
    expect(all().every((i) => i.endedAt !== null)).toBe(true);
  });

  it('a flapping network is held open until stable, then ends at its last recovery', async () => {
    await setup({ flap: { changes: 4, windowSec: 3600, stableSec: 300 } });
    const c = COMMUNES[0]!;
    let m = 0;
    for (let cycle = 0; cycle < 3; cycle++) {
      await minutes(c, m, m + 3, (_x, ts) => [r(c, 'motcua', ts, false, { layer: 'uplink' })]);
      await minutes(c, m + 3, m + 5, (_x, ts) => [r(c, 'motcua', ts, true)]);
      m += 5;
    }
    let net = all().filter((i) => i.cause === 'commune-network');
    expect(net.filter((i) => i.endedAt === null)).toHaveLength(1);
    expect(net.at(0)).toMatchObject({ flapping: true, endedAt: null });
    await minutes(c, m, m + 6, (_x, ts) => [r(c, 'motcua', ts, true)]);
    net = all().filter((i) => i.cause === 'commune-network');
    expect(net.at(0)).toMatchObject({ flapping: true, endedAt: T0 + (m - 2) * MIN });
    // Downtime is only the three-minute cuts, not the held minutes in between.
    expect(net.at(0)!.downSpans!.length).toBeGreaterThanOrEqual(2);
  });

  it('an ended, acknowledged incident is never pulled into a new central one', async () => {
    await setup({ central: { minCommunes: 3, minShare: 1, minCommunesForShare: 3, overlapSec: 600 } });
    const [a, b, c] = COMMUNES as [string, string, string];
    for (const x of [a, b, c]) await minutes(x, 0, 1, (_m, ts) => [r(x, 'motcua', ts, true)]);
    // Commune a fails 08:01–08:04 and recovers; the incident is acknowledged.
    await minutes(a, 1, 6, (m, ts) => [r(a, 'motcua', ts, m >= 4, m < 4 ? { layer: 'service' } : {})]);
    const first = all()[0]!;
    expect(first).toMatchObject({ commune: a, endedAt: T0 + 4 * MIN });
    store.incidents.update(first.id, { acknowledgedAt: time.now, acknowledgedBy: 'it' }, time.now);
    // From 08:07, a, b and c fail together: one central incident starting at 08:07.
    for (const x of [a, b, c]) await minutes(x, 7, 10, (_m, ts) => [r(x, 'motcua', ts, false, { layer: 'service' })]);
    const central = all().filter((i) => i.cause === 'central-service');
    expect(central).toHaveLength(1);
    expect(central[0]).toMatchObject({ startedAt: T0 + 7 * MIN, endedAt: null });
    expect(store.incidents.get(first.id)).toMatchObject({
      mergedInto: null,
      endedAt: T0 + 4 * MIN,
      acknowledgedBy: 'it',
    });
  });

  it('central incidents are the same whether a commune’s results come live or hours later from its outbox', async () => {
    const scenario = async (lateCommune: boolean) => {
      await setup({ central: { minCommunes: 3, minShare: 1, minCommunesForShare: 3, overlapSec: 600 } });
      const [a, b, c] = COMMUNES as [string, string, string];
      const failing = (x: string, from: number, to: number) => (m: number, ts: number) => [
        r(x, 'motcua', ts, !(m >= from && m < to), m >= from && m < to ? { layer: 'service' } : {}),
      ];
      const aRounds: ProbeResult[] = [];
      for (let m = 0; m < 20; m++) aRounds.push(...failing(a, 2, 12)(m, T0 + m * MIN));
      if (!lateCommune) {
        for (let m = 0; m < 20; m++) {
          for (const [x, from, to] of [
            [a, 2, 12],
            [b, 5, 15],
            [c, 6, 9],
          ] as const) {
            time.now = T0 + m * MIN;
            await driver.push(x, failing(x, from, to)(m, time.now));
          }
        }
      } else {
        await minutes(b, 0, 20, failing(b, 5, 15));
        await minutes(c, 0, 20, failing(c, 6, 9));
        time.now = T0 + 30 * MIN;
        for (let k = 0; k < aRounds.length; k += 7) await driver.push(a, aRounds.slice(k, k + 7));
      }
      const incidents = all();
      const central = incidents
        .filter((i) => i.cause === 'central-service')
        .map((i) => ({
          start: i.startedAt,
          end: i.endedAt,
          communes: i.communes.map((x) => [x.commune, x.startedAt, x.endedAt]),
        }));
      const locals = incidents
        .filter((i) => i.cause === 'local-service')
        .map((i) => [i.commune, i.startedAt, i.endedAt, i.mergedInto !== null])
        .sort();
      await running?.close();
      running = undefined;
      return { central, locals };
    };
    const live = await scenario(false);
    const late = await scenario(true);
    expect(live.central).toEqual([
      {
        start: T0 + 2 * MIN,
        end: T0 + 15 * MIN,
        communes: [
          ['10001', T0 + 2 * MIN, T0 + 12 * MIN],
          ['10002', T0 + 5 * MIN, T0 + 15 * MIN],
          ['10003', T0 + 6 * MIN, T0 + 9 * MIN],
        ],
      },
    ]);
    expect(late).toEqual(live);
  });
});

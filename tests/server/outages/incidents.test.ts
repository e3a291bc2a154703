/**
 * Incidents from results, driven through the real ingest API over a real SQLite file with an injected
 * clock: a commune's uplink, a service failing at 30 % of communes, a silent agent and its backfill, a
 * flapping target. Each scenario asserts the incidents, their causes and times.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../../server/app.js';
import type { ServerConfig } from '../../../server/config.js';
import type { Store } from '../../../server/store/store.js';
import type { ProbeResult } from '../../../protocol/wire.js';
import type { Incident } from '../../../server/outages/incident.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { startIncidentApp, type IncidentApp } from '../../helpers/incident-app.js';
import { type IngestDriver, MIN } from '../../helpers/ingest-driver.js';

const T0 = Date.parse('2026-11-24T01:00:00Z'); // Tuesday 08:00 in Vietnam
const COMMUNES = ['10001', '10002', '10003', '10004', '10005', '10006', '10007', '10008', '10009', '10010'];

describe('incidents from results', () => {
  const dir = tempDir();
  let store: Store;
  let built: App;
  const time = { now: T0 };
  let driver: IngestDriver;

  let running: IncidentApp | undefined;
  async function setup(incidents: Partial<ServerConfig['incidents']> = {}) {
    running = await startIncidentApp(dir.path, COMMUNES, time, incidents);
    ({ store, built, driver } = running);
  }
  beforeEach(() => {
    time.now = T0;
  });
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  const result = (...a: Parameters<IngestDriver['result']>) => driver.result(...a);
  const push = (...a: Parameters<IngestDriver['push']>) => driver.push(...a);
  const rounds = (...a: Parameters<IngestDriver['rounds']>) => driver.rounds(...a);

  const all = (): Incident[] => store.incidents.list({ limit: 1000, includeDeleted: true });

  it("one commune's uplink down: one commune-network incident from the first failure to the first success", async () => {
    await setup();
    const c = COMMUNES[0]!;
    await rounds(c, 'motcua', T0, 2, true);
    // Path and service checks in the same rounds all fail at the uplink.
    for (let i = 0; i < 4; i++) {
      time.now = T0 + (2 + i) * MIN;
      await push(c, [
        result(c, 'path-uplink', time.now, false, {
          role: 'uplink',
          kind: 'icmp',
          service: 'network',
          layer: 'uplink',
        }),
        result(c, 'motcua', time.now, false, { layer: 'uplink' }),
      ]);
    }
    let incidents = all();
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({
      scope: 'local',
      cause: 'commune-network',
      commune: c,
      layer: 'uplink',
      severity: 'down',
      startedAt: T0 + 2 * MIN,
      endedAt: null,
    });
    expect(store.incidents.evidence(incidents[0]!.id, 100).length).toBeGreaterThanOrEqual(3);
    for (let i = 0; i < 2; i++) {
      time.now = T0 + (6 + i) * MIN;
      await push(c, [
        result(c, 'path-uplink', time.now, true, { role: 'uplink', kind: 'icmp', service: 'network' }),
        result(c, 'motcua', time.now, true),
      ]);
    }
    incidents = all();
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ cause: 'commune-network', startedAt: T0 + 2 * MIN, endedAt: T0 + 6 * MIN });
    expect(store.incidents.events(incidents[0]!.id).map((e) => e.kind)).toEqual([
      'opened',
      'target-added',
      'target-left',
      'eased',
      'target-left',
      'resolved',
    ]);
  });

  it('a service failing at 30 % of the communes probing it: one central incident listing them, not three local ones', async () => {
    await setup({ central: { minCommunes: 5, minShare: 0.3, minCommunesForShare: 2, overlapSec: 600 } });
    // All ten communes probe the one-stop-shop; three of them see it fail from 08:02, 08:03 and 08:04.
    for (const c of COMMUNES) await rounds(c, 'motcua', T0, 1, true);
    const failing = COMMUNES.slice(0, 3);
    for (const [k, c] of failing.entries())
      await rounds(c, 'motcua', T0 + (2 + k) * MIN, 3, false, { layer: 'service' });
    let incidents = all();
    const central = incidents.filter((i) => i.cause === 'central-service');
    expect(central).toHaveLength(1);
    expect(central[0]).toMatchObject({
      scope: 'central',
      service: 'one-stop-shop',
      commune: null,
      startedAt: T0 + 2 * MIN,
      endedAt: null,
      layer: 'service',
    });
    expect(central[0]!.communes.map((x) => x.commune)).toEqual(failing);
    // The local records stay as history, folded into the central one, so no time is counted twice.
    const locals = incidents.filter((i) => i.cause === 'local-service');
    expect(locals).toHaveLength(3);
    expect(locals.every((i) => i.mergedInto === central[0]!.id)).toBe(true);
    // Recovery, one commune after another: the central incident ends with the last one.
    for (const [k, c] of failing.entries()) await rounds(c, 'motcua', T0 + (10 + k) * MIN, 2, true);
    incidents = all();
    const ended = incidents.find((i) => i.cause === 'central-service')!;
    expect(ended.endedAt).toBe(T0 + 12 * MIN);
    expect(ended.communes.map((x) => [x.commune, x.endedAt])).toEqual(failing.map((c, k) => [c, T0 + (10 + k) * MIN]));
  });

  it('two of ten communes failing stay two local-service incidents', async () => {
    await setup();
    for (const c of COMMUNES) await rounds(c, 'motcua', T0, 1, true);
    for (const c of COMMUNES.slice(0, 2)) await rounds(c, 'motcua', T0 + 2 * MIN, 3, false, { layer: 'service' });
    const incidents = all();
    expect(incidents.map((i) => [i.cause, i.commune, i.mergedInto])).toEqual([
      ['local-service', COMMUNES[1], null],
      ['local-service', COMMUNES[0], null],
    ]);
  });

  it('a silent agent opens agent-silent; its backfilled results replace the record with what really happened', async () => {
    await setup();
    const c = COMMUNES[0]!;
    await rounds(c, 'motcua', T0, 2, true); // last push at T0 + 1 min
    time.now = T0 + 3 * MIN;
    built.incidents.checkSilence(time.now);
    expect(all()).toHaveLength(0); // 2 min: not yet (3 intervals of 60 s)
    time.now = T0 + 15 * MIN;
    built.incidents.checkSilence(time.now);
    let incidents = all();
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ cause: 'agent-silent', commune: c, startedAt: T0 + MIN, endedAt: null });
    built.incidents.checkSilence(time.now + MIN);
    expect(all()).toHaveLength(1); // one per silence, not one per check
    // Back at 08:20 with everything it buffered: the uplink was down from 08:02 to 08:12.
    time.now = T0 + 20 * MIN;
    const buffered: ProbeResult[] = [];
    for (let m = 2; m < 20; m++)
      buffered.push(result(c, 'motcua', T0 + m * MIN, m >= 12, m < 12 ? { layer: 'uplink' } : {}));
    await push(c, buffered.slice(0, 9), { outboxPending: 18 });
    expect(all().find((i) => i.cause === 'agent-silent')).toMatchObject({
      endedAt: T0 + 20 * MIN,
      backfillUntil: T0 + 20 * MIN,
      superseded: false,
    });
    await push(c, buffered.slice(9), { outboxPending: 9 });
    incidents = all();
    const silent = incidents.find((i) => i.cause === 'agent-silent')!;
    expect(silent).toMatchObject({ superseded: true, corrected: true, backfillUntil: null });
    expect(silent.statusNote).toMatch(/kept probing/);
    expect(store.incidents.events(silent.id).map((e) => e.kind)).toEqual(['opened', 'agent-back', 'corrected']);
    const network = incidents.find((i) => i.cause === 'commune-network')!;
    expect(network).toMatchObject({ commune: c, layer: 'uplink', startedAt: T0 + 2 * MIN, endedAt: T0 + 12 * MIN });
  });

  it('an agent that was off part of the time keeps an agent-silent incident trimmed to the span without results', async () => {
    await setup();
    const c = COMMUNES[0]!;
    await rounds(c, 'motcua', T0, 1, true); // last push at T0
    time.now = T0 + 40 * MIN;
    built.incidents.checkSilence(time.now);
    // It probed until 08:05, the PC was off until 08:30, then probed again.
    time.now = T0 + 40 * MIN;
    const buffered = [1, 2, 3, 4, 5, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39].map((m) =>
      result(c, 'motcua', T0 + m * MIN, true),
    );
    await push(c, buffered, { outboxPending: buffered.length });
    const silent = all().filter((i) => i.cause === 'agent-silent');
    expect(silent).toHaveLength(1);
    expect(silent[0]).toMatchObject({
      startedAt: T0 + 5 * MIN,
      endedAt: T0 + 30 * MIN,
      corrected: true,
      superseded: false,
    });
    expect(store.incidents.events(silent[0]!.id).at(-1)).toMatchObject({
      kind: 'corrected',
      detail: { before: { startedAt: T0, endedAt: T0 + 40 * MIN } },
    });
  });

  it('a flapping target keeps one incident open until it has been stable', async () => {
    await setup({ flap: { changes: 4, windowSec: 3600, stableSec: 600 } });
    const c = COMMUNES[0]!;
    let t = T0;
    // Down 3, up 2, four times over: eight state changes, one incident.
    for (let cycle = 0; cycle < 4; cycle++) {
      await rounds(c, 'motcua', t, 3, false, { layer: 'service' });
      await rounds(c, 'motcua', t + 3 * MIN, 2, true);
      t += 5 * MIN;
    }
    let incidents = all();
    expect(incidents.length).toBeLessThanOrEqual(2);
    const open = incidents.filter((i) => i.endedAt === null);
    expect(open).toHaveLength(1);
    expect(open[0]!.flapping).toBe(true);
    // Stable for ten minutes: it closes, dated at the recovery.
    await rounds(c, 'motcua', t, 12, true);
    incidents = all();
    expect(incidents.every((i) => i.endedAt !== null)).toBe(true);
    expect(incidents.at(0)!.endedAt).toBe(t - 2 * MIN);
  });

  it('a degraded service (slow successes) opens a degraded incident, worsened to down when it fails', async () => {
    await setup();
    const c = COMMUNES[0]!;
    await rounds(c, 'ocsp', T0, 3, true, { service: 'e-signing', layer: 'slow' });
    expect(all()).toMatchObject([
      { cause: 'local-service', severity: 'degraded', service: 'e-signing', startedAt: T0 },
    ]);
    await rounds(c, 'ocsp', T0 + 3 * MIN, 3, false, { service: 'e-signing', layer: 'tls' });
    const [inc] = all();
    expect(inc).toMatchObject({ severity: 'down', startedAt: T0 });
    expect(store.incidents.events(inc!.id).map((e) => e.kind)).toEqual(['opened', 'worsened']);
  });
});

/**
 * The stories issue 12 saw go wrong on messy links, through the real ingest API: a cut too short for a silent
 * incident (the agent's backlog arrives right after the heal, ending in failures); an incident whose checks
 * are already recovering when its group flushes; and a degraded network that then goes down.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MIN } from '../../helpers/ingest-driver.js';
import { alertHarness, stories, T0, wellTold, type Harness } from './harness.js';

const C = '10001';
const SEC = 1000;
const UPLINK = { role: 'uplink', kind: 'icmp', service: 'network' } as const;

describe('catching up after short cuts, recovering incidents, severity changes', () => {
  let h: Harness;
  afterEach(async () => h.close());

  it(
    'a cut shorter than the silence threshold: the backlog ends in failures, yet the story is one ' +
      'CONFIRMED once live rounds show the link back',
    async () => {
      h = await alertHarness(
        { groupWaitSec: 5 },
        { agentSilent: { afterIntervals: 3, minSec: 180, checkEverySec: 30 } },
      );
      const every = 10 * SEC;
      for (let k = 0; k < 3; k++) {
        h.time.now = T0 + k * every;
        await h.driver.push(C, [h.driver.result(C, 'motcua', h.time.now, true)], { probeIntervalSec: 10 });
      }
      // Cut from 08:00:30 to 08:01:30: six failing rounds buffered, pushed in one batch right after the heal
      // (before any new round), then the live rounds.
      const buffered = Array.from({ length: 6 }, (_, k) =>
        h.driver.result(C, 'motcua', T0 + 30 * SEC + k * every, false, { layer: 'uplink' }),
      );
      h.time.now = T0 + 90 * SEC + 500;
      await h.driver.push(C, buffered, { outboxPending: 6, probeIntervalSec: 10 });
      await h.tick(T0 + 100 * SEC); // groupWait is over: but the commune is catching up
      expect(h.got()).toEqual([]);
      for (const at of [T0 + 95 * SEC, T0 + 105 * SEC]) {
        h.time.now = at + 200;
        await h.driver.push(C, [h.driver.result(C, 'motcua', at, true)], { outboxPending: 1, probeIntervalSec: 10 });
        await h.tick(at + 2 * SEC);
      }
      await h.tick(T0 + 5 * MIN);
      expect(h.got().map((m) => m.kind)).toEqual(['confirmed']);
      expect(h.got()[0]!.confirmed).toMatchObject([
        { cause: 'commune-network', startedAt: T0 + 30 * SEC, endedAt: T0 + 95 * SEC, layer: 'uplink' },
      ]);
      expect(h.store.incidents.catchingUp()).toEqual([]);
    },
  );

  it(
    'an incident whose checks are already recovering when its group flushes waits for ' +
      'them: CONFIRMED, not FIRING then RESOLVED',
    async () => {
      h = await alertHarness({ groupWaitSec: 30 });
      await h.driver.rounds(C, 'motcua', T0, 3, false, { layer: 'service' });
      h.time.now = T0 + 2 * MIN + 20 * SEC;
      await h.driver.push(C, [h.driver.result(C, 'motcua', h.time.now, true)]);
      await h.tick(T0 + 2 * MIN + 40 * SEC); // groupWait over, one success of two: recovering, held
      expect(h.got()).toEqual([]);
      h.time.now = T0 + 3 * MIN;
      await h.driver.push(C, [h.driver.result(C, 'motcua', h.time.now, true)]);
      await h.tick(T0 + 3 * MIN + 5 * SEC);
      expect(h.got().map((m) => m.kind)).toEqual(['confirmed']);
    },
  );

  it('…and one that fails again after a success is told FIRING', async () => {
    h = await alertHarness({ groupWaitSec: 30 });
    await h.driver.rounds(C, 'motcua', T0, 3, false, { layer: 'service' });
    h.time.now = T0 + 2 * MIN + 20 * SEC;
    await h.driver.push(C, [h.driver.result(C, 'motcua', h.time.now, true)]);
    await h.tick(T0 + 2 * MIN + 40 * SEC);
    h.time.now = T0 + 3 * MIN;
    await h.driver.push(C, [h.driver.result(C, 'motcua', h.time.now, false, { layer: 'service' })]);
    await h.tick(T0 + 3 * MIN + 5 * SEC);
    expect(h.got().map((m) => m.kind)).toEqual(['firing']);
    expect(h.got()[0]!.firing).toMatchObject([{ cause: 'local-service', startedAt: T0 }]);
  });

  it(
    'a degraded network (path checks failing, services fine) that goes down when services ' +
      'fail: FIRING degraded, UPDATE down, RESOLVED',
    async () => {
      h = await alertHarness({ groupWaitSec: 10, groupIntervalSec: 30 });
      // 08:00–08:02 only the uplink check fails; from 08:03 the one-stop-shop fails on the uplink too.
      for (let m = 0; m < 10; m++) {
        h.time.now = T0 + m * MIN;
        const pathDown = m < 7;
        const serviceDown = m >= 3 && m < 7;
        await h.driver.push(C, [
          h.driver.result(C, 'path-uplink', h.time.now, !pathDown, { ...UPLINK, ...(pathDown && { layer: 'uplink' }) }),
          h.driver.result(C, 'motcua', h.time.now, !serviceDown, serviceDown ? { layer: 'uplink' } : {}),
        ]);
        await h.tick(h.time.now + 15 * SEC);
      }
      const got = h.got();
      expect(got.map((m) => m.kind)).toEqual(['firing', 'update', 'resolved']);
      expect(got[0]!.firing).toMatchObject([{ cause: 'commune-network', severity: 'degraded' }]);
      expect(got[0]!.message.subject).toMatch(/CẢNH BÁO|chập chờn/);
      expect(got[1]!.firing).toMatchObject([{ cause: 'commune-network', change: 'ongoing' }]);
      expect(got[1]!.message.text).not.toMatch(/chập chờn/);
      expect([...stories(got).values()].every(wellTold)).toBe(true);
    },
  );
});

describe('a network incident opened live as the link went down, then the agent silent', () => {
  let h: Harness;
  afterEach(async () => h.close());

  it('after the heal: one message — the silence resolved and the network outage confirmed', async () => {
    h = await alertHarness(
      { groupWaitSec: 2, groupIntervalSec: 5 },
      { agentSilent: { afterIntervals: 3, minSec: 30, checkEverySec: 5 } },
    );
    const every = 3 * SEC;
    const round = (at: number, ok: boolean) => [
      h.driver.result(C, 'path-uplink', at, ok, { ...UPLINK, ...(!ok && { layer: 'uplink' }) }),
      h.driver.result(C, 'motcua', at, ok, ok ? {} : { layer: 'uplink' }),
    ];
    for (let k = 0; k < 4; k++) {
      h.time.now = T0 + k * every + 200;
      await h.driver.push(C, round(T0 + k * every, true), { outboxPending: 2, probeIntervalSec: 3 });
    }
    // The cut at +12 s: one last batch gets through with three failing rounds (more still queued), then nothing.
    h.time.now = T0 + 21 * SEC;
    await h.driver.push(
      C,
      [12, 15, 18].flatMap((s) => round(T0 + s * SEC, false)),
      { outboxPending: 8, probeIntervalSec: 3 },
    );
    for (let s = 22; s < 60; s += 2) {
      h.time.now = T0 + s * SEC;
      h.store.transaction(() => h.built.incidents.checkSilence(h.time.now));
      await h.tick();
    }
    expect(h.got().map((m) => m.kind)).toEqual(['firing']);
    expect(h.got()[0]!.firing).toMatchObject([{ cause: 'agent-silent' }]);
    // Healed at +60 s: the backlog (failing until +57 s, then the link back), then live rounds.
    h.time.now = T0 + 61 * SEC;
    await h.driver.push(
      C,
      [21, 24, 27, 30, 33, 36, 39, 42, 45, 48, 51, 54, 57].flatMap((s) => round(T0 + s * SEC, false)),
      { outboxPending: 26, probeIntervalSec: 3 },
    );
    for (let s = 62; s < 90; s += 1) {
      h.time.now = T0 + s * SEC;
      if (s % 3 === 0)
        await h.driver.push(C, round(T0 + (s - 1) * SEC, true), { outboxPending: 2, probeIntervalSec: 3 });
      h.store.transaction(() => h.built.incidents.checkSilence(h.time.now));
      await h.tick();
    }
    const got = h.got();
    expect(got.map((m) => m.kind)).toEqual(['firing', 'confirmed']);
    expect(got[1]!.confirmed).toMatchObject([
      { cause: 'commune-network', startedAt: T0 + 12 * SEC, endedAt: T0 + 62 * SEC },
    ]);
    expect(got[1]!.resolved).toMatchObject([{ cause: 'agent-silent' }]);
  });
});

describe('a story told whole and then changed by results that arrived late', () => {
  let h: Harness;
  afterEach(async () => h.close());

  it('is told again, marked corrected, with its final times; a person’s correction is not', async () => {
    h = await alertHarness({ groupWaitSec: 5 });
    const id = h.incident(
      {
        scope: 'central',
        cause: 'central-service',
        severity: 'down',
        service: 'one-stop-shop',
        startedAt: T0,
        endedAt: T0 + 4 * MIN,
      },
      ['10001', '10003'],
    );
    await h.tick(T0 + 5 * MIN);
    expect(h.got().map((m) => m.kind)).toEqual(['confirmed']);
    // Commune 10002's backlog arrives: it failed with them until 08:08 (the engine extends the central incident).
    h.update(id, { endedAt: T0 + 8 * MIN });
    await h.tick(T0 + 20 * MIN);
    expect(h.got().map((m) => m.kind)).toEqual(['confirmed', 'confirmed']);
    expect(h.got()[1]!.confirmed).toMatchObject([{ id, startedAt: T0, endedAt: T0 + 8 * MIN, correction: 'late' }]);
    expect(h.got()[1]!.message.text).toContain('Đã hiệu chỉnh theo dữ liệu đến muộn');
    // Nothing more while nothing changes; a person's correction of the record is not news.
    h.update(id, { endedAt: T0 + 9 * MIN, corrected: true });
    await h.tick(T0 + 40 * MIN);
    expect(h.got()).toHaveLength(2);
  });
});

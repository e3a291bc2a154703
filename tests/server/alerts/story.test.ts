/**
 * One incident, one story (issue 12): an incident over before it was told gets one CONFIRMED with its real
 * times; after a partition the backfilled truth goes out in one message with the silence's resolve, never a
 * FIRING for something already over; and whatever moment the ticks fall on, each incident's messages are
 * FIRING … RESOLVED or one CONFIRMED. Results go through the real ingest API, incidents through the engine.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MIN } from '../../helpers/ingest-driver.js';
import { alertHarness, stories, T0, wellTold, type Harness } from './harness.js';

const C = '10001';
const SEC = 1000;

describe('alert stories', () => {
  let h: Harness;
  afterEach(async () => h.close());

  it(
    'an incident over before its group flushed: one CONFIRMED with its real start, end and ' +
      'layer; later corrections add nothing',
    async () => {
      h = await alertHarness();
      await h.driver.rounds(C, 'motcua', T0, 3, false, { layer: 'uplink' }); // opens at 08:02, dated 08:00
      // The link is back 5 s later, before groupWait (30 s) is over: the race of issue 12 (FIRING after recovery).
      for (const at of [T0 + 2 * MIN + 5 * SEC, T0 + 2 * MIN + 15 * SEC]) {
        h.time.now = at;
        await h.driver.push(C, [h.driver.result(C, 'motcua', at, true)]);
      }
      await h.tick(T0 + 2 * MIN + 30 * SEC);
      await h.tick(T0 + 10 * MIN);
      const got = h.got();
      expect(got.map((m) => m.kind)).toEqual(['confirmed']);
      expect(got[0]!.firing).toEqual([]);
      expect(got[0]!.confirmed).toMatchObject([
        {
          cause: 'commune-network',
          change: 'confirmed',
          startedAt: T0,
          endedAt: T0 + 2 * MIN + 5 * SEC,
          layer: 'uplink',
        },
      ]);
      expect(got[0]!.message.subject).toBe('[CommuneWatch] ĐÃ XÁC NHẬN: Mất kết nối mạng tại xã — 10001');
      expect(got[0]!.message.text).toContain(
        'Đã xác nhận: mạng của Xã 10001 mất từ 24/11/2026 08:00 đến 08:02, tầng uplink',
      );
      // A correction of the record afterwards starts no second story.
      const id = got[0]!.confirmed![0]!.id;
      h.update(id, { endedAt: T0 + 2 * MIN + 10 * SEC, corrected: true });
      await h.tick(T0 + 20 * MIN);
      expect(h.got()).toHaveLength(1);
      expect(h.store.alerts.listNotifications({ incidentId: id, limit: 10 }).map((n) => [n.kind, n.status])).toEqual([
        ['confirmed', 'sent'],
      ]);
    },
  );

  /**
   * Agent pushes at 08:00, then nothing; silent at 08:10 (told), back at 08:20 with its backlog in `batches`,
   * then (unless `fresh` is undefined) its next live round, measured with the link back, ok or not.
   */
  async function partition(
    batches: Array<{ from: number; to: number; ok: (minute: number) => boolean; pending: number }>,
    ticksBetween = true,
    fresh?: boolean,
  ) {
    await h.driver.rounds(C, 'motcua', T0, 1, true);
    h.time.now = T0 + 10 * MIN;
    h.store.transaction(() => h.built.incidents.checkSilence(h.time.now));
    await h.tick(T0 + 10 * MIN + 30 * SEC);
    let at = T0 + 20 * MIN;
    const counts: number[] = [];
    for (const b of batches) {
      h.time.now = at;
      const results = [];
      for (let k = b.from; k <= b.to; k++)
        results.push(h.driver.result(C, 'motcua', T0 + k * MIN, b.ok(k), b.ok(k) ? {} : { layer: 'uplink' }));
      await h.driver.push(C, results, { outboxPending: b.pending });
      at += 10 * SEC;
      if (ticksBetween) await h.tick(at - 5 * SEC);
      counts.push(h.got().length);
    }
    if (fresh !== undefined) {
      h.time.now = at;
      await h.driver.push(C, [h.driver.result(C, 'motcua', at - 2 * SEC, fresh, fresh ? {} : { layer: 'uplink' })], {
        outboxPending: 1,
      });
      at += 10 * SEC;
      if (ticksBetween) await h.tick(at - 5 * SEC);
      counts.push(h.got().length);
    }
    return { end: at, counts };
  }

  it(
    'after a 19-min partition the backlog in three batches: held while it arrives, then ONE message — ' +
      'the outage confirmed with its real times and layer, the silence resolved',
    async () => {
      h = await alertHarness();
      const { end, counts } = await partition(
        [
          { from: 1, to: 7, ok: () => false, pending: 19 },
          { from: 8, to: 14, ok: () => false, pending: 12 },
          { from: 15, to: 19, ok: () => true, pending: 5 },
        ],
        true,
        true,
      );
      // Between the batches nothing went out beyond the silence's FIRING; the story once the backlog was in
      // and a live round, measured with the link back, showed the commune had caught up.
      expect(counts).toEqual([1, 1, 1, 2]);
      expect(h.got()[0]!.message.subject).toBe(
        '[CommuneWatch] ĐANG LỖI: Xã 10001 mất liên lạc với máy chủ — thường do mạng của xã',
      );
      await h.tick(end + 30 * SEC);
      await h.tick(end + 10 * MIN);
      const got = h.got();
      expect(got.map((m) => m.kind)).toEqual(['firing', 'confirmed']);
      expect(got[1]!.confirmed).toMatchObject([
        { cause: 'commune-network', startedAt: T0 + MIN, endedAt: T0 + 15 * MIN, layer: 'uplink' },
      ]);
      expect(got[1]!.resolved).toMatchObject([
        { cause: 'agent-silent', correction: 'superseded', id: got[0]!.firing[0]!.id },
      ]);
      expect(got[1]!.message.subject).toBe('[CommuneWatch] ĐÃ XÁC NHẬN: Mất kết nối mạng tại xã — 10001 (+1)');
      expect(got[1]!.message.text).toContain(
        'Đã xác nhận: mạng của Xã 10001 mất từ 24/11/2026 08:01 đến 08:15, tầng uplink',
      );
      expect(got[1]!.message.text).toContain('Máy giám sát vẫn hoạt động trong lúc mất kết nối');
    },
  );

  it(
    'after a partition with the link still down: ONE message — FIRING with the real start, ' +
      'and the silence resolved; then the resolve',
    async () => {
      h = await alertHarness();
      const { end } = await partition(
        [
          { from: 1, to: 10, ok: () => false, pending: 19 },
          { from: 11, to: 19, ok: () => false, pending: 9 },
        ],
        true,
        false,
      );
      await h.tick(end + 30 * SEC);
      expect(h.got().map((m) => m.kind)).toEqual(['firing', 'firing']);
      const story = h.got()[1]!;
      expect(story.firing).toMatchObject([
        { cause: 'commune-network', change: 'firing', startedAt: T0 + MIN, endedAt: null },
      ]);
      expect(story.resolved).toMatchObject([{ cause: 'agent-silent', change: 'resolved' }]);
      expect(story.message.subject).toBe('[CommuneWatch] ĐANG LỖI: Mất kết nối mạng tại xã — 10001 (+1)');
      expect(story.message.text).toContain('Từ 24/11/2026 08:01');
      await h.driver.rounds(C, 'motcua', end + MIN, 2, true);
      await h.tick(end + 5 * MIN);
      expect(h.got().map((m) => m.kind)).toEqual(['firing', 'firing', 'resolved']);
      expect(h.got()[2]!.resolved).toMatchObject([
        { cause: 'commune-network', startedAt: T0 + MIN, endedAt: end + MIN },
      ]);
    },
  );

  it(
    'a backlog that never finishes holds for at most 10 minutes, then says what is known ' +
      'and that results are still arriving',
    async () => {
      h = await alertHarness();
      const { end } = await partition([{ from: 1, to: 10, ok: () => false, pending: 500 }]);
      await h.tick(end + 5 * MIN);
      expect(h.got().map((m) => m.kind)).toEqual(['firing']);
      await h.tick(T0 + 30 * MIN + SEC); // 10 min after the agent came back
      const got = h.got();
      expect(got.map((m) => m.kind)).toEqual(['firing', 'firing']);
      // Both may still be corrected by results to come, and say so.
      expect(got[1]!.firing).toMatchObject([
        { cause: 'commune-network', startedAt: T0 + MIN, correction: 'backfilling' },
      ]);
      expect(got[1]!.resolved).toMatchObject([{ cause: 'agent-silent', correction: 'backfilling' }]);
      expect(got[1]!.message.text).toContain('vẫn đang gửi bù dữ liệu');
    },
  );

  describe('order independence: wherever the ticks fall, each incident is FIRING … RESOLVED or one CONFIRMED', () => {
    const schedules: Array<[string, (t: number) => boolean]> = [
      ['every 5 s', () => true],
      ['every minute', (t) => t % MIN === 0],
      ['every 7 s', (t) => t % (7 * SEC) === 0],
      ['only once, at the end', () => false],
      ['every 45 s', (t) => t % (45 * SEC) === 0],
    ];
    for (const [name, ticks] of schedules) {
      it(`partition and backlog, ticks ${name}`, async () => {
        h = await alertHarness();
        await h.driver.rounds(C, 'motcua', T0, 1, true);
        const events = new Map<number, () => Promise<void>>();
        events.set(T0 + 4 * MIN, async () => h.store.transaction(() => h.built.incidents.checkSilence(h.time.now)));
        const batches = [
          [1, 6, false, 15],
          [7, 11, false, 9],
          [12, 15, true, 4],
        ] as const;
        batches.forEach(([from, to, ok, pending], i) =>
          events.set(T0 + 16 * MIN + i * 10 * SEC, async () => {
            const results = [];
            for (let k = from; k <= to; k++)
              results.push(h.driver.result(C, 'motcua', T0 + k * MIN, ok, ok ? {} : { layer: 'uplink' }));
            await h.driver.push(C, results, { outboxPending: pending });
          }),
        );
        for (let t = T0 + 5 * SEC; t <= T0 + 30 * MIN; t += 5 * SEC) {
          h.time.now = t;
          await events.get(t)?.();
          if (ticks(t)) await h.tick(t);
        }
        await h.tick(T0 + 40 * MIN);
        const told = stories(h.got());
        for (const [id, story] of told) expect(wellTold(story), `incident ${id}: ${story.join(' ')}`).toBe(true);
        const network = h.store.incidents.list({ cause: 'commune-network', limit: 5 });
        expect(network).toHaveLength(1);
        expect(told.get(network[0]!.id)).toEqual(['confirmed']);
        const final = h.got().find((m) => m.confirmed?.some((a) => a.id === network[0]!.id))!;
        expect(final.confirmed![0]).toMatchObject({ startedAt: T0 + MIN, endedAt: T0 + 12 * MIN, layer: 'uplink' });
      });

      it(`an outage and its recovery over the live link, ticks ${name}`, async () => {
        h = await alertHarness();
        for (let t = T0; t <= T0 + 20 * MIN; t += 5 * SEC) {
          h.time.now = t;
          if (t % (20 * SEC) === 0) {
            const failing = t >= T0 + 2 * MIN && t < T0 + 3 * MIN + 20 * SEC;
            await h.driver.push(C, [h.driver.result(C, 'motcua', t, !failing, failing ? { layer: 'uplink' } : {})]);
          }
          if (ticks(t)) await h.tick(t);
        }
        await h.tick(T0 + 30 * MIN);
        const told = [...stories(h.got()).values()];
        expect(told).toHaveLength(1);
        expect(wellTold(told[0]!), told[0]!.join(' ')).toBe(true);
        const last = h.got().at(-1)!;
        expect([...last.resolved, ...(last.confirmed ?? [])]).toMatchObject([
          { startedAt: T0 + 2 * MIN, endedAt: T0 + 3 * MIN + 20 * SEC },
        ]);
      });
    }
  });
});

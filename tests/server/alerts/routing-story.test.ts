/**
 * Merging, silences and escalation keep the story whole (issue 12): a local incident told FIRING and then
 * taken over by a central one gets its resolve, in the central incident's FIRING; a window on one commune
 * does not hide the other communes of a central incident; deleting a window flushes what it held to the
 * first receiver at once, escalation waits escalateAfterSec after that FIRING, and every receiver that got
 * the FIRING (the escalation receiver too) gets the resolve.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MIN } from '../../helpers/ingest-driver.js';
import { alertHarness, COMMUNES, stories, T0, wellTold, type Harness } from './harness.js';

const SEC = 1000;

describe('alert routing stories', () => {
  let h: Harness;
  afterEach(async () => h.close());

  const api = (method: 'POST' | 'DELETE' | 'PATCH', url: string, payload?: object) =>
    h.built.app.inject({ method, url, headers: { authorization: `Bearer ${h.admin}` }, ...(payload && { payload }) });

  it(
    'a local incident told FIRING, then merged into a central one: resolved "merged into #N" in the same ' +
      'message as the central FIRING; the central resolves later',
    async () => {
      h = await alertHarness();
      for (const c of COMMUNES) await h.driver.rounds(c, 'motcua', T0, 1, true); // five communes probe the service
      await h.driver.rounds('10002', 'motcua', T0 + 2 * MIN, 3, false, { layer: 'service' });
      await h.tick(T0 + 5 * MIN);
      expect(h.got().map((m) => m.kind)).toEqual(['firing']);
      const local = h.got()[0]!.firing[0]!;
      expect(local).toMatchObject({ cause: 'local-service', communes: [{ code: '10002' }] });
      // 10003 fails too while 10002 still does: 2 of 5 communes probing it, a central incident takes 10002's over.
      for (let k = 5; k <= 7; k++)
        for (const c of ['10002', '10003'])
          await h.driver.rounds(c, 'motcua', T0 + k * MIN, 1, false, { layer: 'service' });
      await h.tick(T0 + 7 * MIN + 10 * SEC); // the local's group is due, the central's not yet: the resolve waits for it
      expect(h.got()).toHaveLength(1);
      await h.tick(T0 + 8 * MIN);
      const [, merged] = h.got();
      const central = h.store.incidents.list({ cause: 'central-service', limit: 1 })[0]!;
      expect(merged).toMatchObject({
        kind: 'firing',
        firing: [{ id: central.id, change: 'firing' }],
        resolved: [{ id: local.id, change: 'resolved', mergedInto: central.id }],
      });
      expect(merged!.message.text).toContain(`Đã gộp vào sự cố chung #${central.id}`);
      for (const c of ['10002', '10003']) await h.driver.rounds(c, 'motcua', T0 + 10 * MIN, 2, true);
      await h.tick(T0 + 15 * MIN);
      expect(h.got().map((m) => m.kind)).toEqual(['firing', 'firing', 'resolved']);
      expect(h.got()[2]!.resolved).toMatchObject([{ id: central.id }]);
      for (const [id, story] of stories(h.got())) expect(wellTold(story), `${id}: ${story.join(' ')}`).toBe(true);
    },
  );

  const centralOf = (communes: string[]) =>
    h.incident(
      {
        scope: 'central',
        cause: 'central-service',
        severity: 'down',
        service: 'civil-status',
        layer: 'service',
        startedAt: T0,
      },
      communes,
    );

  it(
    'maintenance on one commune of a central incident: sent, with that commune marked; on ' +
      'all of them: held until one window ends',
    async () => {
      h = await alertHarness();
      const res = await api('POST', '/api/v1/silences', {
        kind: 'maintenance',
        matchers: { commune: ['10003'] },
        startsAt: T0,
        endsAt: T0 + 60 * MIN,
        comment: 'Nâng cấp',
      });
      expect(res.statusCode, res.body).toBe(201);
      centralOf(['10002', '10003']);
      await h.tick(T0 + MIN);
      const [msg] = h.got();
      expect(msg).toMatchObject({
        kind: 'firing',
        firing: [{ communes: [{ code: '10002' }, { code: '10003', muted: true }] }],
      });
      expect(msg!.firing[0]!.communes[0]!.muted).toBeUndefined();
      expect(msg!.message.text).toContain('2 xã: 10002, 10003 [đang bảo trì / tạm tắt thông báo]');

      await api('POST', '/api/v1/silences', {
        kind: 'maintenance',
        matchers: { commune: ['10004', '10005'] },
        startsAt: T0,
        endsAt: T0 + 30 * MIN,
        comment: 'Nâng cấp',
      });
      h.time.now = T0 + 2 * MIN;
      centralOf(['10004', '10005']);
      await h.tick(T0 + 5 * MIN);
      await h.tick(T0 + 29 * MIN);
      expect(h.got()).toHaveLength(1); // every commune covered: held
      await h.tick(T0 + 30 * MIN + SEC);
      expect(h.got().map((m) => m.kind)).toEqual(['firing', 'update']);
    },
  );

  it(
    'a window deleted early: the held FIRING goes to the first receiver at once; escalation only ' +
      'escalateAfterSec after it; the resolve reaches both',
    async () => {
      h = await alertHarness({ escalateAfterSec: 600, escalateTo: 'second' });
      const res = await api('POST', '/api/v1/silences', {
        kind: 'maintenance',
        matchers: { commune: ['10001'] },
        startsAt: T0,
        endsAt: T0 + 60 * MIN,
        comment: 'VNPT nâng cấp',
      });
      const id = h.incident({
        scope: 'local',
        cause: 'commune-network',
        severity: 'down',
        commune: '10001',
        layer: 'uplink',
        startedAt: T0,
      });
      await h.tick(T0 + MIN);
      await h.tick(T0 + 15 * MIN); // the incident is older than escalateAfterSec, but nobody was told: no escalation
      expect([h.got('first').length, h.got('second').length]).toEqual([0, 0]);
      h.time.now = T0 + 20 * MIN;
      expect((await api('DELETE', `/api/v1/silences/${res.json().silence.id}`)).statusCode).toBe(200);
      await h.tick(T0 + 20 * MIN + 5 * SEC);
      expect(h.got('first').map((m) => m.kind)).toEqual(['firing']);
      expect(h.got('second')).toHaveLength(0);
      await h.tick(T0 + 29 * MIN);
      expect(h.got('second')).toHaveLength(0);
      await h.tick(T0 + 30 * MIN + 10 * SEC);
      expect(h.got('second').map((m) => m.kind)).toEqual(['escalation']);
      h.time.now = T0 + 35 * MIN;
      h.update(id, { endedAt: T0 + 35 * MIN });
      await h.tick(T0 + 36 * MIN);
      expect(h.got('first').map((m) => m.kind)).toEqual(['firing', 'resolved']);
      expect(h.got('second').map((m) => m.kind)).toEqual(['escalation', 'resolved']);
      expect(h.got('second')[1]!.resolved).toMatchObject([{ id, startedAt: T0, endedAt: T0 + 35 * MIN }]);
      await h.tick(T0 + 90 * MIN);
      expect([h.got('first').length, h.got('second').length]).toEqual([2, 2]);
    },
  );

  it('an incident that ended inside a maintenance window and was never told: nothing, also after the window', async () => {
    h = await alertHarness();
    await api('POST', '/api/v1/silences', {
      kind: 'maintenance',
      matchers: { commune: ['10001'] },
      startsAt: T0,
      endsAt: T0 + 30 * MIN,
      comment: 'Nâng cấp',
    });
    const id = h.incident({
      scope: 'local',
      cause: 'commune-network',
      severity: 'down',
      commune: '10001',
      startedAt: T0,
    });
    await h.tick(T0 + MIN);
    h.time.now = T0 + 10 * MIN;
    h.update(id, { endedAt: T0 + 10 * MIN });
    await h.tick(T0 + 11 * MIN);
    await h.tick(T0 + 31 * MIN);
    expect(h.got()).toHaveLength(0);
  });

  it('an edit from the API that ends or deletes a told incident (no engine call) still gets its resolve', async () => {
    h = await alertHarness();
    const a = h.incident({
      scope: 'local',
      cause: 'commune-network',
      severity: 'down',
      commune: '10001',
      startedAt: T0,
    });
    const b = h.incident({
      scope: 'local',
      cause: 'commune-network',
      severity: 'down',
      commune: '10002',
      startedAt: T0,
    });
    await h.tick(T0 + MIN);
    h.time.now = T0 + 5 * MIN;
    expect(
      (await api('PATCH', `/api/v1/incidents/${a}`, { endedAt: T0 + 4 * MIN, reason: 'điện có lại' })).statusCode,
    ).toBe(200);
    expect((await api('DELETE', `/api/v1/incidents/${b}?reason=nham`)).statusCode).toBe(200);
    await h.tick(T0 + 6 * MIN);
    expect(h.got().map((m) => m.kind)).toEqual(['firing', 'resolved']);
    expect(
      h
        .got()[1]!
        .resolved.map((r) => r.id)
        .sort(),
    ).toEqual([a, b].sort());
  });
});

/** Fault-layer rules, one case per layer and per precedence between them. */
import { describe, expect, it } from 'vitest';
import { classify, lostEchoes, type PathSnapshot } from '../../../agent/path/classify.js';
import type { ProbeOutcome } from '../../../protocol/wire.js';

const up = { ok: true };
const down = { ok: false };
const healthyPath: PathSnapshot = { at: 0, gateway: up, resolvers: up, uplink: up, datacentre: up };
const fail = (code: string): ProbeOutcome => ({ ok: false, durationMs: 10, error: { code, message: 'x' } });
const success = (latencyMs: number): ProbeOutcome => ({ ok: true, durationMs: latencyMs, latencyMs });

describe('classify', () => {
  it.each([
    [
      'lan: the gateway does not answer',
      fail('CW_ERR_PROBE_TIMEOUT'),
      { ...healthyPath, gateway: down, uplink: down, datacentre: down },
      'lan',
    ],
    [
      'lan wins over a DNS error it explains',
      fail('CW_ERR_PROBE_DNS'),
      { ...healthyPath, gateway: down, uplink: down, datacentre: down },
      'lan',
    ],
    ['lan: gateway down and no hop beyond it checked', fail('CW_ERR_PROBE_TIMEOUT'), { at: 0, gateway: down }, 'lan'],
    [
      'uplink: gateway fine, nothing beyond',
      fail('CW_ERR_PROBE_TIMEOUT'),
      { ...healthyPath, uplink: down, datacentre: down, resolvers: down },
      'uplink',
    ],
    [
      'uplink wins over the DNS failure it causes',
      fail('CW_ERR_PROBE_DNS'),
      { ...healthyPath, uplink: down, datacentre: down, resolvers: down },
      'uplink',
    ],
    ['dns: the name fails while addresses work', fail('CW_ERR_PROBE_DNS'), { ...healthyPath, resolvers: down }, 'dns'],
    ['dns: no answer of the asked type', fail('CW_ERR_PROBE_DNS_NO_ANSWER'), healthyPath, 'dns'],
    ['tls: certificate or handshake', fail('CW_ERR_PROBE_TLS'), healthyPath, 'tls'],
    ['service: network fine, service fails', fail('CW_ERR_PROBE_HTTP_STATUS'), healthyPath, 'service'],
    [
      'service: one of two beyond-hops down is not an uplink cut',
      fail('CW_ERR_PROBE_CONN_REFUSED'),
      { ...healthyPath, datacentre: down },
      'service',
    ],
    ['service: no path configured at all', fail('CW_ERR_PROBE_TIMEOUT'), undefined, 'service'],
    [
      'service: only the gateway known, and it is fine',
      fail('CW_ERR_PROBE_TIMEOUT'),
      { at: 0, gateway: up },
      'service',
    ],
  ])('%s', (_name, outcome, path, layer) => {
    expect(classify({ outcome, path })).toEqual({ layer });
  });

  it('a failing DNS probe is a DNS fault whatever its error, unless the network explains it', () => {
    expect(classify({ outcome: fail('CW_ERR_PROBE_TIMEOUT'), kind: 'dns', path: healthyPath })).toEqual({
      layer: 'dns',
    });
    expect(classify({ outcome: fail('CW_ERR_PROBE_CONN_REFUSED'), kind: 'dns', path: healthyPath })).toEqual({
      layer: 'dns',
    });
    expect(
      classify({
        outcome: fail('CW_ERR_PROBE_TIMEOUT'),
        kind: 'dns',
        path: { ...healthyPath, gateway: down, uplink: down, datacentre: down },
      }),
    ).toEqual({ layer: 'lan' });
  });

  it('places no layer on a credentials problem of the agent host (nothing was sent)', () => {
    expect(classify({ outcome: fail('CW_ERR_PROBE_CREDENTIALS'), path: { ...healthyPath, gateway: down } })).toEqual(
      {},
    );
  });

  it('marks a success above its latency budget as slow, and a fast one as nothing', () => {
    expect(classify({ outcome: success(900), latencyBudgetMs: 500, path: healthyPath })).toEqual({ layer: 'slow' });
    expect(classify({ outcome: success(400), latencyBudgetMs: 500, path: healthyPath })).toEqual({});
    expect(classify({ outcome: success(4000), path: healthyPath })).toEqual({});
  });

  it('blames the first failing upstream link of a service', () => {
    const dependencies = [
      { name: 'dvcqg-portal', ok: true },
      { name: 'vneid-sso', ok: false },
      { name: 'moj-hotich', ok: false },
    ];
    expect(classify({ outcome: fail('CW_ERR_PROBE_HTTP_STATUS'), path: healthyPath, dependencies })).toEqual({
      layer: 'service',
      blame: 'vneid-sso',
    });
    // Unknown (not yet probed) dependencies are not blamed; a network fault beats any blame.
    expect(
      classify({
        outcome: fail('CW_ERR_PROBE_HTTP_STATUS'),
        path: healthyPath,
        dependencies: [{ name: 'x', ok: undefined }],
      }),
    ).toEqual({ layer: 'service' });
    expect(
      classify({
        outcome: fail('CW_ERR_PROBE_TIMEOUT'),
        path: { ...healthyPath, gateway: down, uplink: down, datacentre: down },
        dependencies,
      }),
    ).toEqual({ layer: 'lan' });
  });

  describe('a lossy path: hops that answer but lose most echoes (issue 12)', () => {
    const lost = (lossRatio: number) => ({ ok: true, lossRatio });
    const clean = lost(0);
    const lossyPath = (hops: Partial<PathSnapshot>): PathSnapshot => ({
      ...healthyPath,
      gateway: clean,
      uplink: clean,
      datacentre: clean,
      ...hops,
    });
    const timeout = fail('CW_ERR_PROBE_TIMEOUT');

    it('a timeout with the uplink hop losing 2 of 3 echoes is the uplink', () => {
      expect(classify({ outcome: timeout, path: lossyPath({ uplink: lost(0.667) }) })).toEqual({ layer: 'uplink' });
      expect(classify({ outcome: timeout, path: lossyPath({ datacentre: lost(0.667) }) })).toEqual({ layer: 'uplink' });
      expect(
        classify({ outcome: fail('CW_ERR_PROBE_UNREACHABLE'), path: { at: 0, gateway: clean, uplink: lost(0.667) } }),
      ).toEqual({ layer: 'uplink' });
    });

    it('a timeout with the gateway losing 2 of 3 echoes is the LAN, the nearest cause', () => {
      expect(
        classify({
          outcome: timeout,
          path: lossyPath({ gateway: lost(0.667), uplink: lost(0.667), datacentre: lost(1 / 3) }),
        }),
      ).toEqual({ layer: 'lan' });
      expect(classify({ outcome: timeout, path: { at: 0, gateway: lost(0.667) } })).toEqual({ layer: 'lan' });
    });

    it('a lossy gateway with a hop beyond it that lost nothing only drops echoes to itself', () => {
      expect(classify({ outcome: timeout, path: lossyPath({ gateway: lost(0.667) }) })).toEqual({ layer: 'service' });
      expect(
        classify({
          outcome: timeout,
          path: lossyPath({ gateway: lost(0.667), uplink: clean, datacentre: lost(0.667) }),
        }),
      ).toEqual({ layer: 'uplink' });
    });

    it('one echo of three lost is noise on one hop, evidence on both hops beyond the gateway', () => {
      expect(classify({ outcome: timeout, path: lossyPath({ uplink: lost(0.333) }) })).toEqual({ layer: 'service' });
      expect(classify({ outcome: timeout, path: lossyPath({ gateway: lost(0.333) }) })).toEqual({ layer: 'service' });
      expect(classify({ outcome: timeout, path: lossyPath({ uplink: lost(0.333), datacentre: lost(0.333) }) })).toEqual(
        { layer: 'uplink' },
      );
      // A round cut short: 1 of 2 echoes lost is not "most".
      expect(classify({ outcome: timeout, path: lossyPath({ uplink: lost(0.5) }) })).toEqual({ layer: 'service' });
    });

    it('an HTTP 503 over a lossy uplink is the service: it answered', () => {
      const http503: ProbeOutcome = {
        ok: false,
        durationMs: 900,
        latencyMs: 900,
        error: { code: 'CW_ERR_PROBE_HTTP_STATUS', message: 'expected status 200, got 503 Service Unavailable' },
        http: { statusCode: 503, phases: { totalMs: 900 } },
      };
      const path = lossyPath({ gateway: lost(0.667), uplink: lost(0.667), datacentre: lost(0.667) });
      expect(classify({ outcome: http503, path })).toEqual({ layer: 'service' });
      expect(classify({ outcome: fail('CW_ERR_PROBE_TLS'), path })).toEqual({ layer: 'tls' });
      expect(classify({ outcome: http503, path, dependencies: [{ name: 'vneid-sso', ok: false }] })).toEqual({
        layer: 'service',
        blame: 'vneid-sso',
      });
    });

    it('a refused or reset connection is the far end answering, and a DNS error may be an answer: loss does not move them', () => {
      const path = lossyPath({ uplink: lost(0.667), datacentre: lost(0.667) });
      expect(classify({ outcome: fail('CW_ERR_PROBE_CONN_REFUSED'), path })).toEqual({ layer: 'service' });
      expect(classify({ outcome: fail('CW_ERR_PROBE_CONN_RESET'), path })).toEqual({ layer: 'service' });
      expect(classify({ outcome: fail('CW_ERR_PROBE_DNS'), path })).toEqual({ layer: 'dns' });
    });

    it('counts echoes lost, also in a round cut short that kept sending until its 3 replies (1 s path budget)', () => {
      expect(lostEchoes({ ok: true, lossRatio: 0 })).toBe(0);
      expect(lostEchoes({ ok: true })).toBe(0);
      expect(lostEchoes({ ok: false, lossRatio: 1 })).toBe(Infinity);
      // Three echoes: 1 or 2 lost.
      expect(lostEchoes({ ok: true, lossRatio: 0.333 })).toBe(1);
      expect(lostEchoes({ ok: true, lossRatio: 0.667 })).toBe(2);
      // Cut short: 1 of 4, 2 of 5, 3 of 5 (two replies before the deadline); 1 of 2 is the fewest for 0.5.
      expect(lostEchoes({ ok: true, lossRatio: 0.25 })).toBe(1);
      expect(lostEchoes({ ok: true, lossRatio: 0.4 })).toBe(2);
      expect(lostEchoes({ ok: true, lossRatio: 0.6 })).toBe(3);
      expect(lostEchoes({ ok: true, lossRatio: 0.5 })).toBe(1);
      // Lab, 60 % loss: 2 of 5 lost on the uplink alone is the uplink; 1 of 4 on both hops beyond too.
      expect(classify({ outcome: timeout, path: lossyPath({ uplink: lost(0.4) }) })).toEqual({ layer: 'uplink' });
      expect(classify({ outcome: timeout, path: lossyPath({ uplink: lost(0.25), datacentre: lost(0.25) }) })).toEqual({
        layer: 'uplink',
      });
      // One echo lost on one hop is still noise.
      expect(classify({ outcome: timeout, path: lossyPath({ uplink: lost(0.25) }) })).toEqual({ layer: 'service' });
    });

    it('a hop that lost every echo counts as lossy for the pair rule when the other hop answered with loss', () => {
      // Lab, 60 % loss (1 s path budget, rounds cut short): uplink 2 of 5 lost, data-centre hop silent.
      const dead = { ok: false, lossRatio: 1 };
      expect(classify({ outcome: timeout, path: lossyPath({ uplink: lost(0.4), datacentre: dead }) })).toEqual({
        layer: 'uplink',
      });
      expect(classify({ outcome: timeout, path: lossyPath({ uplink: dead, datacentre: lost(0.333) }) })).toEqual({
        layer: 'uplink',
      });
      expect(
        classify({ outcome: timeout, path: lossyPath({ gateway: dead, uplink: lost(0.4), datacentre: dead }) }),
      ).toEqual({ layer: 'uplink' });
      expect(classify({ outcome: timeout, path: lossyPath({ uplink: dead, datacentre: lost(0.25) }) })).toEqual({
        layer: 'uplink',
      });
      // The answering hop lost nothing: one dead hop is not loss (it may just ignore ping).
      expect(classify({ outcome: timeout, path: lossyPath({ uplink: clean, datacentre: dead }) })).toEqual({
        layer: 'service',
      });
      // Not a silent failure: refused is the far end answering.
      expect(
        classify({
          outcome: fail('CW_ERR_PROBE_CONN_REFUSED'),
          path: lossyPath({ uplink: lost(0.4), datacentre: dead }),
        }),
      ).toEqual({ layer: 'service' });
    });

    it('a transfer that started and then stalled or was cut is judged by the loss rules; an error status is not', () => {
      const path = lossyPath({ uplink: lost(0.667), datacentre: lost(0.333) });
      const partial = (code: string, statusCode: number): ProbeOutcome => ({
        ...fail(code),
        http: { statusCode, phases: { firstByteMs: 900 } },
      });
      // Headers then a body timeout, or the connection closed after some body bytes: the lossy path's.
      expect(classify({ outcome: partial('CW_ERR_PROBE_TIMEOUT', 200), path })).toEqual({ layer: 'uplink' });
      expect(classify({ outcome: partial('CW_ERR_PROBE_CONN_RESET', 200), path })).toEqual({ layer: 'uplink' });
      expect(
        classify({
          outcome: partial('CW_ERR_PROBE_TIMEOUT', 200),
          path: lossyPath({ gateway: lost(0.667), uplink: lost(0.333), datacentre: lost(0.333) }),
        }),
      ).toEqual({ layer: 'lan' });
      // A 503 whose body then stalled is still the vendor's verdict; so is a redirect the service got wrong.
      expect(classify({ outcome: partial('CW_ERR_PROBE_TIMEOUT', 503), path })).toEqual({ layer: 'service' });
      expect(classify({ outcome: partial('CW_ERR_PROBE_HTTP_PROTOCOL', 302), path })).toEqual({ layer: 'service' });
      // On a clean path the same stall is the service.
      expect(classify({ outcome: partial('CW_ERR_PROBE_TIMEOUT', 200), path: lossyPath({}) })).toEqual({
        layer: 'service',
      });
      // A transaction step that got its headers and then stalled, likewise.
      const tx: ProbeOutcome = {
        ...fail('CW_ERR_PROBE_TIMEOUT'),
        transaction: { steps: [{ name: 'submit', ok: false, durationMs: 5, statusCode: 200 }], failedStep: 'submit' },
      };
      expect(classify({ outcome: tx, path })).toEqual({ layer: 'uplink' });
    });

    it('a timeout with no loss on the path stays on the service, as before', () => {
      expect(classify({ outcome: timeout, path: lossyPath({}) })).toEqual({ layer: 'service' });
      expect(classify({ outcome: timeout, path: healthyPath })).toEqual({ layer: 'service' });
    });

    it('a dead hop is judged by the rules before loss: one of two beyond-hops dead is not an uplink cut', () => {
      expect(classify({ outcome: timeout, path: lossyPath({ datacentre: { ok: false, lossRatio: 1 } }) })).toEqual({
        layer: 'service',
      });
      // A silent transaction step is a silent failure; a step that answered is not.
      const step = (name: string, statusCode?: number) => ({
        name,
        ok: false,
        durationMs: 5,
        ...(statusCode === undefined ? {} : { statusCode }),
      });
      const path = lossyPath({ uplink: lost(0.667) });
      expect(
        classify({
          outcome: { ...timeout, transaction: { steps: [step('login', 200), step('submit')], failedStep: 'submit' } },
          path,
        }),
      ).toEqual({ layer: 'uplink' });
      expect(
        classify({
          outcome: { ...timeout, transaction: { steps: [step('submit', 502)], failedStep: 'submit' } },
          path,
        }),
      ).toEqual({ layer: 'service' });
    });
  });

  describe('an answer from the service proves the path to it', () => {
    const gatewayDown: PathSnapshot = { ...healthyPath, gateway: down };
    const cutOff: PathSnapshot = { ...healthyPath, gateway: down, uplink: down, datacentre: down };
    const http404: ProbeOutcome = {
      ok: false,
      durationMs: 40,
      latencyMs: 40,
      error: { code: 'CW_ERR_PROBE_HTTP_STATUS', message: 'expected status 200, got 404 Not Found' },
      http: { statusCode: 404, phases: { totalMs: 40 } },
    };

    it('HTTP 404 while the gateway ignores ping is the service, not the LAN', () => {
      expect(classify({ outcome: http404, path: gatewayDown })).toEqual({ layer: 'service' });
    });

    it('path hop failures never override an answer: service, tls, or the blamed dependency', () => {
      expect(classify({ outcome: http404, path: cutOff })).toEqual({ layer: 'service' });
      expect(classify({ outcome: fail('CW_ERR_PROBE_HTTP_KEYWORD'), path: cutOff })).toEqual({ layer: 'service' });
      expect(
        classify({ outcome: fail('CW_ERR_PROBE_HTTP_JSON'), path: { ...healthyPath, uplink: down, datacentre: down } }),
      ).toEqual({ layer: 'service' });
      expect(classify({ outcome: fail('CW_ERR_PROBE_TLS'), path: cutOff })).toEqual({ layer: 'tls' });
      expect(
        classify({ outcome: http404, path: gatewayDown, dependencies: [{ name: 'vneid-sso', ok: false }] }),
      ).toEqual({ layer: 'service', blame: 'vneid-sso' });
    });

    it('a status code proves the path whatever the error: a body cut off after the headers, a transaction step', () => {
      const cutBody: ProbeOutcome = { ...fail('CW_ERR_PROBE_CONN_RESET'), http: { statusCode: 200, phases: {} } };
      expect(classify({ outcome: cutBody, path: gatewayDown })).toEqual({ layer: 'service' });
      const step = (name: string, statusCode?: number) => ({
        name,
        ok: false,
        durationMs: 5,
        ...(statusCode === undefined ? {} : { statusCode }),
      });
      const answeredStep: ProbeOutcome = {
        ...fail('CW_ERR_PROBE_TIMEOUT'),
        transaction: { steps: [step('login', 200), step('submit', 200)], failedStep: 'submit' },
      };
      expect(classify({ outcome: answeredStep, path: cutOff })).toEqual({ layer: 'service' });
      // Only the failed step's own answer counts: an earlier step answered before the link went down.
      const silentStep: ProbeOutcome = {
        ...fail('CW_ERR_PROBE_TIMEOUT'),
        transaction: { steps: [step('login', 200), step('submit')], failedStep: 'submit' },
      };
      expect(classify({ outcome: silentStep, path: cutOff })).toEqual({ layer: 'lan' });
    });

    it('nothing answered: nearest cause first still holds', () => {
      // Gateway and uplink both silent (no data-centre hop configured): the LAN, not the uplink.
      expect(
        classify({
          outcome: fail('CW_ERR_PROBE_TIMEOUT'),
          path: { at: 0, gateway: down, resolvers: up, uplink: down },
        }),
      ).toEqual({ layer: 'lan' });
      expect(classify({ outcome: fail('CW_ERR_PROBE_CONN_REFUSED'), path: cutOff })).toEqual({ layer: 'lan' });
      expect(
        classify({
          outcome: fail('CW_ERR_PROBE_UNREACHABLE'),
          path: { ...healthyPath, uplink: down, datacentre: down },
        }),
      ).toEqual({ layer: 'uplink' });
    });

    it('a gateway that fails while the hops beyond it answer only ignores ping: not lan', () => {
      expect(classify({ outcome: fail('CW_ERR_PROBE_TIMEOUT'), path: gatewayDown })).toEqual({ layer: 'service' });
      expect(classify({ outcome: fail('CW_ERR_PROBE_DNS'), path: gatewayDown })).toEqual({ layer: 'dns' });
      // One hop beyond answering is enough to show the LAN carries traffic.
      expect(
        classify({ outcome: fail('CW_ERR_PROBE_TIMEOUT'), path: { ...healthyPath, gateway: down, datacentre: down } }),
      ).toEqual({ layer: 'service' });
    });
  });
});

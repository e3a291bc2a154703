/** Fault-layer rules, one case per layer and per precedence between them. */
import { describe, expect, it } from 'vitest';
import { classify, type PathSnapshot } from '../../../agent/path/classify.js';
import type { ProbeOutcome } from '../../../protocol/wire.js';

const up = { ok: true };
const down = { ok: false };
const healthyPath: PathSnapshot = { at: 0, gateway: up, resolvers: up, uplink: up, datacentre: up };
const fail = (code: string): ProbeOutcome => ({ ok: false, durationMs: 10, error: { code, message: 'x' } });
const success = (latencyMs: number): ProbeOutcome => ({ ok: true, durationMs: latencyMs, latencyMs });

describe('classify', () => {
  it.each([
    ['lan: the gateway does not answer', fail('CW_ERR_PROBE_TIMEOUT'), { ...healthyPath, gateway: down, uplink: down, datacentre: down }, 'lan'],
    ['lan wins over a DNS error it explains', fail('CW_ERR_PROBE_DNS'), { ...healthyPath, gateway: down }, 'lan'],
    ['uplink: gateway fine, nothing beyond', fail('CW_ERR_PROBE_TIMEOUT'), { ...healthyPath, uplink: down, datacentre: down, resolvers: down }, 'uplink'],
    ['uplink wins over the DNS failure it causes', fail('CW_ERR_PROBE_DNS'), { ...healthyPath, uplink: down, datacentre: down, resolvers: down }, 'uplink'],
    ['dns: the name fails while addresses work', fail('CW_ERR_PROBE_DNS'), { ...healthyPath, resolvers: down }, 'dns'],
    ['dns: no answer of the asked type', fail('CW_ERR_PROBE_DNS_NO_ANSWER'), healthyPath, 'dns'],
    ['tls: certificate or handshake', fail('CW_ERR_PROBE_TLS'), healthyPath, 'tls'],
    ['service: network fine, service fails', fail('CW_ERR_PROBE_HTTP_STATUS'), healthyPath, 'service'],
    ['service: one of two beyond-hops down is not an uplink cut', fail('CW_ERR_PROBE_CONN_REFUSED'), { ...healthyPath, datacentre: down }, 'service'],
    ['service: no path configured at all', fail('CW_ERR_PROBE_TIMEOUT'), undefined, 'service'],
    ['service: only the gateway known, and it is fine', fail('CW_ERR_PROBE_TIMEOUT'), { at: 0, gateway: up }, 'service'],
  ])('%s', (_name, outcome, path, layer) => {
    expect(classify({ outcome, path })).toEqual({ layer });
  });

  it('a failing DNS probe is a DNS fault whatever its error, unless the network explains it', () => {
    expect(classify({ outcome: fail('CW_ERR_PROBE_TIMEOUT'), kind: 'dns', path: healthyPath })).toEqual({ layer: 'dns' });
    expect(classify({ outcome: fail('CW_ERR_PROBE_CONN_REFUSED'), kind: 'dns', path: healthyPath })).toEqual({ layer: 'dns' });
    expect(classify({ outcome: fail('CW_ERR_PROBE_TIMEOUT'), kind: 'dns', path: { ...healthyPath, gateway: down } })).toEqual({ layer: 'lan' });
  });

  it('places no layer on a credentials problem of the agent host (nothing was sent)', () => {
    expect(classify({ outcome: fail('CW_ERR_PROBE_CREDENTIALS'), path: { ...healthyPath, gateway: down } })).toEqual({});
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
    expect(classify({ outcome: fail('CW_ERR_PROBE_HTTP_STATUS'), path: healthyPath, dependencies })).toEqual({ layer: 'service', blame: 'vneid-sso' });
    // Unknown (not yet probed) dependencies are not blamed; a network fault beats any blame.
    expect(classify({ outcome: fail('CW_ERR_PROBE_HTTP_STATUS'), path: healthyPath, dependencies: [{ name: 'x', ok: undefined }] })).toEqual({ layer: 'service' });
    expect(classify({ outcome: fail('CW_ERR_PROBE_TIMEOUT'), path: { ...healthyPath, gateway: down }, dependencies })).toEqual({ layer: 'lan' });
  });
});

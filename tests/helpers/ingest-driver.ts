/**
 * Drives a built app through its real ingest API with an injected clock: agents for a list of communes,
 * results with sequence numbers, one batch per call. Used by the incident and alert scenarios.
 */
import { expect } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { App } from '../../server/app.js';
import type { Store } from '../../server/store/store.js';
import { createAgentToken } from '../../server/auth/agent-tokens.js';
import type { AgentStatus, ProbeResult } from '../../protocol/wire.js';

export const MIN = 60_000;
export type Layer = 'lan' | 'uplink' | 'dns' | 'service' | 'tls' | 'slow';
export interface ResultOptions {
  service?: string;
  layer?: Layer;
  role?: string;
  kind?: ProbeResult['kind'];
  latencyMs?: number;
  /** ICMP: the share of echoes lost (sent 10). */
  lossRatio?: number;
}

export class IngestDriver {
  private readonly tokens = new Map<string, string>();
  private readonly seqs = new Map<string, number>();

  constructor(
    private readonly built: App,
    store: Store,
    communes: readonly string[],
    private readonly clock: { now: number },
  ) {
    for (const c of communes)
      this.tokens.set(c, createAgentToken(store, { commune: c, name: `agent-${c}`, now: clock.now }).token);
  }

  result(commune: string, target: string, ts: number, ok: boolean, opts: ResultOptions = {}): ProbeResult {
    const seq = (this.seqs.get(commune) ?? 0) + 1;
    this.seqs.set(commune, seq);
    return {
      id: randomUUID(),
      seq,
      ts,
      target,
      kind: opts.kind ?? 'http',
      service: opts.service ?? 'one-stop-shop',
      ok,
      durationMs: 120,
      latencyMs: opts.latencyMs ?? 120,
      role: opts.role ?? 'service',
      ...(opts.layer && { layer: opts.layer }),
      ...(opts.lossRatio !== undefined && {
        icmp: { sent: 10, received: Math.round(10 * (1 - opts.lossRatio)), lossRatio: opts.lossRatio },
      }),
      ...(!ok && { error: { code: 'CW_ERR_PROBE_HTTP_STATUS', message: 'status 503' } }),
    };
  }

  async push(commune: string, results: ProbeResult[], agent: AgentStatus = {}): Promise<void> {
    const res = await this.built.app.inject({
      method: 'POST',
      url: '/api/v1/ingest',
      headers: { authorization: `Bearer ${this.tokens.get(commune)}`, 'content-type': 'application/json' },
      payload: {
        v: 1,
        batchId: randomUUID(),
        commune,
        sentAt: this.clock.now,
        agent: { probeIntervalSec: 60, ...agent },
        results,
      },
    });
    expect(res.statusCode, res.body).toBe(200);
  }

  /** One result a minute from `from`, `count` rounds, each pushed at its own time. */
  async rounds(
    commune: string,
    target: string,
    from: number,
    count: number,
    ok: boolean,
    opts: ResultOptions = {},
  ): Promise<void> {
    for (let i = 0; i < count; i++) {
      this.clock.now = from + i * MIN;
      await this.push(commune, [this.result(commune, target, this.clock.now, ok, opts)]);
    }
  }
}

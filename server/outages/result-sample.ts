/** A stored result as the state machine and the evidence see it. */
import type { ResultToStore } from '../store/store.js';
import type { TargetRow } from '../store/incident-store.js';
import type { EvidenceRow } from './incident.js';
import { sampleCause } from './membership.js';
import type { Sample } from './target-machine.js';

export function toSample(r: ResultToStore, networkCheck: boolean): Sample {
  const loss = r.icmp?.lossRatio;
  const slow = r.layer === 'slow';
  const bad = r.ok && slow;
  const latency = r.latencyMs !== undefined ? ` ${Math.round(r.latencyMs)} ms` : '';
  const status = r.http?.statusCode !== undefined ? ` HTTP ${r.http.statusCode}` : '';
  const lossText = loss !== undefined && loss > 0 ? ` loss ${Math.round(loss * 100)}%` : '';
  const error = r.error ? ` ${r.error.code}: ${r.error.message}` : '';
  const layer = r.layer ? ` [${r.layer}]` : '';
  // The machine relabels OK as LOSSY or SLOW when it judges the check bad: a lossy echo is not slow.
  const verdict = !r.ok ? 'FAIL' : slow ? 'SLOW' : 'OK';
  return {
    id: r.id,
    ts: r.ts,
    ok: r.ok,
    bad,
    cause: sampleCause(networkCheck, r.ok, r.layer),
    ...(r.layer !== undefined && { layer: r.layer }),
    ...(r.error?.code !== undefined && { errorCode: r.error.code }),
    ...(r.latencyMs !== undefined && { latencyMs: r.latencyMs }),
    ...(loss !== undefined && { lossRatio: loss, sent: r.icmp!.sent }),
    summary: `${verdict} ${r.kind}${status}${latency}${lossText}${layer}${error}`.slice(0, 500),
  };
}

export function evidence(target: TargetRow, s: Sample): EvidenceRow {
  return {
    resultId: s.id,
    commune: target.commune,
    target: target.name,
    ts: s.ts,
    ok: s.ok,
    layer: s.layer ?? null,
    errorCode: s.errorCode ?? null,
    summary: s.summary,
  };
}

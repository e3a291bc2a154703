/**
 * Turning an authenticated batch into stored results. Domain logic only (no fastify): clock-skew
 * correction and the store call; the route maps outcomes to HTTP.
 *
 * Clock skew, Zabbix-style: skew = receive time − the agent's sentAt. Commune PCs often run with a wrong
 * clock (dead CMOS battery, no NTP through the government network); when |skew| exceeds the threshold,
 * every result's ts is shifted by the skew and the agent's own value is kept as agentTs. Below the
 * threshold the difference is mostly transit time and is left alone.
 *
 * Transit is not always small: a push begun during a cut waits in TCP's connection retries and arrives
 * when the link heals, a minute after its sentAt (seen in the lab: 53 s), and a big batch over a congested
 * link takes as long to upload. Transit only ever adds, so a measurement more than the threshold above the
 * agent's previous one is taken as transit for this batch (the previous skew is applied); a real change
 * of the agent's clock shows again at its next push and is applied from then on.
 */
import type { AgentRecord, IngestOutcome, ResultToStore, Store } from '../store/store.js';
import type { IngestAck, IngestBatch } from '../../protocol/wire.js';
import { WIRE_VERSION } from '../../protocol/wire.js';
import { ErrorCode, HttpError } from '../errors.js';
import type { IncidentEngine } from '../outages/incident-engine.js';

export interface IngestServiceDeps {
  store: Store;
  /** Fed each batch's new results inside the same transaction, so no result is stored without being judged. */
  incidents?: IncidentEngine;
  now: () => number;
  /** Correct timestamps only when |skew| exceeds this (ms). */
  skewThresholdMs: number;
}

export interface IngestResult {
  ack: IngestAck;
  outcome: IngestOutcome;
}

export function ingestBatch(deps: IngestServiceDeps, agent: AgentRecord, batch: IngestBatch): IngestResult {
  if (batch.v > WIRE_VERSION) {
    throw new HttpError(
      400,
      ErrorCode.INGEST_WIRE_VERSION,
      `body/v ${batch.v} is newer than this server understands (${WIRE_VERSION}); upgrade the server`,
    );
  }
  if (batch.commune !== agent.commune) {
    throw new HttpError(
      403,
      ErrorCode.INGEST_COMMUNE_MISMATCH,
      `this token belongs to commune ${agent.commune}, not ${batch.commune}`,
    );
  }
  const seen = new Set<string>();
  for (const part of ['results', 'health', 'inventory'] as const) {
    for (const [i, r] of (batch[part] ?? []).entries()) {
      if (seen.has(r.id))
        throw new HttpError(
          400,
          ErrorCode.INGEST_DUPLICATE_RESULT,
          `body/${part}/${i}/id repeats record id ${r.id} within the batch`,
        );
      seen.add(r.id);
    }
  }
  const receivedAt = deps.now();
  const measuredSkewMs = Math.round(receivedAt - batch.sentAt);
  const skewMs = plausibleSkew(measuredSkewMs, agent.lastSkewMs ?? null, deps.skewThresholdMs);
  const clockCorrected = Math.abs(skewMs) > deps.skewThresholdMs;
  const correct = <T extends { ts: number }>(r: T): T & { agentTs: number } => ({
    ...r,
    agentTs: r.ts,
    ts: clockCorrected ? r.ts + skewMs : r.ts,
  });
  const results: ResultToStore[] = batch.results.map(correct);
  const input = {
    agentId: agent.id,
    commune: agent.commune,
    batchId: batch.batchId,
    receivedAt,
    // The raw measurement is what the next batch is compared with.
    skewMs: measuredSkewMs,
    status: batch.agent,
    results,
    health: batch.health?.map(correct),
    inventory: batch.inventory?.map(correct),
  };
  const engine = deps.incidents;
  const outcome = engine
    ? deps.store.transaction(() => {
        const stored = deps.store.ingestBatch(input);
        // A replay stores nothing new, but the agent did reach us: that ends a silence all the same.
        engine.observe({
          agentId: agent.id,
          commune: agent.commune,
          receivedAt,
          results: stored.storedResults,
          outboxPending: batch.agent?.outboxPending,
          batchRecords: results.length + (input.health?.length ?? 0) + (input.inventory?.length ?? 0),
          probeIntervalSec: batch.agent?.probeIntervalSec,
        });
        return stored;
      })
    : deps.store.ingestBatch(input);
  return {
    outcome,
    ack: {
      batchId: batch.batchId,
      stored: outcome.stored,
      duplicates: outcome.duplicates,
      replay: outcome.replay,
      serverTime: receivedAt,
      skewMs,
      clockCorrected,
    },
  };
}

/** The skew to apply: this batch's measurement, unless it jumped up by more than the threshold (transit). */
export function plausibleSkew(measuredMs: number, previousMs: number | null, thresholdMs: number): number {
  if (previousMs === null || measuredMs <= previousMs + thresholdMs) return measuredMs;
  return previousMs;
}

/**
 * Prometheus metrics, one Registry per app instance (tests build many apps in one process).
 *
 * Probe metrics follow blackbox_exporter's names under the `communewatch_` prefix and are computed at
 * scrape time from LiveState; labels are low-cardinality (commune, service, target, kind — never error
 * text). Ingest metrics are ordinary counters/histograms updated by the ingest route.
 */
import client from 'prom-client';
import { CLS_BOUNDS, TIMING_BOUNDS_MS } from '../rum/vitals.js';
import type { Summary } from '../dossiers/attribution-report.js';
import type { Store } from '../store/store.js';
import type { LiveState, LiveTarget } from './live-state.js';
import { registerSystemGauges } from './system-metrics.js';
import { registerSampledGauges, type SampledGauge } from './sampled-gauges.js';
import { isDownNow } from '../outages/incident.js';

const PROBE_LABELS = ['commune', 'service', 'target', 'kind'] as const;
type ProbeLabels = Record<(typeof PROBE_LABELS)[number], string>;

type ProbeGauge = SampledGauge<LiveTarget>;

const sec = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : ms / 1000);

const PROBE_GAUGES: ProbeGauge[] = [
  {
    name: 'communewatch_probe_success',
    help: '1 if the latest probe round succeeded, else 0',
    sample: (t) => (t.result.ok ? 1 : 0),
  },
  {
    name: 'communewatch_probe_duration_seconds',
    help: 'Wall time of the latest probe round',
    sample: (t) => t.result.durationMs / 1000,
  },
  {
    name: 'communewatch_probe_latency_seconds',
    help: 'Headline latency of the latest round (HTTP total, TCP connect, DNS resolve, ICMP mean RTT)',
    sample: (t) => sec(t.result.latencyMs),
  },
  {
    name: 'communewatch_probe_last_timestamp_seconds',
    help: 'Start time of the latest stored round (server-corrected clock)',
    sample: (t) => t.result.ts / 1000,
  },
  {
    name: 'communewatch_probe_fault_layer',
    help:
      "Where the latest round failed (or was slow), as judged by the agent from the same round's path checks: " +
      '1 for the layer (lan, uplink, dns, service, tls, slow); absent when healthy',
    extraLabels: ['layer'],
    sample: (t) => (t.result.layer ? [[{ layer: t.result.layer }, 1]] : undefined),
  },
  {
    name: 'communewatch_probe_http_status_code',
    help: 'HTTP status code of the latest round (0 when no response)',
    sample: (t) => (t.result.http ? (t.result.http.statusCode ?? 0) : undefined),
  },
  {
    name: 'communewatch_probe_http_duration_seconds',
    help: 'Duration of each HTTP phase in the latest round, summed over redirects',
    extraLabels: ['phase'],
    sample: (t) => {
      const p = t.result.http?.phases;
      if (!p) return undefined;
      const phases: Array<[string, number | undefined]> = [
        ['resolve', p.resolveMs],
        ['connect', p.connectMs],
        ['tls', p.tlsMs],
        ['processing', p.processingMs],
        ['transfer', p.transferMs],
      ];
      return phases.filter(([, v]) => v !== undefined).map(([phase, v]) => [{ phase }, v! / 1000]);
    },
  },
  {
    name: 'communewatch_probe_ssl_earliest_cert_expiry',
    help: 'Earliest certificate expiry in the chain, unix seconds',
    sample: (t) => sec(t.result.http?.certExpiresAt),
  },
  {
    name: 'communewatch_probe_icmp_packet_loss_ratio',
    help: 'Share of echo requests lost in the latest round (0..1)',
    sample: (t) => t.result.icmp?.lossRatio,
  },
  {
    name: 'communewatch_probe_icmp_packets_sent',
    help: 'Echo requests sent in the latest round',
    sample: (t) => t.result.icmp?.sent,
  },
  {
    name: 'communewatch_probe_icmp_packets_received',
    help: 'Echo replies received in the latest round',
    sample: (t) => t.result.icmp?.received,
  },
  {
    name: 'communewatch_probe_icmp_duration_seconds',
    help: 'Mean echo round-trip time of the latest round',
    extraLabels: ['phase'],
    sample: (t) =>
      t.result.icmp?.rttAvgMs === undefined ? undefined : [[{ phase: 'rtt' }, t.result.icmp.rttAvgMs / 1000]],
  },
  {
    name: 'communewatch_probe_icmp_duration_rtt_min_seconds',
    help: 'Minimum echo round-trip time of the latest round',
    sample: (t) => sec(t.result.icmp?.rttMinMs),
  },
  {
    name: 'communewatch_probe_icmp_duration_rtt_max_seconds',
    help: 'Maximum echo round-trip time of the latest round',
    sample: (t) => sec(t.result.icmp?.rttMaxMs),
  },
  {
    name: 'communewatch_probe_icmp_jitter_seconds',
    help: 'Mean absolute difference of consecutive round-trip times in the latest round',
    sample: (t) => sec(t.result.icmp?.jitterMs),
  },
  {
    name: 'communewatch_probe_dns_lookup_time_seconds',
    help: 'DNS resolution time of the latest round',
    sample: (t) => sec(t.result.dns?.resolveMs),
  },
  {
    name: 'communewatch_probe_dns_answer_rrs',
    help: 'Answer records returned in the latest round',
    sample: (t) => t.result.dns?.answers.length,
  },
];

export interface Metrics {
  registry: client.Registry;
  ingestRequests: client.Counter<'outcome'>;
  ingestResults: client.Counter<'outcome'>;
  ingestBatchSeconds: client.Histogram;
  ingestBatchResults: client.Histogram;
  notifications: client.Counter<'channel' | 'outcome'>;
  rumRequests: client.Counter<'outcome'>;
  rumErrors: client.Counter<'app' | 'commune'>;
  rumVitals: client.Histogram<'app' | 'metric'>;
  rumCls: client.Histogram<'app'>;
}

export function createMetrics(deps: { live: LiveState; store: Store; dossierOverdue?: () => Summary[] }): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  // prom-client exports these gauges with a `_total` suffix, which promtool (rightly) rejects for
  // non-counters; the same figures remain available per type as nodejs_active_{handles,requests,resources}.
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
    registry.removeSingleMetric(name);
  }

  registerSampledGauges(registry, PROBE_GAUGES, {
    labelNames: PROBE_LABELS,
    items: () => deps.live.values(),
    labels: (t): ProbeLabels => ({ commune: t.commune, service: t.service, target: t.target, kind: t.kind }),
  });

  // One store query per scrape shared by the agent gauges: prom-client collects metrics in registration
  // order, so the first agent gauge refreshes the snapshot and the others reuse it.
  type AgentRow = ReturnType<Store['listAgents']>[number];
  let agents: AgentRow[] = [];
  const agentGauge = (name: string, help: string, value: (a: AgentRow) => number | undefined, refresh = false) =>
    new client.Gauge({
      name,
      help,
      labelNames: ['commune', 'agent'],
      registers: [registry],
      collect() {
        if (refresh) agents = deps.store.listAgents().filter((a) => a.revokedAt === null);
        this.reset();
        for (const a of agents) {
          const v = value(a);
          if (v !== undefined) this.set({ commune: a.commune, agent: a.name }, v);
        }
      },
    });
  agentGauge(
    'communewatch_agent_last_push_timestamp_seconds',
    'When the agent last delivered a batch, unix seconds',
    (a) => (a.lastPushAt === null ? undefined : a.lastPushAt / 1000),
    true,
  );
  agentGauge(
    'communewatch_agent_clock_skew_seconds',
    'Server receive time minus agent send time at the last push',
    (a) => (a.lastSkewMs === null ? undefined : a.lastSkewMs / 1000),
  );
  agentGauge(
    'communewatch_agent_outbox_pending_results',
    'Results waiting in the agent outbox at its last push',
    (a) => a.lastStatus?.outboxPending,
  );
  agentGauge(
    'communewatch_agent_outbox_dropped_results',
    'Results the agent outbox discarded over its size/age bounds (cumulative)',
    (a) => a.lastStatus?.outboxDroppedTotal,
  );
  agentGauge(
    'communewatch_agent_outbox_dead_lettered_results',
    'Results the agent parked because the server refused their batch (HTTP 400)',
    (a) => a.lastStatus?.outboxDeadLettered,
  );
  agentGauge(
    'communewatch_agent_missing_results',
    'Sequence numbers below the highest received that were neither stored nor reported dropped or parked',
    (a) =>
      Math.max(
        0,
        a.maxSeq -
          a.resultsReceived -
          (a.lastStatus?.outboxDroppedTotal ?? 0) -
          (a.lastStatus?.outboxDeadLettered ?? 0),
      ),
  );

  registerSystemGauges(registry, deps.live);

  new client.Gauge({
    name: 'communewatch_dossiers_overdue',
    help:
      'Dossiers due in the last 30 days that were or are overdue, by commune and verdict (outage, partly-outage, not-outage); ' +
      'recomputed every few minutes',
    labelNames: ['commune', 'verdict'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of deps.dossierOverdue?.() ?? []) {
        this.set({ commune: s.key, verdict: 'outage' }, s.outage);
        this.set({ commune: s.key, verdict: 'partly-outage' }, s.partlyOutage);
        this.set({ commune: s.key, verdict: 'not-outage' }, s.notOutage);
      }
    },
  });

  new client.Gauge({
    name: 'communewatch_incidents_open',
    help:
      'Open incidents by cause, scope and current severity: down while a down span is open, else degraded ' +
      '(merged, superseded and deleted ones excluded)',
    labelNames: ['cause', 'scope', 'severity'],
    registers: [registry],
    collect() {
      this.reset();
      for (const i of deps.store.incidents.list({ openOnly: true, limit: 100_000 })) {
        if (i.mergedInto === null && !i.superseded)
          this.inc({ cause: i.cause, scope: i.scope, severity: isDownNow(i) ? 'down' : 'degraded' });
      }
    },
  });

  return {
    registry,
    rumRequests: new client.Counter({
      name: 'communewatch_rum_requests_total',
      help: 'Faro collector requests by outcome (accepted, duplicate, sampled-out, bad-key, cors, rate-limited, too-large, bad-payload)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    rumErrors: new client.Counter({
      name: 'communewatch_rum_errors_total',
      help: "JavaScript exceptions reported by users' browsers, by app and commune (unknown when unresolved)",
      labelNames: ['app', 'commune'],
      registers: [registry],
    }),
    rumVitals: new client.Histogram({
      name: 'communewatch_rum_web_vital_seconds',
      help: "Web vitals measured in users' browsers (lcp, inp, ttfb, fcp), seconds",
      labelNames: ['app', 'metric'],
      buckets: TIMING_BOUNDS_MS.map((ms) => ms / 1000),
      registers: [registry],
    }),
    rumCls: new client.Histogram({
      name: 'communewatch_rum_cls',
      help: "Cumulative layout shift measured in users' browsers (unitless)",
      labelNames: ['app'],
      buckets: CLS_BOUNDS,
      registers: [registry],
    }),
    notifications: new client.Counter({
      name: 'communewatch_notifications_total',
      help: 'Notification send attempts by channel and outcome (sent, retry, dead = given up)',
      labelNames: ['channel', 'outcome'],
      registers: [registry],
    }),
    ingestRequests: new client.Counter({
      name: 'communewatch_ingest_requests_total',
      help: 'Ingest requests by outcome (stored, replay, or the rejecting status code)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    ingestResults: new client.Counter({
      name: 'communewatch_ingest_results_total',
      help: 'Results received, by outcome (stored or duplicate)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    ingestBatchSeconds: new client.Histogram({
      name: 'communewatch_ingest_batch_duration_seconds',
      help: 'Time to store one batch (one SQLite transaction)',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    ingestBatchResults: new client.Histogram({
      name: 'communewatch_ingest_batch_results',
      help: 'Records (results, PC health samples, inventories) per ingested batch',
      buckets: [1, 5, 10, 50, 100, 500, 1000, 5000],
      registers: [registry],
    }),
  };
}

/**
 * The `incidents:` section of the server config: when a target counts as down or degraded, when many
 * communes make a central incident, and when an agent counts as silent. Every threshold can be set per
 * service class under `services:` (e-signing may deserve a faster trigger than the portal).
 */
import Type, { type Static } from 'typebox';
import { DEFAULT_THRESHOLDS, type Thresholds } from './target-machine.js';

const strict = { additionalProperties: false } as const;

const ThresholdFields = {
  failuresToOpen: Type.Integer({
    minimum: 1,
    maximum: 100,
    description: 'failed results in a row before a target is down',
  }),
  successesToClose: Type.Integer({ minimum: 1, maximum: 100, description: 'successes in a row before it is up again' }),
  degradedAfter: Type.Integer({
    minimum: 1,
    maximum: 100,
    description: 'slow or lossy successes in a row before degraded',
  }),
  lossRatioDegraded: Type.Number({
    minimum: 0,
    maximum: 1,
    description: 'ICMP loss ratio from which a success counts as degraded',
  }),
  lossMinEchoes: Type.Integer({
    minimum: 1,
    maximum: 100_000,
    description: 'echoes loss is judged over (one 3-echo check losing one is noise)',
  }),
  latencyFactorDegraded: Type.Number({
    minimum: 1.1,
    maximum: 1000,
    description: "latency this many times the target's usual latency at that hour counts as degraded",
  }),
  latencyMinExcessMs: Type.Integer({
    minimum: 0,
    maximum: 600_000,
    description: '…when it is also this many ms above it',
  }),
  baselineMinSamples: Type.Integer({
    minimum: 1,
    maximum: 10_000,
    description: 'good results at an hour of the day before its baseline is trusted',
  }),
  degradedHoldSec: Type.Integer({
    minimum: 0,
    maximum: 86_400,
    description:
      'a network check that was only degraded stays in its incident this long after recovering (one congested afternoon, one incident)',
  }),
  flap: Type.Object(
    {
      changes: Type.Integer({ minimum: 2, maximum: 1000 }),
      windowSec: Type.Integer({ minimum: 60, maximum: 86_400 }),
      stableSec: Type.Integer({
        minimum: 0,
        maximum: 86_400,
        description: 'a flapping target must stay up this long before its incident closes',
      }),
    },
    strict,
  ),
};

const Overrides = Type.Object(
  Object.fromEntries(Object.entries(ThresholdFields).map(([k, v]) => [k, Type.Optional(v)])) as {
    [K in keyof typeof ThresholdFields]: ReturnType<typeof Type.Optional<(typeof ThresholdFields)[K]>>;
  },
  strict,
);

export const IncidentConfigSchema = Type.Object(
  {
    failuresToOpen: Type.Integer({ ...ThresholdFields.failuresToOpen, default: DEFAULT_THRESHOLDS.failuresToOpen }),
    successesToClose: Type.Integer({
      ...ThresholdFields.successesToClose,
      default: DEFAULT_THRESHOLDS.successesToClose,
    }),
    degradedAfter: Type.Integer({ ...ThresholdFields.degradedAfter, default: DEFAULT_THRESHOLDS.degradedAfter }),
    lossRatioDegraded: Type.Number({
      ...ThresholdFields.lossRatioDegraded,
      default: DEFAULT_THRESHOLDS.lossRatioDegraded,
    }),
    lossMinEchoes: Type.Integer({ ...ThresholdFields.lossMinEchoes, default: DEFAULT_THRESHOLDS.lossMinEchoes }),
    latencyFactorDegraded: Type.Number({
      ...ThresholdFields.latencyFactorDegraded,
      default: DEFAULT_THRESHOLDS.latencyFactorDegraded,
    }),
    latencyMinExcessMs: Type.Integer({
      ...ThresholdFields.latencyMinExcessMs,
      default: DEFAULT_THRESHOLDS.latencyMinExcessMs,
    }),
    baselineMinSamples: Type.Integer({
      ...ThresholdFields.baselineMinSamples,
      default: DEFAULT_THRESHOLDS.baselineMinSamples,
    }),
    degradedHoldSec: Type.Integer({ ...ThresholdFields.degradedHoldSec, default: DEFAULT_THRESHOLDS.degradedHoldSec }),
    flap: Type.Object(ThresholdFields.flap.properties, { ...strict, default: DEFAULT_THRESHOLDS.flap }),
    central: Type.Object(
      {
        minCommunes: Type.Integer({
          minimum: 2,
          maximum: 10_000,
          default: 3,
          description: 'communes failing together that make a central incident',
        }),
        minShare: Type.Number({
          minimum: 0,
          maximum: 1,
          default: 0.3,
          description: '…or this share of the communes probing the service',
        }),
        minCommunesForShare: Type.Integer({
          minimum: 2,
          maximum: 10_000,
          default: 2,
          description: 'the share rule needs at least this many',
        }),
        overlapSec: Type.Integer({
          minimum: 0,
          maximum: 86_400,
          default: 600,
          description: 'failures this close in time count as together',
        }),
      },
      { ...strict, default: {} },
    ),
    agentSilent: Type.Object(
      {
        afterIntervals: Type.Number({
          minimum: 1,
          maximum: 100,
          default: 3,
          description: 'an agent is silent after this many of its probe intervals without a push',
        }),
        minSec: Type.Integer({ minimum: 30, maximum: 86_400, default: 180 }),
        checkEverySec: Type.Integer({ minimum: 5, maximum: 3600, default: 30 }),
      },
      { ...strict, default: {} },
    ),
    /** Evidence results kept per incident (the first failures, changes of commune, the recovery). */
    evidencePerIncident: Type.Integer({ minimum: 1, maximum: 10_000, default: 50 }),
    services: Type.Record(Type.String({ pattern: '^[a-z][a-z0-9-]{0,63}$' }), Overrides, { default: {} }),
  },
  { ...strict, default: {} },
);
export type IncidentConfig = Static<typeof IncidentConfigSchema>;

/** The thresholds for one service class: its overrides on top of the global values. */
export function thresholdsFor(config: IncidentConfig, service: string): Thresholds {
  const o = config.services[service] ?? {};
  return {
    failuresToOpen: o.failuresToOpen ?? config.failuresToOpen,
    successesToClose: o.successesToClose ?? config.successesToClose,
    degradedAfter: o.degradedAfter ?? config.degradedAfter,
    lossRatioDegraded: o.lossRatioDegraded ?? config.lossRatioDegraded,
    lossMinEchoes: o.lossMinEchoes ?? config.lossMinEchoes,
    latencyFactorDegraded: o.latencyFactorDegraded ?? config.latencyFactorDegraded,
    latencyMinExcessMs: o.latencyMinExcessMs ?? config.latencyMinExcessMs,
    baselineMinSamples: o.baselineMinSamples ?? config.baselineMinSamples,
    degradedHoldSec: o.degradedHoldSec ?? config.degradedHoldSec,
    flap: o.flap ?? config.flap,
  };
}

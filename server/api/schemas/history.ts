/**
 * Response schemas of the read API over stored results (server/api/history-routes.ts): raw results as
 * the agent sent them plus the server's view of time, rollup rows, and the hour-of-day profile.
 */
import Type from 'typebox';
import { ProbeResult } from '../../../protocol/wire.js';
import { EpochMs, Nullable, passThrough, StringEnum } from './common.js';

const StoredResult = passThrough(
  Type.Object(
    {
      ...Type.Evaluate(ProbeResult).properties,
      commune: Type.String(),
      ts: EpochMs('probe start, corrected for the agent clock skew when the server did so'),
      agentTs: EpochMs('probe start by the agent clock'),
      receivedAt: EpochMs('when the server received it'),
      agentId: Type.Integer(),
    },
    { description: 'a probe result as the agent sent it (see the ingest body), with the server time fields' },
  ),
);

export const ResultList = Type.Object(
  { from: EpochMs(), to: EpochMs(), results: Type.Array(StoredResult, { description: 'newest first' }) },
  { additionalProperties: false },
);

const RollupRow = Type.Object(
  {
    commune: Type.String(),
    target: Type.String(),
    service: Type.String(),
    kind: Type.String(),
    bucket: EpochMs('bucket start; day buckets start at local midnight'),
    count: Type.Integer(),
    okCount: Type.Integer(),
    latencyCount: Type.Integer(),
    latencySumMs: Type.Number(),
    latencyMinMs: Nullable(Type.Number()),
    latencyMaxMs: Nullable(Type.Number()),
    lossSum: Type.Number({ description: 'sum of ICMP loss ratios: mean loss = lossSum / lossCount' }),
    lossCount: Type.Integer(),
  },
  { additionalProperties: false },
);

export const RollupList = Type.Object(
  {
    resolution: StringEnum(['minute', 'hour', 'day']),
    from: EpochMs(),
    to: EpochMs(),
    rows: Type.Array(RollupRow),
  },
  { additionalProperties: false },
);

const ProfileCell = Type.Object(
  {
    weekday: Type.Integer({ description: '0 = Sunday … 6 = Saturday, local time' }),
    hour: Type.Integer({ description: '0–23, local time' }),
    count: Type.Integer(),
    okCount: Type.Integer(),
    latencyCount: Type.Integer(),
    latencySumMs: Type.Number(),
    latencyMaxMs: Nullable(Type.Number()),
    successRatio: Nullable(Type.Number({ description: 'okCount / count; null when no result' })),
    latencyAvgMs: Nullable(Type.Number()),
  },
  { additionalProperties: false },
);

export const HourOfDayProfile = Type.Object(
  {
    timezoneOffsetMinutes: Type.Integer({ description: 'the offset local hours and weekdays are in' }),
    from: EpochMs(),
    to: EpochMs(),
    cells: Type.Array(ProfileCell),
  },
  { additionalProperties: false },
);

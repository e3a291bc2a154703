/**
 * Response schemas of the RUM routes: what users' browsers saw (server/rum/read-routes.ts) and the
 * collector's answer (server/rum/routes.ts), field for field as the RUM store returns them.
 */
import Type from 'typebox';
import { Counts, EpochMs, Id, Nullable, NullableObject } from './common.js';

const Frame = { function: Type.String(), file: Type.String() };

const ErrorGroup = Type.Object(
  {
    id: Id,
    app: Type.String(),
    fingerprint: Type.String(),
    type: Type.String(),
    message: Type.String(),
    frames: Type.Array(Type.Object(Frame, { additionalProperties: false }), {
      description: 'the frames the group is keyed on',
    }),
    count: Type.Integer(),
    firstSeen: EpochMs(),
    lastSeen: EpochMs(),
    sampleStack: NullableObject(
      Type.Array(
        Type.Object(
          { ...Frame, lineno: Type.Optional(Type.Number()), colno: Type.Optional(Type.Number()) },
          { additionalProperties: false },
        ),
      ),
    ),
    samplePage: Nullable(Type.String()),
    affected: Type.Object(
      { commune: Counts, browser: Counts, version: Counts, page: Counts },
      { additionalProperties: false, description: 'occurrences by commune, browser, app version and page' },
    ),
  },
  { additionalProperties: false },
);

export const RumErrors = Type.Object(
  { since: EpochMs(), groups: Type.Array(ErrorGroup, { description: 'most frequent first' }) },
  { additionalProperties: false },
);

const FetchFailure = Type.Object(
  {
    app: Type.String(),
    day: EpochMs('local day start'),
    commune: Type.String(),
    url: Type.String(),
    status: Type.Integer({ description: 'HTTP status; 0 for a network error' }),
    count: Type.Integer(),
    durationSum: Type.Number({ description: 'ms, summed over the failures' }),
    lastSeen: EpochMs(),
  },
  { additionalProperties: false },
);

export const RumFetchFailures = Type.Object(
  { since: EpochMs(), failures: Type.Array(FetchFailure) },
  { additionalProperties: false },
);

/** The collector answers 202 with the text `ok` (also for a duplicate or sampled-out batch), as Alloy does. */
export const CollectAccepted = {
  description: 'accepted (also a repeated Idempotency-Key or a batch sampled out)',
  content: { 'text/plain': { schema: Type.String({ const: 'ok' }) } },
};

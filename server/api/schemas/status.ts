/**
 * Response schema of GET /api/v1/status (server/web/routes.ts): the latest result per target, from the
 * server's memory.
 */
import Type from 'typebox';
import { ProbeError } from '../../../protocol/wire.js';
import { EpochMs, Nullable, NullableObject, passThrough } from './common.js';

const TargetStatus = Type.Object(
  {
    commune: Type.String(),
    service: Type.String(),
    target: Type.String(),
    kind: Type.String(),
    ok: Type.Boolean(),
    ts: EpochMs('probe start of the latest result'),
    latencyMs: Nullable(Type.Number()),
    error: NullableObject(passThrough(ProbeError)),
    role: Type.String({ description: 'path hop (gateway, resolver, uplink, datacentre) or service' }),
    layer: Nullable(Type.String({ description: 'fault layer of a failure or slow success' })),
    blame: Nullable(Type.String({ description: 'the upstream link a failure is attributed to' })),
    link: Nullable(Type.String({ description: 'the network link the probe was pinned to' })),
  },
  { additionalProperties: false },
);

export const StatusList = Type.Object(
  {
    serverTime: EpochMs(),
    targets: Type.Array(TargetStatus, { description: 'by commune, service, target' }),
  },
  { additionalProperties: false },
);

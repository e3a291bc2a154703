/**
 * Response schemas of the commune-PC routes (server/api/system-routes.ts): the equipment summary per
 * agent and the newest health sample, as the agents sent them (wire schemas of protocol/system.ts).
 */
import Type from 'typebox';
import { HealthSample, InventoryDoc, InventoryPrinter, UsbDevice } from '../../../protocol/system.js';
import { EpochMs, Nullable, passThrough } from './common.js';

const AgentInventory = Type.Object(
  {
    commune: Type.String(),
    agent: Type.String(),
    ts: EpochMs('when the inventory was collected'),
    hostname: Type.String(),
    model: Nullable(Type.String({ description: 'manufacturer and model of the PC' })),
    os: Nullable(Type.String({ description: 'distribution and release' })),
    cpu: Nullable(Type.String()),
    memTotalBytes: Nullable(Type.Integer()),
    counts: passThrough(InventoryDoc.properties.counts),
    usb: Type.Array(passThrough(UsbDevice)),
    printers: Type.Array(passThrough(InventoryPrinter)),
  },
  { additionalProperties: false },
);

export const InventoryList = Type.Object({ agents: Type.Array(AgentInventory) }, { additionalProperties: false });

const AgentHealth = Type.Object(
  {
    commune: Type.String(),
    agent: Type.String(),
    ts: EpochMs('sample time (corrected for the agent clock skew)'),
    receivedAt: EpochMs(),
    sample: passThrough(
      Type.Object({
        ...HealthSample.properties,
        id: Type.String(),
        seq: Type.Integer(),
        agentTs: EpochMs('sample time by the agent clock'),
      }),
    ),
  },
  { additionalProperties: false },
);

export const HealthList = Type.Object({ agents: Type.Array(AgentHealth) }, { additionalProperties: false });

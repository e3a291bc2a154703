/** An incident record with every field at its neutral value, for pure accounting tests (uptime, attribution). */
import type { Incident } from '../../server/outages/incident.js';

let nextId = 1;

export function incidentFixture(over: Partial<Incident>): Incident {
  return {
    id: nextId++,
    scope: 'local',
    cause: 'local-service',
    severity: 'down',
    service: 'civil-status',
    commune: '26734',
    targetId: null,
    target: null,
    agentId: null,
    layer: null,
    startedAt: 0,
    endedAt: null,
    flapping: false,
    figures: null,
    downSpans: null,
    manual: false,
    notify: false,
    recordedBy: null,
    note: null,
    mergedInto: null,
    statusNote: null,
    corrected: false,
    superseded: false,
    backfillUntil: null,
    acknowledgedAt: null,
    acknowledgedBy: null,
    deletedAt: null,
    deletedBy: null,
    createdAt: 0,
    updatedAt: 0,
    communes: [],
    ...over,
  };
}

/**
 * What people do to incidents: record one known from elsewhere (the helpdesk log, before a commune had an
 * agent), correct one, delete one, acknowledge one; a vendor acknowledges and replies about its own services'
 * incidents. Every action leaves an event with who did it and the values before, so a corrected uptime figure
 * can always be explained. Domain logic only: the API routes, the pages and the CLI call these.
 */
import type { Store } from '../store/store.js';
import type { IncidentPatch, IncidentReply } from '../store/incident-store.js';
import { ErrorCode, HttpError } from '../errors.js';
import type { Incident, IncidentCause, IncidentSeverity } from './incident.js';

export interface ManualIncidentInput {
  cause: IncidentCause;
  severity?: IncidentSeverity;
  service?: string;
  /** One commune (local causes), or several for a central-service incident. */
  communes?: string[];
  layer?: string;
  startedAt: number;
  endedAt?: number | null;
  note: string;
  /**
   * Page like a detected incident (district IT also learns of outages by phone). Only for one still going
   * on: the alert engine picks it up at its next tick, and sends the resolve when it is ended by an edit.
   */
  notify?: boolean;
}

export interface IncidentEdit {
  cause?: IncidentCause;
  severity?: IncidentSeverity;
  service?: string | null;
  startedAt?: number;
  endedAt?: number | null;
  note?: string;
  reason: string;
}

const invalid = (message: string) => new HttpError(400, ErrorCode.INCIDENT_INVALID, message);

function checkSpan(startedAt: number, endedAt: number | null | undefined, now: number): void {
  if (endedAt !== null && endedAt !== undefined && endedAt <= startedAt)
    throw invalid('endedAt must be after startedAt');
  if (startedAt > now) throw invalid('startedAt is in the future; record an outage once it has begun');
}

export function recordIncident(store: Store, input: ManualIncidentInput, actor: string, now: number): Incident {
  checkSpan(input.startedAt, input.endedAt, now);
  const communes = [...new Set(input.communes ?? [])];
  const needsService = input.cause === 'central-service' || input.cause === 'local-service';
  if (needsService && !input.service) throw invalid(`cause ${input.cause} needs a service`);
  if (input.cause !== 'central-service' && communes.length !== 1)
    throw invalid(`cause ${input.cause} concerns exactly one commune (communes: ["…"])`);
  if (input.notify && input.endedAt !== null && input.endedAt !== undefined)
    throw invalid('notify is for an ongoing incident (no endedAt); one that is over is recorded without paging anyone');
  const central = input.cause === 'central-service';
  return store.transaction(() => {
    const id = store.incidents.create({
      scope: central ? 'central' : 'local',
      cause: input.cause,
      severity: input.severity ?? 'down',
      service: needsService ? input.service! : null,
      commune: central ? null : communes[0]!,
      layer: input.layer ?? null,
      startedAt: input.startedAt,
      endedAt: input.endedAt ?? null,
      manual: true,
      notify: input.notify === true,
      recordedBy: actor,
      note: input.note,
      now,
    });
    if (central)
      for (const commune of communes)
        store.incidents.setCommune(id, { commune, startedAt: input.startedAt, endedAt: input.endedAt ?? null });
    store.incidents.addEvent(id, {
      at: now,
      kind: 'recorded',
      actor,
      detail: { note: input.note, notify: input.notify === true },
    });
    return store.incidents.get(id)!;
  });
}

function existing(store: Store, id: number): Incident {
  const inc = store.incidents.get(id);
  if (!inc || inc.deletedAt !== null) throw new HttpError(404, ErrorCode.NOT_FOUND, `no incident ${id}`);
  return inc;
}

/** Corrects an incident (detected or manual); the event keeps the old values and the reason. */
export function editIncident(store: Store, id: number, edit: IncidentEdit, actor: string, now: number): Incident {
  return store.transaction(() => {
    const inc = existing(store, id);
    const startedAt = edit.startedAt ?? inc.startedAt;
    const endedAt = edit.endedAt === undefined ? inc.endedAt : edit.endedAt;
    checkSpan(startedAt, endedAt, now);
    if (inc.mergedInto !== null)
      throw new HttpError(
        409,
        ErrorCode.INCIDENT_NOT_EDITABLE,
        `incident ${id} is part of central incident ${inc.mergedInto}; correct that one`,
      );
    const patch: IncidentPatch = { corrected: true };
    const before: Record<string, unknown> = {};
    for (const key of ['cause', 'severity', 'service', 'startedAt', 'endedAt', 'note'] as const) {
      if (edit[key] === undefined || edit[key] === inc[key]) continue;
      before[key] = inc[key];
      Object.assign(patch, { [key]: edit[key] });
    }
    store.incidents.update(id, patch, now);
    store.incidents.addEvent(id, {
      at: now,
      kind: 'edited',
      actor,
      detail: {
        reason: edit.reason,
        before,
        after: Object.fromEntries(Object.keys(before).map((k) => [k, edit[k as keyof IncidentEdit]])),
      },
    });
    return store.incidents.get(id)!;
  });
}

/** Soft delete: the row and its timeline stay, marked; uptime and attribution stop counting it. */
export function deleteIncident(store: Store, id: number, reason: string, actor: string, now: number): Incident {
  return store.transaction(() => {
    existing(store, id);
    store.incidents.update(id, { deletedAt: now, deletedBy: actor }, now);
    store.incidents.addEvent(id, { at: now, kind: 'deleted', actor, detail: { reason } });
    return store.incidents.get(id)!;
  });
}

/** Who acknowledges or replies: the name shown to the province, and whether a vendor or the province. */
export interface Responder {
  name: string;
  role: 'admin' | 'viewer' | 'vendor';
  /** Vendors: the service classes they answer for. */
  services?: readonly string[];
}

/** The longest reply kept: a paragraph or two, like a helpdesk ticket comment. */
export const MAX_REPLY_CHARS = 2000;

/**
 * Acknowledges an incident. The province's acknowledgement (an admin) is the incident's own and stops its
 * escalation; a vendor's is kept beside it, once per vendor, as "seen, we are on it" (migration 017 says why).
 */
export function acknowledgeIncident(store: Store, id: number, who: Responder | string, now: number): Incident {
  const by: Responder = typeof who === 'string' ? { name: who, role: 'admin' } : who;
  return store.transaction(() => {
    const inc = answerable(existing(store, id), by);
    if (by.role === 'vendor') {
      const seen = store.incidents.replies(id).some((r) => r.kind === 'ack' && r.author === by.name);
      if (!seen) {
        store.incidents.addReply({ incidentId: id, at: now, author: by.name, role: 'vendor', kind: 'ack', text: '' });
        store.incidents.addEvent(id, {
          at: now,
          kind: 'vendor-acknowledged',
          actor: by.name,
          detail: { role: 'vendor' },
        });
      }
    } else if (inc.acknowledgedAt === null) {
      store.incidents.update(id, { acknowledgedAt: now, acknowledgedBy: by.name }, now);
      store.incidents.addEvent(id, { at: now, kind: 'acknowledged', actor: by.name, detail: {} });
    }
    return store.incidents.get(id)!;
  });
}

/** A reply the province sees on the incident and in its record; the event keeps its opening words. */
export function replyToIncident(store: Store, id: number, who: Responder, text: string, now: number): IncidentReply {
  const words = text.trim();
  if (words.length === 0) throw invalid('text must not be empty');
  if (words.length > MAX_REPLY_CHARS) throw invalid(`text is too long: at most ${MAX_REPLY_CHARS} characters`);
  return store.transaction(() => {
    answerable(existing(store, id), who);
    const role = who.role === 'vendor' ? 'vendor' : 'admin';
    const reply = store.incidents.addReply({
      incidentId: id,
      at: now,
      author: who.name,
      role,
      kind: 'reply',
      text: words,
    });
    store.incidents.addEvent(id, {
      at: now,
      kind: 'replied',
      actor: who.name,
      detail: { role, replyId: reply.id, excerpt: words.length > 160 ? `${words.slice(0, 159)}…` : words },
    });
    return reply;
  });
}

/** Admins answer any incident, vendors only their own services' ones (others do not exist for them); viewers read. */
function answerable(inc: Incident, who: Responder): Incident {
  if (who.role === 'vendor' && !(inc.service !== null && who.services?.includes(inc.service)))
    throw new HttpError(404, ErrorCode.NOT_FOUND, `no incident ${inc.id}`);
  if (who.role === 'viewer')
    throw new HttpError(403, ErrorCode.AUTH_FORBIDDEN, 'acknowledging or replying needs the admin or vendor role');
  return inc;
}

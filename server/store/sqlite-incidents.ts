/**
 * The incident seam (incident-store.ts) on SQLite (migrations 005, 017): target state machines, incidents
 * with their communes, evidence, event timeline and the vendors' acknowledgements and replies. Synchronous, and called inside the ingest transaction, so a
 * batch's results and the incidents they cause are committed together or not at all.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type {
  DegradedFigures,
  DownSpan,
  EvidenceRow,
  SpanRow,
  Incident,
  IncidentCause,
  IncidentCommune,
  IncidentScope,
  IncidentSeverity,
} from '../outages/incident.js';
import type { Machine } from '../outages/target-machine.js';
import type { IncidentReply, IncidentStore, TargetRow } from './incident-store.js';

interface IncidentRow {
  id: number;
  scope: IncidentScope;
  cause: IncidentCause;
  severity: IncidentSeverity;
  service: string | null;
  commune: string | null;
  target_id: number | null;
  target: string | null;
  agent_id: number | null;
  layer: string | null;
  started_at: number;
  ended_at: number | null;
  flapping: number;
  figures: string | null;
  down_spans: string | null;
  manual: number;
  notify: number;
  recorded_by: string | null;
  note: string | null;
  merged_into: number | null;
  status_note: string | null;
  corrected: number;
  superseded: number;
  backfill_until: number | null;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  deleted_at: number | null;
  deleted_by: string | null;
  created_at: number;
  updated_at: number;
}

const COLUMNS: Record<string, string> = {
  severity: 'severity',
  layer: 'layer',
  figures: 'figures',
  downSpans: 'down_spans',
  notify: 'notify',
  startedAt: 'started_at',
  endedAt: 'ended_at',
  flapping: 'flapping',
  note: 'note',
  mergedInto: 'merged_into',
  statusNote: 'status_note',
  corrected: 'corrected',
  superseded: 'superseded',
  backfillUntil: 'backfill_until',
  acknowledgedAt: 'acknowledged_at',
  acknowledgedBy: 'acknowledged_by',
  deletedAt: 'deleted_at',
  deletedBy: 'deleted_by',
  cause: 'cause',
  service: 'service',
  commune: 'commune',
};

const SELECT = `SELECT i.*, t.name AS target FROM incidents i LEFT JOIN targets t ON t.id = i.target_id`;

export function createIncidentStore(db: BetterSqlite3.Database): IncidentStore {
  const stmt = {
    target: db.prepare('SELECT id, commune, name, kind, service FROM targets WHERE commune = ? AND name = ?'),
    targetById: db.prepare('SELECT id, commune, name, kind, service FROM targets WHERE id = ?'),
    machine: db.prepare('SELECT machine, incident_id AS incidentId FROM target_states WHERE target_id = ?'),
    saveMachine: db.prepare(`INSERT INTO target_states (target_id, state, since, last_ts, incident_id, machine)
      VALUES (@targetId, @state, @since, @lastTs, @incidentId, @machine)
      ON CONFLICT (target_id) DO UPDATE SET state = excluded.state, since = excluded.since, last_ts = excluded.last_ts,
        incident_id = excluded.incident_id, machine = excluded.machine`),
    members: db.prepare(
      'SELECT target_id AS targetId, machine FROM target_states WHERE incident_id = ? ORDER BY target_id',
    ),
    latestNetwork:
      db.prepare(`${SELECT} WHERE i.commune = ? AND i.cause = 'commune-network' AND i.deleted_at IS NULL AND i.superseded = 0
      AND i.manual = 0 ORDER BY i.started_at DESC, i.id DESC LIMIT 1`),
    mergedLocals: db.prepare(`${SELECT} WHERE i.merged_into = ? AND i.deleted_at IS NULL ORDER BY i.started_at, i.id`),
    catchUp: db.prepare(
      `INSERT INTO commune_catchup (commune, since, last) VALUES (@commune, @at, @at)
      ON CONFLICT (commune) DO UPDATE SET last = excluded.last`,
    ),
    caughtUp: db.prepare('DELETE FROM commune_catchup WHERE commune = ?'),
    catchingUpLast: db.prepare('SELECT last FROM commune_catchup WHERE commune = ?').pluck(),
    catchingUp: db.prepare('SELECT commune, since FROM commune_catchup ORDER BY commune'),
    create: db
      .prepare(`INSERT INTO incidents (scope, cause, severity, service, commune, target_id, agent_id, layer, started_at,
        ended_at, manual, notify, figures, down_spans, recorded_by, note, corrected, status_note, created_at, updated_at)
      VALUES (@scope, @cause, @severity, @service, @commune, @targetId, @agentId, @layer, @startedAt,
        @endedAt, @manual, @notify, @figures, @downSpans, @recordedBy, @note, @corrected, @statusNote, @now, @now)
      RETURNING id`)
      .pluck(),
    get: db.prepare(`${SELECT} WHERE i.id = ?`),
    communes: db.prepare(
      `SELECT commune, started_at AS startedAt, ended_at AS endedAt FROM incident_communes
      WHERE incident_id = ? ORDER BY started_at, commune`,
    ),
    setCommune:
      db.prepare(`INSERT INTO incident_communes (incident_id, commune, started_at, ended_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (incident_id, commune) DO UPDATE SET started_at = excluded.started_at, ended_at = excluded.ended_at`),
    silentFor: db.prepare(`${SELECT} WHERE i.agent_id = ? AND i.cause = 'agent-silent' AND i.deleted_at IS NULL
      AND (i.ended_at IS NULL OR i.backfill_until IS NOT NULL) ORDER BY i.id`),
    serviceIncidents: db.prepare(`${SELECT} WHERE i.service = ? AND i.cause IN ('local-service', 'central-service')
      AND i.deleted_at IS NULL AND i.superseded = 0 AND i.started_at < ? AND (i.ended_at IS NULL OR i.ended_at > ?) ORDER BY i.started_at`),
    openLocalService: db.prepare(`${SELECT} WHERE i.service = ? AND i.cause = 'local-service' AND i.ended_at IS NULL
      AND i.merged_into IS NULL AND i.deleted_at IS NULL ORDER BY i.started_at`),
    openLocalCommunes: db
      .prepare(`SELECT count(DISTINCT commune) FROM incidents WHERE ended_at IS NULL AND deleted_at IS NULL
      AND service = ? AND cause = 'local-service' AND merged_into IS NULL`)
      .pluck(),
    probing: db.prepare('SELECT count(DISTINCT commune) FROM targets WHERE service = ? AND last_seen >= ?').pluck(),
    evidenceCount: db.prepare('SELECT count(*) FROM incident_evidence WHERE incident_id = ?').pluck(),
    addEvidence:
      db.prepare(`INSERT INTO incident_evidence (incident_id, result_id, commune, target, ts, ok, layer, error_code, summary)
      VALUES (@incidentId, @resultId, @commune, @target, @ts, @ok, @layer, @errorCode, @summary) ON CONFLICT DO NOTHING`),
    evidence: db.prepare(`SELECT result_id AS resultId, commune, target, ts, ok, layer, error_code AS errorCode, summary
      FROM incident_evidence WHERE incident_id = ? ORDER BY ts, result_id LIMIT ?`),
    addEvent: db.prepare('INSERT INTO incident_events (incident_id, at, kind, actor, detail) VALUES (?, ?, ?, ?, ?)'),
    events: db.prepare('SELECT at, kind, actor, detail FROM incident_events WHERE incident_id = ? ORDER BY id'),
    addReply: db
      .prepare(`INSERT INTO incident_replies (incident_id, at, author, role, kind, text)
      VALUES (@incidentId, @at, @author, @role, @kind, @text) RETURNING id`)
      .pluck(),
    replies: db.prepare(`SELECT id, incident_id AS incidentId, at, author, role, kind, text FROM incident_replies
      WHERE incident_id = ? ORDER BY id`),
    spans:
      db.prepare(`SELECT i.id AS incidentId, i.commune, i.cause, i.service, i.started_at AS start, i.ended_at AS end,
        i.severity, i.down_spans AS downSpans FROM incidents i
        WHERE i.commune IS NOT NULL AND i.deleted_at IS NULL AND i.superseded = 0 AND i.merged_into IS NULL
          AND i.started_at < @to AND (i.ended_at IS NULL OR i.ended_at > @from)
      UNION ALL
      SELECT i.id, c.commune, i.cause, i.service, c.started_at, c.ended_at, i.severity, NULL
        FROM incidents i JOIN incident_communes c ON c.incident_id = i.id
        WHERE i.commune IS NULL AND i.deleted_at IS NULL AND i.superseded = 0 AND i.merged_into IS NULL
          AND c.started_at < @to AND (c.ended_at IS NULL OR c.ended_at > @from)`),
    communeServices: db.prepare(
      'SELECT commune, service, min(first_seen) AS firstSeen FROM targets GROUP BY commune, service ORDER BY commune, service',
    ),
    agentTimes: db
      .prepare(`SELECT r.ts FROM targets t JOIN results r ON r.target_id = t.id
      WHERE t.commune = ? AND r.agent_id = ? AND r.ts >= ? AND r.ts <= ? ORDER BY r.ts`)
      .pluck(),
  };

  const toIncident = (r: IncidentRow): Incident => {
    const communes = stmt.communes.all(r.id) as IncidentCommune[];
    return {
      id: r.id,
      scope: r.scope,
      cause: r.cause,
      severity: r.severity,
      service: r.service,
      commune: r.commune,
      targetId: r.target_id,
      target: r.target,
      agentId: r.agent_id,
      layer: r.layer,
      startedAt: r.started_at,
      endedAt: r.ended_at,
      flapping: r.flapping === 1,
      figures: r.figures === null ? null : (JSON.parse(r.figures) as DegradedFigures),
      downSpans: r.down_spans === null ? null : (JSON.parse(r.down_spans) as DownSpan[]),
      manual: r.manual === 1,
      notify: r.notify === 1,
      recordedBy: r.recorded_by,
      note: r.note,
      mergedInto: r.merged_into,
      statusNote: r.status_note,
      corrected: r.corrected === 1,
      superseded: r.superseded === 1,
      backfillUntil: r.backfill_until,
      acknowledgedAt: r.acknowledged_at,
      acknowledgedBy: r.acknowledged_by,
      deletedAt: r.deleted_at,
      deletedBy: r.deleted_by,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      communes:
        communes.length > 0 || r.commune === null
          ? communes
          : [{ commune: r.commune, startedAt: r.started_at, endedAt: r.ended_at }],
    };
  };

  return {
    target: (commune, name) => stmt.target.get(commune, name) as TargetRow | undefined,
    targetById: (id) => stmt.targetById.get(id) as TargetRow | undefined,
    machine(targetId) {
      const row = stmt.machine.get(targetId) as { machine: string; incidentId: number | null } | undefined;
      return row && { machine: JSON.parse(row.machine) as Machine, incidentId: row.incidentId };
    },
    saveMachine(targetId, machine, incidentId) {
      stmt.saveMachine.run({
        targetId,
        state: machine.state,
        since: machine.since,
        lastTs: machine.lastTs,
        incidentId,
        machine: JSON.stringify(machine),
      });
    },
    members: (incidentId) =>
      (stmt.members.all(incidentId) as Array<{ targetId: number; machine: string }>).map((r) => ({
        targetId: r.targetId,
        machine: JSON.parse(r.machine) as Machine,
      })),
    latestNetwork(commune) {
      const row = stmt.latestNetwork.get(commune) as IncidentRow | undefined;
      return row && toIncident(row);
    },
    mergedLocals: (centralId) => (stmt.mergedLocals.all(centralId) as IncidentRow[]).map(toIncident),
    setCatchingUp: (commune, at) => void (at === null ? stmt.caughtUp.run(commune) : stmt.catchUp.run({ commune, at })),
    catchingUpLast: (commune) => stmt.catchingUpLast.get(commune) as number | undefined,
    catchingUp: () => stmt.catchingUp.all() as Array<{ commune: string; since: number }>,
    create: (i) =>
      stmt.create.get({
        scope: i.scope,
        cause: i.cause,
        severity: i.severity,
        service: i.service ?? null,
        commune: i.commune ?? null,
        targetId: i.targetId ?? null,
        agentId: i.agentId ?? null,
        layer: i.layer ?? null,
        startedAt: i.startedAt,
        endedAt: i.endedAt ?? null,
        manual: i.manual ? 1 : 0,
        notify: i.notify ? 1 : 0,
        figures: i.figures ? JSON.stringify(i.figures) : null,
        downSpans: i.downSpans ? JSON.stringify(i.downSpans) : null,
        recordedBy: i.recordedBy ?? null,
        note: i.note ?? null,
        corrected: i.corrected ? 1 : 0,
        statusNote: i.statusNote ?? null,
        now: i.now,
      }) as number,
    update(id, patch, now) {
      const sets: string[] = [];
      const values: unknown[] = [];
      for (const [key, value] of Object.entries(patch)) {
        const column = COLUMNS[key];
        if (!column || value === undefined) continue;
        sets.push(`${column} = ?`);
        values.push(
          typeof value === 'boolean'
            ? value
              ? 1
              : 0
            : value !== null && typeof value === 'object'
              ? JSON.stringify(value)
              : value,
        );
      }
      if (sets.length === 0) return;
      db.prepare(`UPDATE incidents SET ${sets.join(', ')}, updated_at = ? WHERE id = ?`).run(...values, now, id);
    },
    get(id) {
      const row = stmt.get.get(id) as IncidentRow | undefined;
      return row && toIncident(row);
    },
    findOpen(keys) {
      const where = ['i.ended_at IS NULL', 'i.deleted_at IS NULL', 'i.merged_into IS NULL', 'i.cause = @cause'];
      if (keys.scope) where.push('i.scope = @scope');
      if (keys.commune !== undefined) where.push('i.commune = @commune');
      if (keys.service !== undefined) where.push('i.service = @service');
      if (keys.targetId !== undefined) where.push('i.target_id = @targetId');
      if (keys.agentId !== undefined) where.push('i.agent_id = @agentId');
      const row = db.prepare(`${SELECT} WHERE ${where.join(' AND ')} ORDER BY i.id DESC LIMIT 1`).get(keys) as
        | IncidentRow
        | undefined;
      return row && toIncident(row);
    },
    silentFor: (agentId) => (stmt.silentFor.all(agentId) as IncidentRow[]).map(toIncident),
    setCommune: (incidentId, c) => void stmt.setCommune.run(incidentId, c.commune, c.startedAt, c.endedAt),
    serviceIncidents: (service, from, to) =>
      (stmt.serviceIncidents.all(service, to, from) as IncidentRow[]).map(toIncident),
    openLocalService: (service) => (stmt.openLocalService.all(service) as IncidentRow[]).map(toIncident),
    openLocalCommunes: (service) => stmt.openLocalCommunes.get(service) as number,
    probingCommunes: (service, since) => stmt.probing.get(service, since) as number,
    addEvidence(incidentId, rows, cap) {
      let room = cap - (stmt.evidenceCount.get(incidentId) as number);
      for (const r of rows) {
        if (room <= 0) return;
        room -= stmt.addEvidence.run({ incidentId, ...r, ok: r.ok ? 1 : 0 }).changes;
      }
    },
    evidence: (incidentId, limit) =>
      (stmt.evidence.all(incidentId, limit) as Array<Omit<EvidenceRow, 'ok'> & { ok: number }>).map((r) => ({
        ...r,
        ok: r.ok === 1,
      })),
    addEvent: (incidentId, e) => void stmt.addEvent.run(incidentId, e.at, e.kind, e.actor, JSON.stringify(e.detail)),
    events: (incidentId) =>
      (stmt.events.all(incidentId) as Array<{ at: number; kind: string; actor: string; detail: string }>).map((e) => ({
        ...e,
        detail: JSON.parse(e.detail) as Record<string, unknown>,
      })),
    addReply: (r) => ({ id: stmt.addReply.get(r) as number, ...r }),
    replies: (incidentId) => stmt.replies.all(incidentId) as IncidentReply[],
    list(q) {
      const where: string[] = [];
      const params: Record<string, unknown> = { limit: q.limit };
      if (!q.includeDeleted) where.push('i.deleted_at IS NULL');
      if (q.openOnly) where.push('i.ended_at IS NULL');
      if (q.from !== undefined) {
        where.push('(i.ended_at IS NULL OR i.ended_at > @from)');
        params.from = q.from;
      }
      if (q.to !== undefined) {
        where.push('i.started_at < @to');
        params.to = q.to;
      }
      if (q.commune !== undefined) {
        where.push(
          '(i.commune = @commune OR EXISTS (SELECT 1 FROM incident_communes c WHERE c.incident_id = i.id AND c.commune = @commune))',
        );
        params.commune = q.commune;
      }
      if (q.service !== undefined) {
        where.push('i.service = @service');
        params.service = q.service;
      }
      if (q.cause !== undefined) {
        where.push('i.cause = @cause');
        params.cause = q.cause;
      }
      if (q.services !== undefined) {
        where.push(`i.service IN (SELECT value FROM json_each(@services))`);
        params.services = JSON.stringify(q.services);
      }
      const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
      const sql = `${SELECT} ${clause} ORDER BY i.ended_at IS NOT NULL, i.started_at DESC, i.id DESC LIMIT @limit`;
      return (db.prepare(sql).all(params) as IncidentRow[]).map(toIncident);
    },
    agentResultTimes: (agentId, commune, from, to) => stmt.agentTimes.all(commune, agentId, from, to) as number[],
    outageSpans: (from, to) =>
      (stmt.spans.all({ from, to }) as Array<Omit<SpanRow, 'downSpans'> & { downSpans: string | null }>).map((r) => ({
        ...r,
        downSpans: r.downSpans === null ? null : (JSON.parse(r.downSpans) as DownSpan[]),
      })),
    communeServices: () => stmt.communeServices.all() as Array<{ commune: string; service: string; firstSeen: number }>,
  };
}

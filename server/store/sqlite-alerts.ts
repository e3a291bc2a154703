/**
 * The SQLite implementation of the alert store seam (alert-store.ts): alert groups, the notification
 * queue and silences (migrations 006, 014, 016). Group changes are written inside the transaction of the
 * incident change that causes them, so an incident is never stored without its notification being due. A
 * member stays (closed) once its story is told on a route, so a later change to the incident cannot start
 * a second story there.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { Matchers } from '../alerts/config-parts.js';
import type { Silence } from '../alerts/silences.js';
import type {
  AlertGroup,
  AlertMember,
  AlertStore,
  ChannelName,
  NotificationKind,
  NotificationRow,
  PlacedMember,
} from './alert-store.js';

interface NotificationDbRow {
  id: number;
  receiver: string;
  channel: ChannelName;
  target_index: number;
  kind: NotificationKind;
  group_key: string;
  incident_ids: string;
  payload: string;
  status: NotificationRow['status'];
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
}

interface SilenceDbRow {
  id: number;
  kind: Silence['kind'];
  matchers: string;
  starts_at: number;
  ends_at: number;
  weekdays: string | null;
  from_min: number | null;
  to_min: number | null;
  comment: string;
  created_by: string;
  created_at: number;
  deleted_at: number | null;
}

const toNotification = (r: NotificationDbRow): NotificationRow => ({
  id: r.id,
  receiver: r.receiver,
  channel: r.channel,
  targetIndex: r.target_index,
  kind: r.kind,
  groupKey: r.group_key,
  incidentIds: JSON.parse(r.incident_ids) as number[],
  payload: JSON.parse(r.payload) as unknown,
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastError: r.last_error,
  createdAt: r.created_at,
  sentAt: r.sent_at,
});

const toSilence = (r: SilenceDbRow): Silence => ({
  id: r.id,
  kind: r.kind,
  matchers: JSON.parse(r.matchers) as Matchers,
  startsAt: r.starts_at,
  endsAt: r.ends_at,
  ...(r.weekdays !== null && {
    recurring: { weekdays: JSON.parse(r.weekdays) as number[], fromMin: r.from_min ?? 0, toMin: r.to_min ?? 1440 },
  }),
  comment: r.comment,
  createdBy: r.created_by,
  createdAt: r.created_at,
  deletedAt: r.deleted_at,
});

const MEMBER =
  'incident_id AS incidentId, state, notified, fired_at AS firedAt, closed_at AS closedAt, told_severity AS toldSeverity';
const MEMBER_M =
  'm.incident_id AS incidentId, m.state, m.notified, m.fired_at AS firedAt, m.closed_at AS closedAt, m.told_severity AS toldSeverity';

export function createAlertStore(db: BetterSqlite3.Database): AlertStore {
  const stmt = {
    group: db.prepare('SELECT * FROM alert_groups WHERE route_path = ? AND receiver = ? AND group_key = ?'),
    upsertGroup:
      db.prepare(`INSERT INTO alert_groups (route_path, receiver, group_key, labels, next_flush_at, last_sent_at, digest, held_until)
      VALUES (@routePath, @receiver, @groupKey, @labels, @nextFlushAt, @lastSentAt, @digest, @heldUntil)
      ON CONFLICT (route_path, receiver, group_key) DO UPDATE SET labels = excluded.labels, next_flush_at = excluded.next_flush_at,
        last_sent_at = excluded.last_sent_at, digest = excluded.digest, held_until = excluded.held_until`),
    due: db.prepare(
      'SELECT * FROM alert_groups WHERE next_flush_at IS NOT NULL AND next_flush_at <= ? ORDER BY next_flush_at',
    ),
    held: db.prepare('SELECT * FROM alert_groups WHERE held_until IS NOT NULL AND held_until > ?'),
    members: db.prepare(
      `SELECT ${MEMBER} FROM alert_members
      WHERE route_path = ? AND receiver = ? AND group_key = ? AND closed_at IS NULL
      ORDER BY incident_id`,
    ),
    setMember:
      db.prepare(`INSERT INTO alert_members (route_path, receiver, group_key, incident_id, state) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (route_path, receiver, group_key, incident_id) DO UPDATE SET state = excluded.state`),
    moveMember: db.prepare(
      `UPDATE alert_members SET group_key = ?
      WHERE route_path = ? AND receiver = ? AND incident_id = ? AND closed_at IS NULL AND group_key <> ?`,
    ),
    removeMember: db.prepare(
      'DELETE FROM alert_members WHERE route_path = ? AND receiver = ? AND group_key = ? AND incident_id = ? AND closed_at IS NULL',
    ),
    markNotified: db.prepare(`UPDATE alert_members SET notified = state,
        fired_at = CASE WHEN state = 'firing' THEN coalesce(fired_at, @now) ELSE fired_at END,
        closed_at = CASE WHEN state = 'resolved' THEN @now END
      WHERE route_path = @routePath AND receiver = @receiver AND group_key = @groupKey AND incident_id = @incidentId`),
    toldSeverity:
      db.prepare(`UPDATE alert_members SET told_severity = @severity WHERE route_path = @routePath AND receiver = @receiver
      AND group_key = @groupKey AND incident_id = @incidentId`),
    close: db.prepare(`UPDATE alert_members SET state = 'resolved', closed_at = @now
      WHERE route_path = @routePath AND receiver = @receiver AND group_key = @groupKey AND incident_id = @incidentId`),
    reopen:
      db.prepare(`UPDATE alert_members SET closed_at = NULL WHERE route_path = @routePath AND receiver = @receiver AND group_key = @groupKey
      AND incident_id = @incidentId`),
    told: db.prepare(`SELECT ${MEMBER}, route_path AS routePath, receiver, group_key AS groupKey FROM alert_members
      WHERE route_path IN (?, '*') AND receiver = ? AND incident_id = ?
      ORDER BY closed_at IS NOT NULL, route_path = '*' LIMIT 1`),
    openMembersOf:
      db.prepare(`SELECT ${MEMBER}, route_path AS routePath, receiver, group_key AS groupKey FROM alert_members
      WHERE receiver = ? AND incident_id = ? AND closed_at IS NULL`),
    mergedMembers: db.prepare(`SELECT ${MEMBER_M}, m.route_path AS routePath, m.receiver, m.group_key AS groupKey
      FROM alert_members m JOIN incidents i ON i.id = m.incident_id
      WHERE m.receiver = ? AND m.closed_at IS NULL AND i.merged_into = ?`),
    pendingForCommune:
      db.prepare(`SELECT ${MEMBER_M}, m.route_path AS routePath, m.receiver, m.group_key AS groupKey FROM alert_members m
      JOIN incidents i ON i.id = m.incident_id WHERE m.receiver = ? AND m.closed_at IS NULL AND i.commune = ? AND m.notified IS NOT m.state
      AND m.route_path NOT LIKE '%!esc' ORDER BY m.incident_id`),
    openEscalations:
      db.prepare(`SELECT ${MEMBER}, route_path AS routePath, receiver, group_key AS groupKey FROM alert_members
      WHERE closed_at IS NULL AND route_path LIKE '%!esc'`),
    needsSync: db
      .prepare(`SELECT DISTINCT m.incident_id FROM alert_members m JOIN incidents i ON i.id = m.incident_id
        WHERE m.closed_at IS NULL AND m.state = 'firing' AND m.route_path NOT LIKE '%!esc'
          AND (i.ended_at IS NOT NULL OR i.merged_into IS NOT NULL OR i.deleted_at IS NOT NULL OR i.superseded = 1)
      UNION SELECT i.id FROM incidents i WHERE i.manual = 1 AND i.notify = 1 AND i.ended_at IS NULL AND i.deleted_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM alert_members m WHERE m.incident_id = i.id)`)
      .pluck(),
    pruneClosed: db.prepare('DELETE FROM alert_members WHERE closed_at IS NOT NULL AND closed_at < ?'),
    enqueue: db
      .prepare(`INSERT INTO notifications
        (receiver, channel, target_index, kind, group_key, incident_ids, payload, status, next_attempt_at, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?) RETURNING id`)
      .pluck(),
    dueNotifications: db.prepare(
      "SELECT * FROM notifications WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT ?",
    ),
    markSent: db.prepare(
      "UPDATE notifications SET status = 'sent', sent_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?",
    ),
    markFailed: db.prepare(
      'UPDATE notifications SET status = ?, attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?',
    ),
    createSilence: db
      .prepare(`INSERT INTO silences (kind, matchers, starts_at, ends_at, weekdays, from_min, to_min, comment, created_by, created_at)
      VALUES (@kind, @matchers, @startsAt, @endsAt, @weekdays, @fromMin, @toMin, @comment, @createdBy, @createdAt) RETURNING id`)
      .pluck(),
    deleteSilence: db.prepare('UPDATE silences SET deleted_at = ?, deleted_by = ? WHERE id = ? AND deleted_at IS NULL'),
    silences: db.prepare('SELECT * FROM silences WHERE deleted_at IS NULL AND ends_at > ? ORDER BY id'),
    silencesBetween: db.prepare(
      'SELECT * FROM silences WHERE deleted_at IS NULL AND starts_at < ? AND ends_at > ? ORDER BY id',
    ),
  };
  type GroupDbRow = {
    route_path: string;
    receiver: string;
    group_key: string;
    labels: string;
    next_flush_at: number | null;
    last_sent_at: number | null;
    digest: number;
    held_until: number | null;
  };
  const toGroup = (r: GroupDbRow): AlertGroup => ({
    routePath: r.route_path,
    receiver: r.receiver,
    groupKey: r.group_key,
    labels: JSON.parse(r.labels) as Record<string, string[]>,
    nextFlushAt: r.next_flush_at,
    lastSentAt: r.last_sent_at,
    digest: r.digest === 1,
    heldUntil: r.held_until,
  });
  const placed = (rows: unknown[]) => rows as PlacedMember[];
  return {
    group: (id) => {
      const row = stmt.group.get(id.routePath, id.receiver, id.groupKey) as GroupDbRow | undefined;
      return row && toGroup(row);
    },
    upsertGroup: (g) => void stmt.upsertGroup.run({ ...g, labels: JSON.stringify(g.labels), digest: g.digest ? 1 : 0 }),
    dueGroups: (now) => (stmt.due.all(now) as GroupDbRow[]).map(toGroup),
    heldGroups: (now) => (stmt.held.all(now) as GroupDbRow[]).map(toGroup),
    members: (id) => stmt.members.all(id.routePath, id.receiver, id.groupKey) as AlertMember[],
    setMember: (id, incidentId, state) =>
      void stmt.setMember.run(id.routePath, id.receiver, id.groupKey, incidentId, state),
    moveMember: (to, incidentId) =>
      void stmt.moveMember.run(to.groupKey, to.routePath, to.receiver, incidentId, to.groupKey),
    removeMember: (id, incidentId) => void stmt.removeMember.run(id.routePath, id.receiver, id.groupKey, incidentId),
    markNotified: (id, ids, now) => {
      for (const incidentId of ids)
        stmt.markNotified.run({
          routePath: id.routePath,
          receiver: id.receiver,
          groupKey: id.groupKey,
          incidentId,
          now,
        });
    },
    setToldSeverity: (id, incidentId, severity) =>
      void stmt.toldSeverity.run({
        routePath: id.routePath,
        receiver: id.receiver,
        groupKey: id.groupKey,
        incidentId,
        severity,
      }),
    close: (id, incidentId, now) =>
      void stmt.close.run({ routePath: id.routePath, receiver: id.receiver, groupKey: id.groupKey, incidentId, now }),
    told: (routePath, receiver, incidentId) =>
      stmt.told.get(routePath, receiver, incidentId) as PlacedMember | undefined,
    reopen: (m, incidentId) =>
      void stmt.reopen.run({ routePath: m.routePath, receiver: m.receiver, groupKey: m.groupKey, incidentId }),
    openMembersOf: (receiver, incidentId) => placed(stmt.openMembersOf.all(receiver, incidentId)),
    mergedMembers: (receiver, centralId) => placed(stmt.mergedMembers.all(receiver, centralId)),
    pendingForCommune: (receiver, commune) => placed(stmt.pendingForCommune.all(receiver, commune)),
    openEscalations: () => placed(stmt.openEscalations.all()),
    needsSync: () => stmt.needsSync.all() as number[],
    pruneClosed: (before) => void stmt.pruneClosed.run(before),
    enqueue: (n) =>
      stmt.enqueue.get(
        n.receiver,
        n.channel,
        n.targetIndex,
        n.kind,
        n.groupKey,
        JSON.stringify(n.incidentIds),
        JSON.stringify(n.payload),
        n.now,
        n.now,
      ) as number,
    dueNotifications: (now, limit) =>
      (stmt.dueNotifications.all(now, limit) as NotificationDbRow[]).map(toNotification),
    markSent: (id, now) => void stmt.markSent.run(now, id),
    markFailed: (id, error, nextAttemptAt, dead) =>
      void stmt.markFailed.run(dead ? 'dead' : 'pending', error.slice(0, 1000), nextAttemptAt, id),
    listNotifications(q) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (q.status) {
        where.push('status = ?');
        params.push(q.status);
      }
      if (q.incidentId !== undefined) {
        where.push('EXISTS (SELECT 1 FROM json_each(incident_ids) WHERE value = ?)');
        params.push(q.incidentId);
      }
      const sql = `SELECT * FROM notifications ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
      return (db.prepare(sql).all(...params, q.limit) as NotificationDbRow[]).map(toNotification);
    },
    createSilence: (s) =>
      stmt.createSilence.get({
        kind: s.kind,
        matchers: JSON.stringify(s.matchers),
        startsAt: s.startsAt,
        endsAt: s.endsAt,
        weekdays: s.recurring ? JSON.stringify(s.recurring.weekdays) : null,
        fromMin: s.recurring?.fromMin ?? null,
        toMin: s.recurring?.toMin ?? null,
        comment: s.comment,
        createdBy: s.createdBy,
        createdAt: s.createdAt,
      }) as number,
    deleteSilence: (id, actor, now) => stmt.deleteSilence.run(now, actor, id).changes > 0,
    silences: (now) => (stmt.silences.all(now) as SilenceDbRow[]).map(toSilence),
    silencesBetween: (from, to) => (stmt.silencesBetween.all(to, from) as SilenceDbRow[]).map(toSilence),
  };
}

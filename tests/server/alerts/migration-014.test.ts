/**
 * Migration 014 on a database with alert history: the notifications table is rebuilt for the 'confirmed'
 * kind with every row and id kept; a member told FIRING gets its firing time; incidents told before the
 * migration (members already pruned) are recorded as closed, so a later correction starts no new story.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { loadMigrations, migrate } from '../../../server/store/sqlite-migrate.js';
import { openSqliteStore } from '../../../server/store/sqlite-store.js';
import { tempDir } from '../../helpers/temp-dir.js';

const SHIPPED = loadMigrations();
const T0 = Date.parse('2026-11-24T01:00:00Z');

describe('migration 014 (alert stories)', () => {
  it('keeps notifications, accepts the confirmed kind, and records what was told before', () => {
    const dir = tempDir();
    const file = join(dir.path, 'cw.db');
    const db = new Database(file);
    migrate(db, { migrations: SHIPPED.filter((m) => m.version < 14), now: () => T0 });
    const incident = db
      .prepare(`INSERT INTO incidents (scope, cause, severity, commune, started_at, ended_at, created_at, updated_at)
      VALUES ('local', 'commune-network', 'down', '10001', ?, ?, ?, ?) RETURNING id`)
      .pluck();
    const old = incident.get(T0, T0 + 60_000, T0, T0) as number;
    const open = incident.get(T0, null, T0, T0) as number;
    const notify = db.prepare(`INSERT INTO notifications
        (id, receiver, channel, target_index, kind, group_key, incident_ids, payload, status, next_attempt_at, created_at)
      VALUES (?, 'so-khcn', 'webhook', 0, ?, 'cause=commune-network', ?, '{}', 'sent', ?, ?)`);
    notify.run(41, 'firing', JSON.stringify([old]), T0, T0);
    notify.run(42, 'resolved', JSON.stringify([old]), T0 + 120_000, T0 + 120_000);
    notify.run(43, 'firing', JSON.stringify([open]), T0 + 30_000, T0 + 30_000);
    db.prepare(
      `INSERT INTO alert_groups (route_path, receiver, group_key, labels, next_flush_at, last_sent_at)
      VALUES ('0', 'so-khcn', 'cause=commune-network', '{}', NULL, ?)`,
    ).run(T0 + 30_000);
    db.prepare(
      `INSERT INTO alert_members (route_path, receiver, group_key, incident_id, state, notified)
      VALUES ('0', 'so-khcn', 'cause=commune-network', ?, 'firing', 'firing')`,
    ).run(open);
    db.close();

    const store = openSqliteStore({ file });
    try {
      expect(store.alerts.listNotifications({ limit: 10 }).map((n) => [n.id, n.kind, n.incidentIds])).toEqual([
        [43, 'firing', [open]],
        [42, 'resolved', [old]],
        [41, 'firing', [old]],
      ]);
      store.alerts.enqueue({
        receiver: 'so-khcn',
        channel: 'webhook',
        targetIndex: 0,
        kind: 'confirmed',
        groupKey: 'g',
        incidentIds: [old],
        payload: {},
        now: T0,
      });
      expect(store.alerts.listNotifications({ limit: 1 })[0]).toMatchObject({ id: 44, kind: 'confirmed' });
      expect(store.alerts.told('0', 'so-khcn', old)).toMatchObject({ routePath: '*', closedAt: T0 + 120_000 });
      expect(store.alerts.told('0', 'so-khcn', open)).toMatchObject({
        routePath: '0',
        notified: 'firing',
        firedAt: T0 + 30_000,
        closedAt: null,
      });
    } finally {
      store.close();
      dir.remove();
    }
  });
});

/**
 * The alert store seam: alert groups and their members (what was told of each incident on each route),
 * the persisted notification queue and silences. server/alerts/ works against this interface only;
 * sqlite-alerts.ts implements it on SQLite. A second implementation must keep two promises the alert code
 * relies on: group and queue changes are written in the caller's transaction (an incident is never stored
 * without its notification being due), and a member stays (closed) once its story is told on a route, so a
 * later change to the incident cannot start a second story there.
 *
 * A channel is kept as a plain name (`ChannelName`): the store must not import the notifier registry
 * (notifiers → message → store would be a cycle), and a row may outlive its channel's registration; the
 * alert code narrows it with `isChannel()` from server/alerts/notifiers/index.ts.
 */
import type { Silence } from '../alerts/silences.js';

/** A notification channel's name as stored (`email`, `telegram`…); not necessarily still registered. */
export type ChannelName = string;

/** `confirmed`: an incident already over when first told (its one and only message on that route). */
export type NotificationKind = 'firing' | 'update' | 'resolved' | 'reminder' | 'escalation' | 'digest' | 'confirmed';

/** One group of one route and receiver: incidents with the same `groupBy` label values. */
export interface GroupId {
  routePath: string;
  receiver: string;
  groupKey: string;
}

export interface AlertGroup extends GroupId {
  labels: Record<string, string[]>;
  nextFlushAt: number | null;
  lastSentAt: number | null;
  digest: boolean;
  /** End of the silence or maintenance window holding members back, if any (re-checked when silences change). */
  heldUntil: number | null;
}

/** An incident in a group: what it is now and what the group's receiver was told of it. */
export interface AlertMember {
  incidentId: number;
  state: 'firing' | 'resolved';
  notified: 'firing' | 'resolved' | null;
  /** When its FIRING was first queued on this route (escalation counts from it). */
  firedAt: number | null;
  /** When its story was closed on this route (resolved, confirmed, or dropped quietly). */
  closedAt: number | null;
  /** The severity its FIRING or latest update told (a change is told as an update). */
  toldSeverity: 'down' | 'degraded' | null;
}

/** A member with the group it is in. */
export type PlacedMember = AlertMember & GroupId;

/** One message to one target of one receiver's channel, as queued. */
export interface NotificationRow {
  id: number;
  receiver: string;
  channel: ChannelName;
  /** Index of the target in the receiver's list for that channel. */
  targetIndex: number;
  kind: NotificationKind;
  groupKey: string;
  incidentIds: number[];
  /** The NotificationPayload, as JSON; the store does not read it. */
  payload: unknown;
  status: 'pending' | 'sent' | 'dead';
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  createdAt: number;
  sentAt: number | null;
}

export type NewNotification = Pick<
  NotificationRow,
  'receiver' | 'channel' | 'targetIndex' | 'kind' | 'groupKey' | 'incidentIds' | 'payload'
> & { now: number };

export interface AlertStore {
  /** The group, or undefined before its first member. */
  group(id: GroupId): AlertGroup | undefined;
  /** Creates the group or replaces its labels, flush times, digest flag and hold. */
  upsertGroup(g: AlertGroup): void;
  /** Groups whose next flush is due by `now`, earliest first. */
  dueGroups(now: number): AlertGroup[];
  /** Groups held by a silence that has not ended by `now`. */
  heldGroups(now: number): AlertGroup[];
  /** Open (not closed) members of a group, by incident id. */
  members(id: GroupId): AlertMember[];
  /** Adds the incident to the group, or sets the state of its member there (what was told is kept). */
  setMember(id: GroupId, incidentId: number, state: 'firing' | 'resolved'): void;
  /** Moves an incident's open member on (route, receiver) into group `to` (its labels changed). */
  moveMember(to: GroupId, incidentId: number): void;
  /** Deletes an open member: its story there is forgotten, not closed. */
  removeMember(id: GroupId, incidentId: number): void;
  /** notified = state; a firing one gets firedAt (once), a resolved one is closed. */
  markNotified(id: GroupId, incidentIds: number[], now: number): void;
  /** Records the severity a message told of a member. */
  setToldSeverity(id: GroupId, incidentId: number, severity: 'down' | 'degraded'): void;
  /** Closes a member without a message (nothing to say, or said elsewhere). */
  close(id: GroupId, incidentId: number, now: number): void;
  /** The incident's member on a route and receiver: the open one, else a closed one (also a pre-014 '*' one). */
  told(routePath: string, receiver: string, incidentId: number): PlacedMember | undefined;
  /** Opens a closed member again, keeping what was told: its story changed after it was told (late results). */
  reopen(member: PlacedMember, incidentId: number): void;
  /** Open members of one incident on a receiver, in any group. */
  openMembersOf(receiver: string, incidentId: number): PlacedMember[];
  /** Open members on a receiver whose incident is merged into `centralId`. */
  mergedMembers(receiver: string, centralId: number): PlacedMember[];
  /** Open members on a receiver of local incidents of one commune with something not yet told. */
  pendingForCommune(receiver: string, commune: string): PlacedMember[];
  /** Open members of escalation routes (route path ending in '!esc'). */
  openEscalations(): PlacedMember[];
  /**
   * Incidents whose alert state is behind their record: a firing member whose incident ended, merged, was
   * deleted or superseded without an onIncident call (an edit from the API or CLI), and ongoing manual
   * incidents that asked to notify but are in no group yet.
   */
  needsSync(): number[];
  /** Deletes closed members closed before `before`. */
  pruneClosed(before: number): void;
  /** Queues a notification, due at once (`now`); returns its id. */
  enqueue(n: NewNotification): number;
  /** Pending notifications due by `now`, oldest first, at most `limit`. */
  dueNotifications(now: number, limit: number): NotificationRow[];
  /** Records a successful send (one more attempt, error cleared). */
  markSent(id: number, now: number): void;
  /** Records a failed attempt: pending again at `nextAttemptAt`, or given up (`dead`); the error is kept. */
  markFailed(id: number, error: string, nextAttemptAt: number, dead: boolean): void;
  /** Notifications, newest first, optionally of one status or mentioning one incident. */
  listNotifications(q: { status?: NotificationRow['status']; incidentId?: number; limit: number }): NotificationRow[];
  /** Stores a silence or maintenance window; returns its id. */
  createSilence(s: Omit<Silence, 'id' | 'deletedAt'>): number;
  /** Marks an active silence deleted by `actor`; false when there is no such active silence. */
  deleteSilence(id: number, actor: string, now: number): boolean;
  /** Silences not deleted and not over by `now`. */
  silences(now: number): Silence[];
  /** Every silence overlapping [from, to), deleted ones excluded (for uptime's planned time). */
  silencesBetween(from: number, to: number): Silence[];
}

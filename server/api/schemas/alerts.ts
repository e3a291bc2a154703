/**
 * Response schemas of the silence and notification routes (server/alerts/routes.ts): the Silence of
 * server/alerts/silences.ts and the NotificationRow of the alert store, field for field.
 */
import Type from 'typebox';
import { AnyJson, EpochMs, Id, Nullable, StringEnum } from './common.js';

export const Silence = Type.Object(
  {
    id: Id,
    kind: StringEnum(['silence', 'maintenance']),
    matchers: Type.Record(Type.String(), Type.Array(Type.String()), {
      description: 'label name → accepted values (cause, service, severity, scope, commune, province, district)',
    }),
    startsAt: EpochMs(),
    endsAt: EpochMs(),
    recurring: Type.Optional(
      Type.Object(
        {
          weekdays: Type.Array(Type.Integer(), { description: 'ISO weekdays, 1 = Monday' }),
          fromMin: Type.Integer({ description: 'local minute of day the window opens' }),
          toMin: Type.Integer({ description: 'local minute of day it closes (exclusive)' }),
        },
        { additionalProperties: false },
      ),
    ),
    comment: Type.String(),
    createdBy: Type.String(),
    createdAt: EpochMs(),
    deletedAt: Nullable(Type.Integer()),
  },
  { additionalProperties: false },
);

export const SilenceList = Type.Object({ silences: Type.Array(Silence) }, { additionalProperties: false });
export const OneSilence = Type.Object({ silence: Silence }, { additionalProperties: false });
export const SilenceDeleted = Type.Object({ deleted: Id }, { additionalProperties: false });

const Notification = Type.Object(
  {
    id: Id,
    receiver: Type.String(),
    channel: Type.String({ description: 'the notifier: email, webhook, telegram, zalo, alertmanager' }),
    targetIndex: Type.Integer({ description: "index of the target in the receiver's list for this channel" }),
    kind: StringEnum(['firing', 'update', 'resolved', 'reminder', 'escalation', 'digest', 'confirmed']),
    groupKey: Type.String(),
    incidentIds: Type.Array(Type.Integer()),
    payload: AnyJson,
    status: StringEnum(['pending', 'sent', 'dead']),
    attempts: Type.Integer(),
    nextAttemptAt: EpochMs(),
    lastError: Nullable(Type.String()),
    createdAt: EpochMs(),
    sentAt: Nullable(Type.Integer()),
  },
  { additionalProperties: false },
);

export const NotificationList = Type.Object(
  { notifications: Type.Array(Notification) },
  { additionalProperties: false },
);

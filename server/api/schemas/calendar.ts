/**
 * Response schemas of the calendar routes (server/calendar/routes.ts): day rules as the calendar store
 * keeps them (a scope key: '' national, 'p:<province>', 'c:<commune>') and the import counts.
 */
import Type from 'typebox';
import { EpochMs, Nullable, StringEnum } from './common.js';

const Scope = Type.String({ description: "'' national, 'p:<province code>' or 'c:<commune code>'" });
const Rule = {
  date: Type.String({ description: 'YYYY-MM-DD, local' }),
  kind: StringEnum(['off', 'work']),
  name: Type.String(),
  source: Type.Optional(Type.String({ description: 'the decision or notice the rule comes from' })),
  provisional: Type.Optional(Type.Boolean({ description: 'pre-filled (lunar dates), to be confirmed' })),
};

export const CalendarYear = Type.Object(
  {
    year: Type.Integer(),
    commune: Nullable(Type.String({ description: 'null: the national calendar' })),
    workingHours: Type.Number({ description: 'office hours in the year under this calendar' }),
    days: Type.Array(
      Type.Object(
        { ...Rule, scope: Scope, updatedBy: Type.String(), updatedAt: EpochMs() },
        { additionalProperties: false },
      ),
      { description: 'the day rules that apply (the narrowest scope wins), by date' },
    ),
  },
  { additionalProperties: false },
);

export const DaySet = Type.Object({ ...Rule, scope: Scope }, { additionalProperties: false });

export const DayDeleted = Type.Object(
  { deleted: Type.String({ description: 'the date' }), scope: Scope },
  { additionalProperties: false },
);

export const CalendarImported = Type.Object(
  {
    scope: Scope,
    schedules: Type.Integer({ description: 'timetables written' }),
    days: Type.Integer({ description: 'day rules written' }),
  },
  { additionalProperties: false },
);

/** Creating a silence or maintenance window: the checks shared by the API and the CLI. */
import type { Store } from '../store/store.js';
import { ErrorCode, HttpError } from '../errors.js';
import type { Matchers } from './config-parts.js';
import type { Silence } from './silences.js';

export interface SilenceInput {
  kind: 'silence' | 'maintenance';
  matchers: Matchers;
  startsAt: number;
  endsAt: number;
  recurring?: { weekdays: number[]; from: string; to: string };
  comment: string;
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

export function createSilence(store: Store, input: SilenceInput, actor: string, now: number): Silence {
  const invalid = (m: string) => new HttpError(400, ErrorCode.VALIDATION, m);
  if (input.endsAt <= input.startsAt) throw invalid('endsAt must be after startsAt');
  if (input.endsAt <= now) throw invalid('endsAt is in the past: this silence would never apply');
  if (Object.keys(input.matchers).length === 0)
    throw invalid('matchers must name at least one label (a silence of everything is a mistake more often than not)');
  const recurring = input.recurring && {
    weekdays: [...input.recurring.weekdays].sort(),
    fromMin: minutes(input.recurring.from),
    toMin: minutes(input.recurring.to),
  };
  if (recurring && recurring.toMin <= recurring.fromMin)
    throw invalid('recurring.to must be after recurring.from (same day)');
  const id = store.alerts.createSilence({
    kind: input.kind,
    matchers: input.matchers,
    startsAt: input.startsAt,
    endsAt: input.endsAt,
    ...(recurring && { recurring }),
    comment: input.comment,
    createdBy: actor,
    createdAt: now,
  });
  return store.alerts.silences(now).find((s) => s.id === id)!;
}

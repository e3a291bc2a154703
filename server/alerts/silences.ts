/**
 * Silences and maintenance windows: one-off (from – to) or recurring (these weekdays, between these local
 * times, within from – to). Both mute notifications for the incidents they match; maintenance also marks
 * the time as planned, so uptime figures do not count it as an outage.
 */
import { normalise, type Interval } from '../calendar/intervals.js';
import type { Matchers } from './config-parts.js';
import { matches, type Labels } from './labels.js';

const DAY = 86_400_000;

export interface Silence {
  id: number;
  kind: 'silence' | 'maintenance';
  matchers: Matchers;
  startsAt: number;
  endsAt: number;
  /** Recurring: ISO weekdays (1 = Monday) and local minutes of day [fromMin, toMin). */
  recurring?: { weekdays: number[]; fromMin: number; toMin: number };
  comment: string;
  createdBy: string;
  createdAt: number;
  deletedAt: number | null;
}

/** The spans in [from, to) during which a silence is in force. */
export function silenceIntervals(s: Silence, from: number, to: number, offsetMin: number): Interval[] {
  const start = Math.max(from, s.startsAt);
  const end = Math.min(to, s.endsAt);
  if (s.deletedAt !== null || end <= start) return [];
  if (!s.recurring) return [{ start, end }];
  const offset = offsetMin * 60_000;
  const out: Interval[] = [];
  const { weekdays, fromMin, toMin } = s.recurring;
  for (let day = Math.floor((start + offset) / DAY); day * DAY - offset < end; day++) {
    const weekday = ((((day + 3) % 7) + 7) % 7) + 1;
    if (!weekdays.includes(weekday)) continue;
    const base = day * DAY - offset;
    const a = Math.max(start, base + fromMin * 60_000);
    const b = Math.min(end, base + toMin * 60_000);
    if (b > a) out.push({ start: a, end: b });
  }
  return normalise(out);
}

/** When the silence covering these labels at `now` ends, or undefined if none does. */
export function silencedUntil(
  silences: readonly Silence[],
  labels: Labels,
  now: number,
  offsetMin: number,
): number | undefined {
  let until: number | undefined;
  for (const s of silences) {
    if (!matches(labels, s.matchers)) continue;
    const active = silenceIntervals(s, now, now + 7 * DAY, offsetMin).find((i) => i.start <= now && i.end > now);
    if (active && (until === undefined || active.end > until)) until = active.end;
  }
  return until;
}

/**
 * Time for the admin API: instants from ISO text in a time zone, calendar buckets (hour, day, week from Monday, month)
 * in an IANA zone with daylight saving honoured (a spring-forward day is one 23-hour bucket, a fall-back night has 25
 * hourly buckets), and local ISO text with the offset in force. Built on budget-periods.ts, the same calendar the
 * budgets use.
 */
import { calendarPeriod, wallClock, type CalendarPeriod } from '../../policies/budgets/budget-periods.js';
import { badParam } from './admin-error.js';

export const intervals = ['hour', 'day', 'week', 'month'] as const;
export type Interval = (typeof intervals)[number];
const periodOf: Record<Interval, CalendarPeriod> = { hour: 'hourly', day: 'daily', week: 'weekly', month: 'monthly' };

/** The most buckets one query may ask for (e.g. 200 days of hours). */
export const MAX_BUCKETS = 5_000;

/** Whether Intl knows the zone. */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const wallAsUtc = (at: number, timeZone: string): number => {
  const c = wallClock(timeZone, at);
  return Date.UTC(c.year, c.month - 1, c.day, c.hour, c.minute, c.second);
};

/** Offset of local time from UTC at an instant, ms. */
const offsetAt = (timeZone: string, at: number): number => wallAsUtc(at, timeZone) - Math.floor(at / 1000) * 1000;

/** The instant a local wall time names; in a spring-forward gap, the first existing time after it. */
function localToInstant(timeZone: string, local: number): number {
  let at = local - offsetAt(timeZone, local);
  at = local - offsetAt(timeZone, at);
  const seen = wallAsUtc(at, timeZone) + (at - Math.floor(at / 1000) * 1000);
  if (seen < local) at += local - seen;
  return at;
}

const isoPattern = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * `2026-03-29` (local midnight), `2026-03-29T02:30[:00[.000]]` (local wall time) or with `Z` / `+02:00` (that exact
 * instant). Anything else is a 400 naming `param`.
 */
export function parseInstant(text: string, timeZone: string, param: string): number {
  const match = isoPattern.exec(text.trim());
  const expected = 'expected an ISO 8601 date (2026-03-29) or date-time (2026-03-29T14:00, 2026-03-29T12:00:00Z, …+02:00)';
  if (match === null) throw badParam(param, `${expected}, got ${JSON.stringify(text)}`);
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((index) => Number(match[index] ?? 0)) as [number, number, number, number, number, number];
  const local = Date.UTC(y, mo - 1, d, h, mi, s, Number((match[7] ?? '0').padEnd(3, '0')));
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    throw badParam(param, `${expected}; ${JSON.stringify(text)} is not a valid date or time`);
  }
  const zone = match[8];
  if (zone === undefined) return localToInstant(timeZone, local);
  if (zone === 'Z') return local;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return local - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
}

/** `2026-03-29T00:00:00+01:00`: the local time at an instant with its offset. */
export function formatLocal(at: number, timeZone: string): string {
  const c = wallClock(timeZone, at);
  const two = (n: number) => String(n).padStart(2, '0');
  const offsetMinutes = Math.round(offsetAt(timeZone, at) / 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${String(c.year).padStart(4, '0')}-${two(c.month)}-${two(c.day)}T${two(c.hour)}:${two(c.minute)}:${two(c.second)}${sign}${two(Math.floor(abs / 60))}:${two(abs % 60)}`;
}

/**
 * Bucket bounds covering [from, to): the start of the calendar bucket containing `from`, each following bucket
 * start, and the end of the bucket containing `to - 1`. n buckets = n + 1 bounds. More than MAX_BUCKETS is a 400.
 */
export function bucketBounds(options: { from: number; to: number; interval: Interval; timeZone: string }): number[] {
  const period = periodOf[options.interval];
  let current = calendarPeriod(period, options.timeZone, options.from);
  const bounds = [current.start];
  for (;;) {
    bounds.push(current.end);
    if (current.end >= options.to) return bounds;
    if (bounds.length > MAX_BUCKETS) {
      throw badParam('interval', `the range from ${formatLocal(options.from, options.timeZone)} to ${formatLocal(options.to, options.timeZone)} holds more than ${MAX_BUCKETS} ${options.interval} buckets; use a coarser interval or a shorter range`);
    }
    current = calendarPeriod(period, options.timeZone, current.end);
  }
}

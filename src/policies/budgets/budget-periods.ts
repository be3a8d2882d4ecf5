/**
 * Budget periods: calendar hours, days, weeks (Monday) and months in the budget's IANA time zone, computed with Intl
 * so daylight-saving changes are honoured (a day is 23 or 25 hours long on the change days, the repeated hour of a
 * fall-back night is two distinct hourly periods); rolling windows as buckets; lifetime.
 */

/** [start, end) in epoch ms; a lifetime period ends at Infinity. */
export interface Period {
  start: number;
  end: number;
}

export type CalendarPeriod = 'hourly' | 'daily' | 'weekly' | 'monthly';

/** A rolling window is kept as this many buckets (see rollingBuckets). */
export const ROLLING_BUCKETS = 60;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let found = formatters.get(timeZone);
  if (found === undefined) {
    found = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(timeZone, found);
  }
  return found;
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The local date and time at an instant in a time zone. */
export function wallClock(timeZone: string, at: number): WallClock {
  const clock: WallClock = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of formatterOf(timeZone).formatToParts(at)) {
    if (part.type in clock) clock[part.type as keyof WallClock] = Number(part.value);
  }
  return clock;
}

const wallAsUtc = (clock: WallClock): number => Date.UTC(clock.year, clock.month - 1, clock.day, clock.hour, clock.minute, clock.second);

/** Offset of local time from UTC at an instant, ms (Europe/Paris in summer: +7,200,000). */
function offsetAt(timeZone: string, at: number): number {
  return wallAsUtc(wallClock(timeZone, at)) - Math.floor(at / 1000) * 1000;
}

/**
 * The first instant of a local date (month and day may overflow: Date.UTC normalises them). Where the clocks skip
 * midnight (a DST change at 00:00), the day starts at the first local time that exists.
 */
export function startOfLocalDay(timeZone: string, year: number, month: number, day: number): number {
  const local = Date.UTC(year, month - 1, day);
  let at = local - offsetAt(timeZone, local);
  at = local - offsetAt(timeZone, at);
  const seen = wallAsUtc(wallClock(timeZone, at));
  // Inside a skipped midnight the guess lands before the day: move forward to the first existing local time.
  if (seen < local) at += local - seen;
  return at;
}

/** The calendar period containing `now` in the time zone. */
export function calendarPeriod(period: CalendarPeriod, timeZone: string, now: number): Period {
  const clock = wallClock(timeZone, now);
  if (period === 'hourly') {
    // Local minutes and seconds since the local hour began: right for every offset, including half-hour zones.
    const start = now - (clock.minute * 60 + clock.second) * 1000 - (((now % 1000) + 1000) % 1000);
    return { start, end: start + 3_600_000 };
  }
  if (period === 'daily') {
    return { start: startOfLocalDay(timeZone, clock.year, clock.month, clock.day), end: startOfLocalDay(timeZone, clock.year, clock.month, clock.day + 1) };
  }
  if (period === 'weekly') {
    const sinceMonday = (new Date(Date.UTC(clock.year, clock.month - 1, clock.day)).getUTCDay() + 6) % 7;
    const monday = clock.day - sinceMonday;
    return { start: startOfLocalDay(timeZone, clock.year, clock.month, monday), end: startOfLocalDay(timeZone, clock.year, clock.month, monday + 7) };
  }
  return { start: startOfLocalDay(timeZone, clock.year, clock.month, 1), end: startOfLocalDay(timeZone, clock.year, clock.month + 1, 1) };
}

/**
 * A rolling window as ROLLING_BUCKETS buckets of window/60 (at least 1 ms): the window holds the current bucket and
 * the ones before it, newest first. Spend therefore leaves the window in bucket steps, up to window/60 early.
 */
/** The last window computed per window length: every request of one bucket shares it (read-only). */
const lastBuckets = new Map<number, { current: number; buckets: { bucketMs: number; starts: readonly number[] } }>();

export function rollingBuckets(windowMs: number, now: number): { bucketMs: number; starts: readonly number[] } {
  const bucketMs = Math.max(1, Math.ceil(windowMs / ROLLING_BUCKETS));
  const current = Math.floor(now / bucketMs) * bucketMs;
  const last = lastBuckets.get(windowMs);
  if (last !== undefined && last.current === current) return last.buckets;
  const count = Math.ceil(windowMs / bucketMs);
  const starts: number[] = [];
  for (let index = 0; index < count; index += 1) starts.push(current - index * bucketMs);
  const buckets = { bucketMs, starts };
  if (lastBuckets.size >= 100) lastBuckets.clear();
  lastBuckets.set(windowMs, { current, buckets });
  return buckets;
}

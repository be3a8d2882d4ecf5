/**
 * Calendar arithmetic on day strings (`YYYY-MM-DD`) and month strings (`YYYY-MM`). The days are already bucketed in
 * the operator's time zone by whoever produced them (SQL GROUP BY); here they are plain calendar dates, so the
 * arithmetic runs on a UTC day count and never depends on the machine's zone or clock.
 */
import { GatewayError } from '../spec/errors.js';

const DAY_MS = 86_400_000;
const dayPattern = /^(\d{4})-(\d{2})-(\d{2})$/;
const monthPattern = /^(\d{4})-(\d{2})$/;

function invalid(what: string, value: string): GatewayError {
  return new GatewayError({ code: 'invalid_request', message: `${what}: expected ${what === 'month' ? 'YYYY-MM' : 'YYYY-MM-DD'}, got ${JSON.stringify(value)}` });
}

/** Days since 1970-01-01 of a calendar day; throws invalid_request on a malformed or impossible date. */
export function dayNumber(day: string): number {
  const match = dayPattern.exec(day);
  if (match === null) throw invalid('day', day);
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(y, m - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== m - 1 || back.getUTCDate() !== d) throw invalid('day', day);
  return ms / DAY_MS;
}

/** The calendar day of a day number. */
export function dayString(n: number): string {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

export function addDays(day: string, days: number): string {
  return dayString(dayNumber(day) + days);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return dayNumber(to) - dayNumber(from);
}

/** ISO day of week: 0 = Monday ... 6 = Sunday. */
export function dayOfWeek(day: string): number {
  return isoWeekday(dayNumber(day));
}

/** 1970-01-01 was a Thursday (ISO index 3). */
export function isoWeekday(n: number): number {
  return (((n + 3) % 7) + 7) % 7;
}

/** Last day of the calendar month that contains `day`. */
export function endOfMonth(day: string): string {
  const n = dayNumber(day);
  const date = new Date(n * DAY_MS);
  return dayString(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0) / DAY_MS);
}

export function startOfMonth(day: string): string {
  return `${day.slice(0, 7)}-01`;
}

/** Calendar quarters: Jan-Mar, Apr-Jun, Jul-Sep, Oct-Dec. */
export function startOfQuarter(day: string): string {
  dayNumber(day);
  const month = Number(day.slice(5, 7));
  const first = month - ((month - 1) % 3);
  return `${day.slice(0, 4)}-${String(first).padStart(2, '0')}-01`;
}

export function endOfQuarter(day: string): string {
  return endOfMonth(addMonthsToDay(startOfQuarter(day), 2));
}

function addMonthsToDay(firstOfMonth: string, months: number): string {
  return `${addMonths(firstOfMonth.slice(0, 7), months)}-01`;
}

/** Validates a `YYYY-MM` string and returns its index (year * 12 + month - 1). */
export function monthIndex(month: string): number {
  const match = monthPattern.exec(month);
  if (match === null) throw invalid('month', month);
  const m = Number(match[2]);
  if (m < 1 || m > 12) throw invalid('month', month);
  return Number(match[1]) * 12 + m - 1;
}

export function addMonths(month: string, months: number): string {
  const index = monthIndex(month) + months;
  const year = Math.floor(index / 12);
  return `${String(year).padStart(4, '0')}-${String(index - year * 12 + 1).padStart(2, '0')}`;
}

/** ISO 8601 week of a day, `YYYY-Www` (the week belongs to the year of its Thursday). */
export function isoWeek(day: string): string {
  const n = dayNumber(day);
  const thursday = n - isoWeekday(n) + 3;
  const year = new Date(thursday * DAY_MS).getUTCFullYear();
  const week = Math.floor((thursday - Date.UTC(year, 0, 1) / DAY_MS) / 7) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

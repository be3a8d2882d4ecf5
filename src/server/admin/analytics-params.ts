/**
 * Query parameters and day/month bounds shared by the admin analytics routes (analytics-routes.ts,
 * forecast-routes.ts): decimal numbers within bounds, months, and calendar bounds in a zone labelled as the
 * `YYYY-MM-DD` / `YYYY-MM` strings src/analytics takes.
 */
import { badParam } from './admin-error.js';
import type { AdminQuery } from './admin-params.js';
import { bucketBounds, formatLocal, parseInstant } from './admin-time.js';

/** A decimal number in [min, max] (`exclusiveMin`: strictly above min), or the fallback when absent. */
export function decimal(query: AdminQuery, name: string, options: { min: number; max: number; fallback: number; exclusiveMin?: boolean }): number {
  const text = query.string(name);
  if (text === undefined) return options.fallback;
  const value = Number(text);
  const low = options.exclusiveMin ? value > options.min : value >= options.min;
  if (!/^\d*\.?\d+$|^\d+\.$/.test(text) || !low || value > options.max) {
    throw badParam(name, `expected a number ${options.exclusiveMin ? 'above' : 'from'} ${options.min} ${options.exclusiveMin ? 'and at most' : 'to'} ${options.max}, got ${JSON.stringify(text)}`);
  }
  return value;
}

/** `YYYY-MM`, or the fallback when absent; anything else is a 400 naming `name`. */
export function month(query: AdminQuery, name: string, fallback: string): string {
  const text = query.string(name);
  if (text === undefined) return fallback;
  const match = /^(\d{4})-(\d{2})$/.exec(text);
  if (match === null || Number(match[2]) < 1 || Number(match[2]) > 12) throw badParam(name, `expected a month as YYYY-MM (2026-03), got ${JSON.stringify(text)}`);
  return text;
}

/** Day bounds covering [from, to) in the zone, and the local date of each day bucket. */
export function dayBuckets(from: number, to: number, timeZone: string): { bounds: number[]; days: string[] } {
  const bounds = bucketBounds({ from, to, interval: 'day', timeZone });
  return { bounds, days: bounds.slice(0, -1).map((start) => formatLocal(start, timeZone).slice(0, 10)) };
}

/** Local midnight of the first day of a month, as an instant. */
export const monthStart = (yearMonth: string, timeZone: string, param: string): number => parseInstant(`${yearMonth}-01`, timeZone, param);

/** Month bounds from the first day of month `first` to the first day of month `next` (exclusive), and each label. */
export function monthBuckets(first: string, next: string, timeZone: string): { bounds: number[]; months: string[]; from: number; to: number } {
  const from = monthStart(first, timeZone, 'month');
  const to = monthStart(next, timeZone, 'month');
  const bounds = bucketBounds({ from, to, interval: 'month', timeZone });
  return { bounds, months: bounds.slice(0, -1).map((start) => formatLocal(start, timeZone).slice(0, 7)), from, to };
}

/**
 * Number formatting shared by every page. Money is USD with a precision that keeps small LLM costs readable:
 * 2 decimals from $1, 4 from 1 cent, 6 below (a single call often costs a fraction of a cent). null = unknown
 * (an unpriced row's cost is never $0).
 */
const usdFormats = new Map<number, Intl.NumberFormat>();

function usdFormat(decimals: number): Intl.NumberFormat {
  let found = usdFormats.get(decimals);
  if (found === undefined) {
    found = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: decimals, maximumFractionDigits: decimals });
    usdFormats.set(decimals, found);
  }
  return found;
}

export function usdDecimals(value: number): number {
  const size = Math.abs(value);
  if (size === 0 || size >= 1) return 2;
  return size >= 0.01 ? 4 : 6;
}

export function usd(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'unknown';
  return usdFormat(usdDecimals(value)).format(value);
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
export const count = (value: number | null | undefined): string => (value === null || value === undefined ? '–' : integer.format(value));

const percentFormat = new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 });
export const percent = (value: number | null | undefined): string => (value === null || value === undefined || !Number.isFinite(value) ? '–' : percentFormat.format(value));

/** `2026-03-29T00:00:00+01:00` → `Mar 29` (day, week, month) or `Mar 29 14:00` (hour): the bucket's local label. */
export function bucketLabel(start: string, interval: string): string {
  const [date = '', time = ''] = start.split('T');
  const [year, month, day] = date.split('-').map(Number);
  const name = new Date(Date.UTC(year ?? 1970, (month ?? 1) - 1, day ?? 1)).toLocaleString('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });
  if (interval === 'month') return new Date(Date.UTC(year ?? 1970, (month ?? 1) - 1, 1)).toLocaleString('en-US', { month: 'short', year: 'numeric', timeZone: 'UTC' });
  return interval === 'hour' ? `${name} ${time.slice(0, 5)}` : name;
}

/** A request-log timestamp (UTC ISO) shown in the chosen zone. */
export function dateTime(iso: string, timeZone: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  return at.toLocaleString('en-GB', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** Today's date and the first of this month in a zone, as the admin API's `from` accepts them (YYYY-MM-DD). */
export function localDay(timeZone: string, at: Date = new Date()): { today: string; monthStart: string } {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(at);
  const get = (type: string) => parts.find((part) => part.type === type)?.value ?? '01';
  return { today: `${get('year')}-${get('month')}-${get('day')}`, monthStart: `${get('year')}-${get('month')}-01` };
}

/** YYYY-MM-DD `days` before `day` (calendar arithmetic, zone-free). */
export function addDays(day: string, days: number): string {
  const [year, month, date] = day.split('-').map(Number);
  return new Date(Date.UTC(year ?? 1970, (month ?? 1) - 1, (date ?? 1) + days)).toISOString().slice(0, 10);
}

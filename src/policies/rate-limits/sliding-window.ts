/**
 * Sliding-window arithmetic of the rate limits: the two-window weighted approximation (as Cloudflare and nginx-style
 * limiters use it). Time is cut into fixed windows of length W; a limit is checked against
 *
 *   estimate(now) = current + previous × w,   w = the unexpired fraction of the previous window = 1 - (now - start) / W
 *
 * where `current` and `previous` are the counts of the fixed window `now` falls in and of the one before. The check
 * and the reservation are one atomic CounterStore.reserve on the current window's counter with the limit
 * `limit - previous × w`. Exactness: the estimate equals the true count of the trailing W when the previous window's
 * traffic was evenly spread; the worst case (the whole previous window spent in its last instant) admits up to
 * `limit + previous × (1 - w)` (< 2 × limit) in one trailing W, and the best case refuses while the trailing W holds
 * `limit - previous × w`. Pure: no clock, no store.
 */

/** Index of the fixed window `at` falls in. */
export const windowIndex = (at: number, windowMs: number): number => Math.floor(at / windowMs);

/** The unexpired fraction of the previous window at `at`: 1 at the start of the current window, 0 at its end. */
export function previousWeight(at: number, windowMs: number): number {
  const start = windowIndex(at, windowMs) * windowMs;
  return 1 - (at - start) / windowMs;
}

/** The limit the current window's counter may reach so that current + previous × w stays within `limit`. */
export const effectiveLimit = (limit: number, previous: number, weight: number): number => limit - previous * weight;

/** Rounds float noise away (1 - 2/3 = 0.33333333333333337) before rounding up to whole ms. */
const ceilMs = (ms: number): number => Math.ceil(Math.round(ms * 1e6) / 1e6);

export interface WindowState {
  /** Count of the current fixed window (before the amount asked for). */
  current: number;
  /** Count of the previous fixed window. */
  previous: number;
  /** Epoch ms. */
  at: number;
  windowMs: number;
  limit: number;
}

/**
 * Milliseconds from `at` until `amount` fits, assuming no other traffic: the previous window's share decays
 * linearly, and at the next window boundary the current count becomes the previous one and decays in turn.
 * 0 when it fits now; null when it can never fit (amount > limit).
 */
export function msUntilFits(state: WindowState, amount: number): number | null {
  const { current, previous, at, windowMs, limit } = state;
  if (amount > limit) return null;
  const weight = previousWeight(at, windowMs);
  const room = limit - current - amount;
  if (room >= previous * weight) return 0;
  const untilBoundary = (windowIndex(at, windowMs) + 1) * windowMs - at;
  if (room >= 0 && previous > 0) {
    // w(at + t) = weight - t / W must fall to room / previous.
    return Math.min(untilBoundary, ceilMs((weight - room / previous) * windowMs));
  }
  if (current <= 0) return untilBoundary;
  // After the boundary the current count decays: current × (1 - t' / W) <= limit - amount.
  const fraction = Math.max(0, 1 - (limit - amount) / current);
  return untilBoundary + ceilMs(fraction * windowMs);
}

/** Milliseconds from `at` until the estimate is back to 0 (the `x-ratelimit-reset-*` value). */
export function msUntilReset(state: Omit<WindowState, 'limit'>): number {
  const untilBoundary = (windowIndex(state.at, state.windowMs) + 1) * state.windowMs - state.at;
  if (state.current > 0) return untilBoundary + state.windowMs;
  return state.previous > 0 ? untilBoundary : 0;
}

/** `.5`, `.05`, `.005`, `.25`, `.125`: milliseconds as a decimal fraction of a second without trailing zeros. */
function fraction(millis: number): string {
  if (millis % 100 === 0) return `.${millis / 100}`;
  if (millis % 10 === 0) return `.${String(millis / 10).padStart(2, '0')}`;
  return `.${String(millis).padStart(3, '0')}`;
}

/** A duration as OpenAI writes its reset headers: `250ms`, `6s`, `1m30s`, `1h0m0.5s`. */
export function formatResetDuration(ms: number): string {
  const whole = Math.max(0, Math.ceil(ms));
  if (whole < 1_000) return `${whole}ms`;
  const hours = Math.floor(whole / 3_600_000);
  const minutes = Math.floor((whole % 3_600_000) / 60_000);
  // Whole milliseconds: the fraction is written from integers (what toFixed(3) without trailing zeros gives).
  const millis = whole % 1_000;
  const secondsText = `${Math.floor((whole % 60_000) / 1_000)}${millis === 0 ? '' : fraction(millis)}s`;
  if (hours > 0) return `${hours}h${minutes}m${secondsText}`;
  if (minutes > 0) return `${minutes}m${secondsText}`;
  return secondsText;
}

/**
 * The forecast's baseline: a robust fit of daily spend over a window of consecutive days.
 *
 * Model, chosen by how many days the window holds (L):
 * - L = 0: no fit.
 * - 1 <= L < 7: `flat`, the mean of the days (a slope from under a week of data is noise).
 * - 7 <= L < 14: `trend`, y = a + b*t (least squares).
 * - L >= 14: `trend_weekly`, y = a + b*t + s[weekday] with one additive USD offset per ISO weekday (sum of offsets = 0),
 *   fitted jointly by least squares (within-weekday estimator of b, so the weekly pattern does not bias the slope).
 * t counts days from the last day of the window (t = 0 on asOf, negative before).
 *
 * Robustness: trimmed least squares. After each fit, days whose residual exceeds 3.5 robust standard deviations
 * (1.4826 x median absolute residual) are left out of the next fit, at most floor(L / 10) of them, the largest first;
 * a day left out comes back when the refit explains it. Stops when the set is stable (at most 8 fits). The days left
 * out are returned so that every number stays traceable to its inputs.
 */
export type FitMode = 'flat' | 'trend' | 'trend_weekly';

export interface BaselineFit {
  mode: FitMode;
  /** Trend value on the window's last day (USD/day), weekday offset excluded. */
  levelUsd: number;
  slopeUsdPerDay: number;
  /** Additive USD offsets by ISO weekday (Monday first), or null when the mode has no weekly pattern. */
  weekdayOffsetsUsd: number[] | null;
  /** Robust standard deviation of the kept days' residuals (1.4826 x MAD), USD/day. */
  residualScaleUsd: number;
  /** Indexes (into the window) of the days left out as outliers. */
  outliers: number[];
}

export interface FitInput {
  /** Spend of consecutive days, oldest first; the last one is t = 0. */
  values: number[];
  /** ISO weekday (0 = Monday) of values[0]. */
  firstWeekday: number;
}

const MAX_FITS = 8;
const OUTLIER_SIGMAS = 3.5;

/** Fits the baseline; null for an empty window. */
export function fitBaseline(input: FitInput): BaselineFit | null {
  const { values } = input;
  const n = values.length;
  if (n === 0) return null;
  const mode: FitMode = n < 7 ? 'flat' : n < 14 ? 'trend' : 'trend_weekly';
  const groupOf = (i: number): number => (mode === 'trend_weekly' ? (input.firstWeekday + i) % 7 : 0);
  const maxOutliers = mode === 'flat' ? 0 : Math.floor(n / 10);
  let kept = values.map(() => true);
  let coefs = solve(values, kept, groupOf, mode);
  for (let fit = 1; fit < MAX_FITS && maxOutliers > 0; fit++) {
    const residuals = values.map((y, i) => y - predict(coefs, groupOf(i), i - (n - 1)));
    const scale = robustScale(residuals.filter((_, i) => kept[i]), values);
    const ranked = residuals
      .map((r, i) => ({ i, size: Math.abs(r) }))
      .filter((e) => e.size > OUTLIER_SIGMAS * scale)
      .sort((a, b) => b.size - a.size || a.i - b.i)
      .slice(0, maxOutliers);
    const next = values.map(() => true);
    for (const e of ranked) next[e.i] = false;
    if (next.every((k, i) => k === kept[i])) break;
    kept = next;
    coefs = solve(values, kept, groupOf, mode);
  }
  const residuals = values.map((y, i) => y - predict(coefs, groupOf(i), i - (n - 1))).filter((_, i) => kept[i]);
  return {
    mode,
    levelUsd: coefs.level,
    slopeUsdPerDay: coefs.slope,
    weekdayOffsetsUsd: mode === 'trend_weekly' ? coefs.offsets : null,
    residualScaleUsd: 1.4826 * median(residuals.map(Math.abs)),
    outliers: kept.flatMap((k, i) => (k ? [] : [i])),
  };
}

/** Baseline value on day t (t = 0 is the window's last day) with ISO weekday `weekday`; never below 0. */
export function baselineAt(fit: BaselineFit, t: number, weekday: number): number {
  const offset = fit.weekdayOffsetsUsd?.[weekday] ?? 0;
  return Math.max(0, fit.levelUsd + fit.slopeUsdPerDay * t + offset);
}

interface Coefs {
  level: number;
  slope: number;
  /** Offsets by group: the ISO weekday for weekly fits, a single 0 otherwise. */
  offsets: number[];
}

function predict(c: Coefs, group: number, t: number): number {
  return c.level + c.slope * t + (c.offsets[group] ?? 0);
}

/** Least squares over the kept days: common slope, one intercept per group (within-group estimator). */
function solve(values: number[], kept: boolean[], groupOf: (i: number) => number, mode: FitMode): Coefs {
  const n = values.length;
  const groups = mode === 'trend_weekly' ? 7 : 1;
  const count = new Array<number>(groups).fill(0);
  const sumT = new Array<number>(groups).fill(0);
  const sumY = new Array<number>(groups).fill(0);
  values.forEach((y, i) => {
    if (!kept[i]) return;
    const g = groupOf(i);
    count[g] = (count[g] ?? 0) + 1;
    sumT[g] = (sumT[g] ?? 0) + (i - (n - 1));
    sumY[g] = (sumY[g] ?? 0) + y;
  });
  const meanT = sumT.map((s, g) => (count[g] ? s / (count[g] ?? 1) : 0));
  const meanY = sumY.map((s, g) => (count[g] ? s / (count[g] ?? 1) : 0));
  let sxy = 0;
  let sxx = 0;
  values.forEach((y, i) => {
    if (!kept[i]) return;
    const g = groupOf(i);
    const dt = i - (n - 1) - (meanT[g] ?? 0);
    sxy += dt * (y - (meanY[g] ?? 0));
    sxx += dt * dt;
  });
  const slope = mode === 'flat' || sxx === 0 ? 0 : sxy / sxx;
  const present = meanY.flatMap((m, g) => (count[g] ? [m - slope * (meanT[g] ?? 0)] : []));
  const level = present.reduce((a, b) => a + b, 0) / present.length;
  // A weekday with no kept day gets offset 0 (the trend alone).
  const offsets = meanY.map((m, g) => (count[g] ? m - slope * (meanT[g] ?? 0) - level : 0));
  return { level, slope, offsets };
}

/** 1.4826 x MAD, floored at a relative 1e-9 of the mean spend so that an exact fit does not flag rounding noise. */
function robustScale(residuals: number[], values: number[]): number {
  const meanAbs = values.reduce((a, y) => a + Math.abs(y), 0) / Math.max(1, values.length);
  return Math.max(1.4826 * median(residuals.map(Math.abs)), 1e-9 * meanAbs, 1e-12);
}

function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

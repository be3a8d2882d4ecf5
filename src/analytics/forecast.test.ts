import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../spec/errors.js';
import { budgetRunOut } from './budget-runout.js';
import { addDays, dayOfWeek } from './calendar.js';
import { forecastSpend, withTotal, type DailySpendPoint, type SeriesForecast } from './forecast.js';

/** `count` consecutive days ending on `asOf`, spend = f(i, day) with i = 0 on the first day. */
function history(asOf: string, count: number, f: (i: number, day: string) => number, series?: string): DailySpendPoint[] {
  return Array.from({ length: count }, (_, i) => {
    const day = addDays(asOf, i - count + 1);
    return { day, usd: f(i, day), ...(series === undefined ? {} : { series }) };
  });
}

function only(forecasts: SeriesForecast[]): SeriesForecast {
  expect(forecasts).toHaveLength(1);
  const [f] = forecasts;
  if (f === undefined) throw new Error('no forecast');
  return f;
}

const asOf = '2025-03-15'; // a Saturday; month Mar 16..31 = 16 days left, quarter ends Mar 31 too

describe('forecastSpend', () => {
  it('projects a flat series flat, with the scenarios on the run rate', () => {
    const f = only(forecastSpend({ points: history(asOf, 42, () => 10), asOf }));
    expect(f.baseline?.mode).toBe('trend_weekly');
    expect(f.baseline?.slopeUsdPerDay).toBeCloseTo(0, 9);
    expect(f.baseline?.levelUsd).toBeCloseTo(10, 9);
    expect(f.runRateUsdPerDay).toBe(10);
    expect(f.month).toMatchObject({ start: '2025-03-01', end: '2025-03-31', actualUsd: 150, remainingDays: 16 });
    expect(f.month.baselineRemainingUsd).toBeCloseTo(160, 9);
    expect(f.month.baselineTotalUsd).toBeCloseTo(310, 9);
    expect(f.month.scenarios.conservative).toEqual({ multiplier: 1.3, dailyUsd: 13, remainingUsd: 208, totalUsd: 358 });
    expect(f.month.scenarios.expected).toEqual({ multiplier: 2, dailyUsd: 20, remainingUsd: 320, totalUsd: 470 });
    expect(f.month.scenarios.aggressive).toEqual({ multiplier: 2.75, dailyUsd: 27.5, remainingUsd: 440, totalUsd: 590 });
    expect(f.quarter).toMatchObject({ start: '2025-01-01', end: '2025-03-31', actualUsd: 420, remainingDays: 16 });
    expect(f.fan).toHaveLength(16);
    for (const p of f.fan) {
      expect(p.baselineUsd).toBeCloseTo(10, 9);
      expect(p.lowUsd).toBeCloseTo(10, 9);
      expect(p.highUsd).toBeCloseTo(10, 9);
      expect(p.expectedUsd).toBe(20);
    }
  });

  it('recovers an exact linear trend', () => {
    const f = only(forecastSpend({ points: history(asOf, 30, (i) => 5 + 0.5 * i), asOf }));
    expect(f.baseline?.slopeUsdPerDay).toBeCloseTo(0.5, 9);
    expect(f.baseline?.levelUsd).toBeCloseTo(19.5, 9);
    for (const offset of f.baseline?.weekdayOffsetsUsd ?? []) expect(offset).toBeCloseTo(0, 9);
    // Mar 16..31 = days 30..45: sum of 5 + 0.5 i = 16 * 5 + 0.5 * (30 + 45) * 16 / 2
    expect(f.month.baselineRemainingUsd).toBeCloseTo(80 + 300, 9);
    expect(f.fan[0]?.baselineUsd).toBeCloseTo(20, 9);
    expect(f.fan[15]?.baselineUsd).toBeCloseTo(27.5, 9);
    // run rate: mean of the last 7 days (i = 23..29)
    expect(f.runRateUsdPerDay).toBeCloseTo(5 + 0.5 * 26, 9);
  });

  it('recovers a weekly pattern on top of a trend exactly', () => {
    const offsets = [12, 6, 3, 0, -2, -9, -10]; // Monday first, sums to 0
    const points = history(asOf, 42, (i, day) => 100 + 1.5 * i + (offsets[dayOfWeek(day)] ?? 0));
    const f = only(forecastSpend({ points, asOf }));
    expect(f.baseline?.mode).toBe('trend_weekly');
    expect(f.baseline?.slopeUsdPerDay).toBeCloseTo(1.5, 9);
    expect(f.baseline?.levelUsd).toBeCloseTo(100 + 1.5 * 41, 9);
    f.baseline?.weekdayOffsetsUsd?.forEach((o, wd) => expect(o).toBeCloseTo(offsets[wd] ?? NaN, 9));
    expect(f.baseline?.residualScaleUsd).toBeCloseTo(0, 9);
    // 2025-03-17 is a Monday, day index 43 (asOf = index 41)
    const monday = f.fan.find((p) => p.day === '2025-03-17');
    expect(monday?.baselineUsd).toBeCloseTo(100 + 1.5 * 43 + 12, 9);
  });

  it('leaves a one-day spike out of the baseline but not out of the run rate', () => {
    const spike = addDays(asOf, -3);
    const points = history(asOf, 42, (_, day) => (day === spike ? 500 : 10));
    const f = only(forecastSpend({ points, asOf }));
    expect(f.baseline?.outlierDays).toEqual([spike]);
    expect(f.baseline?.levelUsd).toBeCloseTo(10, 9);
    expect(f.baseline?.slopeUsdPerDay).toBeCloseTo(0, 9);
    expect(f.runRateUsdPerDay).toBeCloseTo((6 * 10 + 500) / 7, 9);
  });

  it('degrades to a flat mean on 1-6 days of history, and a plain trend under two weeks', () => {
    const three = only(forecastSpend({ points: history(asOf, 3, (i) => 10 * (i + 1)), asOf }));
    expect(three.historyDays).toBe(3);
    expect(three.baseline).toMatchObject({ mode: 'flat', slopeUsdPerDay: 0, weekdayOffsetsUsd: null });
    expect(three.baseline?.levelUsd).toBeCloseTo(20, 9);
    expect(three.runRateDays).toBe(3);
    expect(three.runRateUsdPerDay).toBeCloseTo(20, 9);
    expect(three.month.baselineRemainingUsd).toBeCloseTo(320, 9);
    const one = only(forecastSpend({ points: [{ day: asOf, usd: 4 }], asOf }));
    expect(one.baseline?.levelUsd).toBe(4);
    expect(one.runRateUsdPerDay).toBe(4);
    const ten = only(forecastSpend({ points: history(asOf, 10, (i) => 2 * i), asOf }));
    expect(ten.baseline?.mode).toBe('trend');
    expect(ten.baseline?.slopeUsdPerDay).toBeCloseTo(2, 9);
  });

  it('counts missing days as zero spend and ignores points after asOf', () => {
    const points: DailySpendPoint[] = [
      { day: '2025-03-10', usd: 7 },
      { day: '2025-03-15', usd: 7 },
      { day: '2025-03-15', usd: 7 },
      { day: '2025-03-16', usd: 1000 },
    ];
    const f = only(forecastSpend({ points, asOf }));
    expect(f.firstDay).toBe('2025-03-10');
    expect(f.historyDays).toBe(6);
    expect(f.runRateUsdPerDay).toBeCloseTo(21 / 6, 12);
    expect(f.month.actualUsd).toBe(21);
  });

  it('handles an empty history: zero everywhere, no baseline', () => {
    const f = only(forecastSpend({ points: [], asOf }));
    expect(f).toMatchObject({ series: 'total', firstDay: null, historyDays: 0, runRateUsdPerDay: 0, baseline: null });
    expect(f.month).toMatchObject({ actualUsd: 0, baselineTotalUsd: 0, remainingDays: 16 });
    expect(f.month.scenarios.aggressive.totalUsd).toBe(0);
    expect(f.fan.every((p) => p.baselineUsd === 0 && p.highUsd === 0)).toBe(true);
    const r = budgetRunOut(f, { limitUsd: 100, periodStart: '2025-03-01', periodEnd: '2025-03-31', spentSoFarUsd: 0 });
    expect(r.scenarios.aggressive.runsOutOn).toBeNull();
    expect(r.baseline.runsOutOn).toBeNull();
  });

  it('forecasts the next month and quarter when asOf is the last day of a quarter', () => {
    const f = only(forecastSpend({ points: history('2025-03-31', 14, () => 1), asOf: '2025-03-31' }));
    expect(f.month).toMatchObject({ start: '2025-04-01', end: '2025-04-30', actualUsd: 0, remainingDays: 30 });
    expect(f.quarter).toMatchObject({ start: '2025-04-01', end: '2025-06-30', remainingDays: 91 });
    expect(f.fan).toHaveLength(91);
  });

  it('reports each series, takes configured multipliers, and sums a total', () => {
    const points = withTotal([...history(asOf, 7, () => 1, 'search'), ...history(asOf, 7, () => 3, 'chat')]);
    const fs = forecastSpend({ points, asOf, scenarios: { aggressive: 3 } });
    expect(fs.map((f) => f.series)).toEqual(['chat', 'search', 'total']);
    expect(fs.map((f) => f.runRateUsdPerDay)).toEqual([3, 1, 4]);
    expect(fs[2]?.multipliers).toEqual({ conservative: 1.3, expected: 2, aggressive: 3 });
    expect(fs[2]?.month.scenarios.aggressive.remainingUsd).toBe(4 * 3 * 16);
  });

  it('rejects a malformed day with invalid_request', () => {
    expect(() => forecastSpend({ points: [{ day: '2025-02-30', usd: 1 }], asOf })).toThrow(GatewayError);
    expect(() => forecastSpend({ points: [], asOf: '15/03/2025' })).toThrow(/YYYY-MM-DD/);
  });
});

describe('budgetRunOut', () => {
  const flat = only(forecastSpend({ points: history(asOf, 42, () => 10), asOf }));
  const budget = { limitUsd: 500, periodStart: '2025-03-01', periodEnd: '2025-03-31', spentSoFarUsd: 300 };

  it('dates the run-out under each scenario exactly', () => {
    const r = budgetRunOut(flat, budget);
    expect(r.status).toBe('active');
    expect(r.remainingUsd).toBe(200);
    // 200 left: expected 20/day reaches it on exactly the 10th day (Mar 16 + 9)
    expect(r.scenarios.expected).toEqual({ dailyUsd: 20, runsOutOn: '2025-03-25', projectedPeriodUsd: 620 });
    // aggressive 27.5/day: 7 days = 192.5 < 200, 8 days = 220
    expect(r.scenarios.aggressive.runsOutOn).toBe('2025-03-23');
    // conservative 13/day: 15 days = 195, 16 days = 208 -> the last day of the period
    expect(r.scenarios.conservative.runsOutOn).toBe('2025-03-31');
    // baseline 10/day: 16 days = 160 < 200 -> holds
    expect(r.baseline.runsOutOn).toBeNull();
    expect(r.baseline.projectedPeriodUsd).toBeCloseTo(460, 9);
  });

  it('starts counting at the period start when the period has not begun, and flags exhausted budgets', () => {
    const april = budgetRunOut(flat, { limitUsd: 100, periodStart: '2025-04-01', periodEnd: '2025-04-30', spentSoFarUsd: 0 });
    expect(april.scenarios.expected.runsOutOn).toBe('2025-04-05');
    const spent = budgetRunOut(flat, { ...budget, spentSoFarUsd: 500 });
    expect(spent.status).toBe('exhausted');
    expect(spent.scenarios.aggressive.runsOutOn).toBeNull();
    const past = budgetRunOut(flat, { limitUsd: 100, periodStart: '2025-02-01', periodEnd: '2025-02-28', spentSoFarUsd: 50 });
    expect(past.status).toBe('ended');
    expect(past.scenarios.expected.runsOutOn).toBeNull();
  });
});

describe('baseline recovery (property)', () => {
  it('recovers any trend + weekly pattern exactly from 14 to 56 days of history', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 14, max: 56 }),
        fc.double({ min: 50, max: 500, noNaN: true }),
        fc.double({ min: -0.5, max: 2, noNaN: true }),
        fc.array(fc.double({ min: -20, max: 20, noNaN: true }), { minLength: 7, maxLength: 7 }),
        fc.integer({ min: 0, max: 3000 }),
        (days, level, slope, raw, shift) => {
          const mean = raw.reduce((a, b) => a + b, 0) / 7;
          const offsets = raw.map((o) => o - mean);
          const end = addDays('2020-01-01', shift);
          const points = history(end, days, (i, day) => level + slope * i + (offsets[dayOfWeek(day)] ?? 0));
          const f = only(forecastSpend({ points, asOf: end, fitWindowDays: 56 }));
          expect(f.baseline?.slopeUsdPerDay).toBeCloseTo(slope, 6);
          expect(f.baseline?.levelUsd).toBeCloseTo(level + slope * (days - 1), 6);
          f.baseline?.weekdayOffsetsUsd?.forEach((o, wd) => expect(o).toBeCloseTo(offsets[wd] ?? NaN, 6));
          expect(f.baseline?.outlierDays).toEqual([]);
        },
      ),
      { seed: 7, numRuns: 200 },
    );
  });
});

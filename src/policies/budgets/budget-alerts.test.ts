import { describe, expect, it } from 'vitest';
import type { BudgetConfig } from '../../spec/config/governance-schema.js';
import type { BudgetSpendUpdate, GovernanceEvent } from '../../spec/governance.js';
import { createBudgetAlerts, forecastMinElapsed, type FiredAlertStore } from './budget-alerts.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const jan1 = Date.UTC(2026, 0, 1);
const feb1 = Date.UTC(2026, 1, 1);
const mar1 = Date.UTC(2026, 2, 1);

const budget = (overrides: Partial<BudgetConfig> = {}): BudgetConfig => ({
  name: 'team-monthly',
  scope: { team: '*' },
  period: 'monthly',
  timezone: 'UTC',
  limit_usd: 100,
  action: 'block',
  alerts: [0.7, 0.9],
  forecast_alert: false,
  ...overrides,
});

/** An update in January for team=search; `at` defaults to late in the month (no forecast noise). */
const update = (spentUsd: number, overrides: Partial<BudgetSpendUpdate> = {}): BudgetSpendUpdate => ({
  budget: 'team-monthly',
  scope: 'team=search',
  periodStart: jan1,
  periodEnd: feb1,
  spentUsd,
  spentTokens: 0,
  limitUsd: 100,
  limitTokens: null,
  at: jan1 + 20 * DAY,
  ...overrides,
});

/** A fired-marker store over the events recorded so far, like the event store's alertFired. */
function memoryFiredStore(events: GovernanceEvent[]): FiredAlertStore {
  return {
    async alertFired({ name, alertKey, since }) {
      return events.some((event) => event.name === name && event.at >= since && event.details.alertKey === alertKey);
    },
  };
}

function setup(options: { budgets?: BudgetConfig[]; stored?: GovernanceEvent[]; fired?: FiredAlertStore | null } = {}) {
  const recorded: GovernanceEvent[] = [];
  const delivered: GovernanceEvent[] = [];
  const errors: string[] = [];
  const stored = options.stored ?? [];
  let id = 0;
  const alerts = createBudgetAlerts({
    budgets: options.budgets ?? [budget()],
    recordEvent: (event) => {
      recorded.push(event);
      stored.push(event);
    },
    deliver: (event) => delivered.push(event),
    logger: { warn: () => undefined, error: (message) => errors.push(message) },
    now: () => jan1,
    newId: () => `ev-${++id}`,
    fired: options.fired === null ? undefined : (options.fired ?? memoryFiredStore(stored)),
  });
  return { alerts, recorded, delivered, errors, stored };
}

const fired = (events: GovernanceEvent[]) => events.map((event) => `${event.kind}:${String(event.details.threshold)}:${String(event.details.unit)}`);

describe('budget threshold alerts', () => {
  it('fires each threshold exactly once per period, and again in the next period', async () => {
    const { alerts, recorded, delivered } = setup();
    for (const spent of [10, 69.99, 70, 75, 80, 89, 90, 95, 99, 120]) alerts.onSpend(update(spent));
    await alerts.idle();
    expect(fired(recorded)).toEqual(['budget_alert:0.7:usd', 'budget_alert:0.9:usd']);
    expect(delivered).toEqual(recorded);
    expect(recorded[0]).toMatchObject({
      kind: 'budget_alert',
      name: 'team-monthly',
      scope: 'team=search',
      costUsd: 70,
      details: { threshold: 0.7, unit: 'usd', limit: 100, spent: 70, periodStart: jan1, periodEnd: feb1, projectedAt: null },
    });
    expect(recorded[0]?.reason).toBe('budget team-monthly (team=search) reached 70% of its $100.00 monthly limit: $70.00 spent, resets 2026-02-01T00:00:00.000Z');

    // February: a new period, both thresholds fire again (once each).
    for (const spent of [71, 72, 91]) alerts.onSpend(update(spent, { periodStart: feb1, periodEnd: mar1, at: feb1 + 20 * DAY }));
    await alerts.idle();
    expect(fired(recorded)).toEqual(['budget_alert:0.7:usd', 'budget_alert:0.9:usd', 'budget_alert:0.7:usd', 'budget_alert:0.9:usd']);
    expect(recorded.map((event) => event.details.periodStart)).toEqual([jan1, jan1, feb1, feb1]);
  });

  it('fires both thresholds, lowest first, on a jump past both', async () => {
    const { alerts, recorded } = setup();
    alerts.onSpend(update(95));
    alerts.onSpend(update(96));
    await alerts.idle();
    expect(fired(recorded)).toEqual(['budget_alert:0.7:usd', 'budget_alert:0.9:usd']);
  });

  it('keeps thresholds apart per scope value and per unit', async () => {
    const { alerts, recorded } = setup({ budgets: [budget({ limit_tokens: 1_000 })] });
    alerts.onSpend(update(71, { spentTokens: 950, limitTokens: 1_000 }));
    alerts.onSpend(update(71, { scope: 'team=ads', spentTokens: 10, limitTokens: 1_000 }));
    await alerts.idle();
    expect(recorded.map((event) => `${event.scope} ${fired([event]).join('')}`)).toEqual([
      'team=search budget_alert:0.7:usd',
      'team=search budget_alert:0.7:tokens',
      'team=search budget_alert:0.9:tokens',
      'team=ads budget_alert:0.7:usd',
    ]);
    expect(recorded[2]?.reason).toContain('reached 90% of its 1,000 tokens monthly limit: 950 tokens spent');
  });

  it('does not fire again after a restart within the same period (markers from the store)', async () => {
    const stored: GovernanceEvent[] = [];
    const first = setup({ stored });
    first.alerts.onSpend(update(75));
    await first.alerts.idle();
    expect(fired(first.recorded)).toEqual(['budget_alert:0.7:usd']);

    const second = setup({ stored });
    for (const spent of [76, 80, 91, 92]) second.alerts.onSpend(update(spent));
    await second.alerts.idle();
    expect(fired(second.recorded)).toEqual(['budget_alert:0.9:usd']);

    // Without a store the restarted process cannot know: this is what the store prevents.
    const amnesiac = setup({ fired: null });
    amnesiac.alerts.onSpend(update(80));
    expect(fired(amnesiac.recorded)).toEqual(['budget_alert:0.7:usd']);
  });

  it('asks the store once per key even when updates race the lookup', async () => {
    let lookups = 0;
    const { alerts, recorded } = setup({
      fired: {
        async alertFired() {
          lookups += 1;
          return false;
        },
      },
    });
    for (let i = 0; i < 50; i += 1) alerts.onSpend(update(71 + i * 0.01));
    await alerts.idle();
    expect(lookups).toBe(1);
    expect(fired(recorded)).toEqual(['budget_alert:0.7:usd']);
  });

  it('fires anyway, and logs, when the store cannot answer; survives a throwing recorder and deliverer', async () => {
    const errors: string[] = [];
    const delivered: GovernanceEvent[] = [];
    const alerts = createBudgetAlerts({
      budgets: [budget()],
      recordEvent: () => {
        throw new Error('disk full');
      },
      deliver: (event) => {
        delivered.push(event);
        throw new Error('boom');
      },
      logger: { warn: () => undefined, error: (message) => errors.push(message) },
      now: () => jan1,
      newId: () => 'x',
      fired: { alertFired: () => Promise.reject(new Error('db locked')) },
    });
    expect(() => alerts.onSpend(update(75))).not.toThrow();
    await alerts.idle();
    expect(delivered).toHaveLength(1);
    expect(errors).toEqual([
      'budget alert: cannot read fired alerts, firing anyway',
      'budget alert: recording the event failed',
      'budget alert: delivery failed',
    ]);
  });

  it('ignores updates of unknown budgets and limits it does not have', async () => {
    const { alerts, recorded } = setup();
    alerts.onSpend(update(99, { budget: 'other' }));
    alerts.onSpend(update(99, { limitUsd: null, spentTokens: 5_000 }));
    await alerts.idle();
    expect(recorded).toEqual([]);
  });

  it('fires a rolling-window threshold at most once per window length', async () => {
    const rolling = budget({ name: 'burst', period: 'rolling', window: HOUR, scope: {} });
    const { alerts, recorded } = setup({ budgets: [rolling] });
    const at = (t: number, spent: number) => update(spent, { budget: 'burst', scope: '', periodStart: t - HOUR, periodEnd: t, at: t });
    alerts.onSpend(at(jan1, 75));
    alerts.onSpend(at(jan1 + 30 * 60_000, 75));
    alerts.onSpend(at(jan1 + HOUR - 1, 75));
    await alerts.idle();
    expect(recorded).toHaveLength(1);
    alerts.onSpend(at(jan1 + HOUR + 1, 75));
    await alerts.idle();
    expect(recorded).toHaveLength(2);
    expect(recorded[1]?.details).toMatchObject({ period: 'rolling', periodStart: jan1 + 1, periodEnd: null });
  });
});

describe('budget forecast alerts', () => {
  const withForecast = budget({ forecast_alert: true, alerts: [0.99] });

  it('fires once per period with the projected exhaustion date', async () => {
    const { alerts, recorded } = setup({ budgets: [withForecast] });
    // Day 5 of 31 with $20 spent: $4/day reaches $100 on day 25, before the month ends.
    alerts.onSpend(update(20, { at: jan1 + 5 * DAY }));
    alerts.onSpend(update(30, { at: jan1 + 6 * DAY }));
    await alerts.idle();
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({
      kind: 'budget_forecast',
      details: { threshold: null, unit: 'usd', limit: 100, spent: 20, periodStart: jan1, periodEnd: feb1, projectedAt: jan1 + 25 * DAY },
    });
    expect(recorded[0]?.reason).toBe(
      'budget team-monthly (team=search) is on course to reach its $100.00 monthly limit on 2026-01-26T00:00:00.000Z, before the period ends 2026-02-01T00:00:00.000Z ($20.00 spent so far)',
    );
    alerts.onSpend(update(20, { periodStart: feb1, periodEnd: mar1, at: feb1 + 5 * DAY }));
    await alerts.idle();
    expect(recorded.map((event) => event.kind)).toEqual(['budget_forecast', 'budget_forecast']);
  });

  it('stays quiet on a pace that lasts the period, too early in the period, once the limit is reached, and for lifetime budgets', async () => {
    const lifetime = budget({ name: 'forever', period: 'lifetime', forecast_alert: true, alerts: [0.99] });
    const { alerts, recorded } = setup({ budgets: [withForecast, lifetime] });
    alerts.onSpend(update(10, { at: jan1 + 5 * DAY })); // $2/day: $62 by the end of the month
    alerts.onSpend(update(50, { at: jan1 + 23 * HOUR })); // less than a day (the minimum for a month) elapsed
    alerts.onSpend(update(100, { at: jan1 + 10 * DAY, scope: 'team=ads' })); // already at the limit
    alerts.onSpend(update(90, { budget: 'forever', periodStart: 0, periodEnd: Number.POSITIVE_INFINITY, at: jan1 }));
    await alerts.idle();
    expect(recorded.map((event) => `${event.kind} ${event.scope}`)).toEqual(['budget_alert team=ads']);
  });

  it('uses 10% of short periods as the minimum elapsed time', () => {
    expect(forecastMinElapsed(HOUR)).toBe(6 * 60_000);
    expect(forecastMinElapsed(DAY)).toBe(2.4 * HOUR);
    expect(forecastMinElapsed(31 * DAY)).toBe(DAY);
  });

  it('projects by the unit that runs out first', async () => {
    const both = budget({ forecast_alert: true, alerts: [0.99], limit_tokens: 1_000_000 });
    const { alerts, recorded } = setup({ budgets: [both] });
    alerts.onSpend(update(20, { spentTokens: 500_000, limitTokens: 1_000_000, at: jan1 + 5 * DAY }));
    await alerts.idle();
    expect(recorded[0]?.details).toMatchObject({ unit: 'tokens', projectedAt: jan1 + 10 * DAY });
  });
});

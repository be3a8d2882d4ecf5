import { describe, expect, it } from 'vitest';
import { GatewayError } from '../spec/errors.js';
import { whaleReport, type CustomerReport, type WhaleOptions } from './whales.js';

const base: WhaleOptions = {
  month: '2025-03',
  plans: [
    { name: 'pro', monthlyPriceUsd: 100 },
    { name: 'team', monthlyPriceUsd: 400, includedUsageUsd: 150 },
    { name: 'free', monthlyPriceUsd: 0, includedUsageUsd: 1 },
  ],
  customerPlans: [
    { customer: 'acme', plan: 'pro' },
    { customer: 'globex', plan: 'team' },
    { customer: 'initech', plan: 'pro' },
    { customer: 'hooli', plan: 'free' },
    { customer: 'umbrella', plan: 'enterprise-legacy' },
  ],
  monthlyCosts: [
    { customer: 'acme', month: '2025-01', costUsd: 20 },
    { customer: 'acme', month: '2025-02', costUsd: 40 },
    { customer: 'acme', month: '2025-03', costUsd: 80 },
    { customer: 'globex', month: '2025-02', costUsd: 150 },
    { customer: 'globex', month: '2025-03', costUsd: 150 },
    { customer: 'initech', month: '2025-03', costUsd: 50 },
    { customer: 'hooli', month: '2025-03', costUsd: 0.5 },
    { customer: 'stark', month: '2025-03', costUsd: 30 },
    { customer: 'umbrella', month: '2025-03', costUsd: 10 },
  ],
  sessions: [
    { customer: 'acme', session: 's1', costUsd: 30, requests: 12 },
    { customer: 'acme', session: 's2', costUsd: 40, requests: 90 },
    { customer: 'acme', session: 's3', costUsd: 6, requests: 3 },
    { customer: 'acme', session: 's3', costUsd: 4, requests: 2 },
  ],
};

function customer(report: ReturnType<typeof whaleReport>, id: string): CustomerReport {
  const found = report.customers.find((c) => c.customer === id);
  if (found === undefined) throw new Error(`no ${id}`);
  return found;
}

describe('whaleReport', () => {
  const report = whaleReport({ ...base, topSessions: 2 });

  it('computes revenue, cost, margin and cost share per customer', () => {
    expect(customer(report, 'acme')).toMatchObject({
      plan: 'pro', planStatus: 'ok', revenueUsd: 100, costUsd: 80, marginUsd: 20, marginPct: 0.2, costShareOfRevenue: 0.8,
      whaleThresholdUsd: 50, isWhale: true,
    });
    expect(customer(report, 'initech')).toMatchObject({ marginUsd: 50, marginPct: 0.5, costShareOfRevenue: 0.5, isWhale: false });
  });

  it('uses the included usage as the threshold when the plan states one', () => {
    expect(customer(report, 'globex')).toMatchObject({ whaleThresholdUsd: 150, isWhale: false, costShareOfRevenue: 0.375 });
    expect(customer(report, 'hooli')).toMatchObject({ revenueUsd: 0, marginUsd: -0.5, marginPct: null, costShareOfRevenue: null, isWhale: false });
  });

  it('reports customers without a plan as unknown revenue, never as infinite margin', () => {
    expect(customer(report, 'stark')).toMatchObject({
      plan: null, planStatus: 'no_plan', revenueUsd: null, marginUsd: null, marginPct: null, costShareOfRevenue: null, isWhale: null,
    });
    expect(customer(report, 'umbrella')).toMatchObject({ plan: 'enterprise-legacy', planStatus: 'unknown_plan', revenueUsd: null, isWhale: null });
  });

  it('gives the month-over-month change and the slope of the last months', () => {
    expect(customer(report, 'acme').trend).toEqual({
      previousMonthCostUsd: 40, changeUsd: 40, changePct: 1, slopeUsdPerMonth: 30,
      months: [{ month: '2025-01', costUsd: 20 }, { month: '2025-02', costUsd: 40 }, { month: '2025-03', costUsd: 80 }],
    });
    expect(customer(report, 'initech').trend).toMatchObject({ previousMonthCostUsd: 0, changeUsd: 50, changePct: null, slopeUsdPerMonth: 25 });
    expect(customer(report, 'globex').trend.changePct).toBe(0);
  });

  it('lists the heaviest sessions with their share of the customer cost', () => {
    expect(customer(report, 'acme').heaviestSessions).toEqual([
      { session: 's2', costUsd: 40, requests: 90, shareOfCustomerCost: 0.5 },
      { session: 's1', costUsd: 30, requests: 12, shareOfCustomerCost: 0.375 },
    ]);
    const all = whaleReport(base);
    expect(customer(all, 'acme').heaviestSessions.at(-1)).toEqual({ session: 's3', costUsd: 10, requests: 5, shareOfCustomerCost: 0.125 });
  });

  it('sorts by cost and totals known revenue separately from plan-less cost', () => {
    expect(report.customers.map((c) => c.customer)).toEqual(['globex', 'acme', 'initech', 'stark', 'umbrella', 'hooli']);
    expect(report.totals).toEqual({ revenueUsd: 600, costUsd: 320.5, costOfCustomersWithoutPlanUsd: 40, whales: 1, customersWithoutPlan: 2 });
  });

  it('takes a configured whale share and rejects a malformed month', () => {
    const strict = whaleReport({ ...base, whaleShare: 0.4 });
    expect(customer(strict, 'initech').isWhale).toBe(true);
    expect(() => whaleReport({ ...base, month: '2025-3' })).toThrow(GatewayError);
  });
});

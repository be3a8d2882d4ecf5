/**
 * Customers, plans and inference whales for one month. Inputs are aggregates (plans, the customer -> plan mapping,
 * LLM cost per customer and month, cost per session of the report month); the output is one row per customer.
 *
 * Definitions (docs/analytics.md):
 * - revenue = the plan's monthly price; cost = the customer's LLM cost of the month (0 when absent);
 * - margin = revenue - cost; margin % = margin / revenue; cost share = cost / revenue (null when revenue is 0);
 * - whale threshold = the plan's included usage when it states one, else whaleShare x revenue (default 0.5);
 *   a whale's cost is strictly above its threshold;
 * - a customer without a plan (or mapped to an unknown plan) has unknown revenue: margin, shares and whale are null;
 * - trend: change from the previous month (USD and %), and the least-squares slope (USD/month) of the cost of the
 *   last `trendMonths` months ending with the report month (a month without a record counts 0).
 */
import { roundUsd } from '../pricing/compute-cost.js';
import { addMonths, monthIndex } from './calendar.js';

export interface Plan {
  name: string;
  monthlyPriceUsd: number;
  /** LLM usage the plan includes, USD/month; when set it is the whale threshold. */
  includedUsageUsd?: number;
}

export interface CustomerPlan {
  customer: string;
  plan: string;
}

export interface CustomerMonthCost {
  customer: string;
  /** YYYY-MM */
  month: string;
  costUsd: number;
}

export interface CustomerSessionCost {
  customer: string;
  session: string;
  costUsd: number;
  requests: number;
}

export interface WhaleOptions {
  plans: Plan[];
  customerPlans: CustomerPlan[];
  monthlyCosts: CustomerMonthCost[];
  /** Sessions of the report month. */
  sessions: CustomerSessionCost[];
  /** Report month, YYYY-MM. */
  month: string;
  /** Share of revenue above which a customer without included usage is a whale (default 0.5). */
  whaleShare?: number;
  /** Months in the cost slope (default 3). */
  trendMonths?: number;
  /** Heaviest sessions listed per customer (default 5). */
  topSessions?: number;
}

export interface HeavySession {
  session: string;
  costUsd: number;
  requests: number;
  /** Session cost / the customer's cost of the month (null when that is 0). */
  shareOfCustomerCost: number | null;
}

export interface CustomerReport {
  customer: string;
  plan: string | null;
  /** `ok`, or why revenue is unknown. */
  planStatus: 'ok' | 'no_plan' | 'unknown_plan';
  revenueUsd: number | null;
  costUsd: number;
  marginUsd: number | null;
  marginPct: number | null;
  costShareOfRevenue: number | null;
  whaleThresholdUsd: number | null;
  isWhale: boolean | null;
  trend: {
    previousMonthCostUsd: number;
    changeUsd: number;
    /** Change / previous month's cost, null when that is 0. */
    changePct: number | null;
    slopeUsdPerMonth: number;
    months: { month: string; costUsd: number }[];
  };
  heaviestSessions: HeavySession[];
}

export interface WhaleReport {
  month: string;
  whaleShare: number;
  /** Sorted by cost, highest first (ties by customer id). */
  customers: CustomerReport[];
  totals: { revenueUsd: number; costUsd: number; costOfCustomersWithoutPlanUsd: number; whales: number; customersWithoutPlan: number };
}

export function whaleReport(options: WhaleOptions): WhaleReport {
  monthIndex(options.month);
  const whaleShare = options.whaleShare ?? 0.5;
  const trendMonths = Math.max(2, options.trendMonths ?? 3);
  const plans = new Map(options.plans.map((p) => [p.name, p]));
  const planOf = new Map(options.customerPlans.map((c) => [c.customer, c.plan]));
  const costs = new Map<string, number>();
  for (const c of options.monthlyCosts) {
    monthIndex(c.month);
    const key = `${c.customer}\u0000${c.month}`;
    costs.set(key, (costs.get(key) ?? 0) + c.costUsd);
  }
  const costOf = (customer: string, month: string): number => costs.get(`${customer}\u0000${month}`) ?? 0;
  const sessionsOf = groupSessions(options.sessions);
  const customers = new Set<string>([...planOf.keys(), ...options.monthlyCosts.map((c) => c.customer), ...sessionsOf.keys()]);
  const reports = [...customers].map((customer) => {
    const planName = planOf.get(customer) ?? null;
    return customerReport({
      customer,
      planName,
      plan: planName === null ? undefined : plans.get(planName),
      costOf,
      month: options.month,
      whaleShare,
      trendMonths,
      sessions: sessionsOf.get(customer) ?? [],
      topSessions: options.topSessions ?? 5,
    });
  });
  reports.sort((a, b) => b.costUsd - a.costUsd || (a.customer < b.customer ? -1 : a.customer > b.customer ? 1 : 0));
  const known = reports.filter((r) => r.revenueUsd !== null);
  return {
    month: options.month,
    whaleShare,
    customers: reports,
    totals: {
      revenueUsd: roundUsd(known.reduce((a, r) => a + (r.revenueUsd ?? 0), 0)),
      costUsd: roundUsd(reports.reduce((a, r) => a + r.costUsd, 0)),
      costOfCustomersWithoutPlanUsd: roundUsd(reports.filter((r) => r.revenueUsd === null).reduce((a, r) => a + r.costUsd, 0)),
      whales: reports.filter((r) => r.isWhale === true).length,
      customersWithoutPlan: reports.length - known.length,
    },
  };
}

interface CustomerInput {
  customer: string;
  planName: string | null;
  plan: Plan | undefined;
  costOf: (customer: string, month: string) => number;
  month: string;
  whaleShare: number;
  trendMonths: number;
  sessions: CustomerSessionCost[];
  topSessions: number;
}

function customerReport(c: CustomerInput): CustomerReport {
  const cost = c.costOf(c.customer, c.month);
  const previous = c.costOf(c.customer, addMonths(c.month, -1));
  const months = Array.from({ length: c.trendMonths }, (_, i) => addMonths(c.month, i - c.trendMonths + 1)).map((month) => ({
    month,
    costUsd: roundUsd(c.costOf(c.customer, month)),
  }));
  const revenue = c.plan?.monthlyPriceUsd ?? null;
  const threshold = c.plan === undefined ? null : (c.plan.includedUsageUsd ?? c.whaleShare * c.plan.monthlyPriceUsd);
  const ratio = (x: number, of: number | null): number | null => (of === null || of === 0 ? null : x / of);
  return {
    customer: c.customer,
    plan: c.planName,
    planStatus: c.planName === null ? 'no_plan' : c.plan === undefined ? 'unknown_plan' : 'ok',
    revenueUsd: revenue,
    costUsd: roundUsd(cost),
    marginUsd: revenue === null ? null : roundUsd(revenue - cost),
    marginPct: revenue === null ? null : ratio(revenue - cost, revenue),
    costShareOfRevenue: ratio(cost, revenue),
    whaleThresholdUsd: threshold === null ? null : roundUsd(threshold),
    isWhale: threshold === null ? null : cost > threshold,
    trend: {
      previousMonthCostUsd: roundUsd(previous),
      changeUsd: roundUsd(cost - previous),
      changePct: ratio(cost - previous, previous),
      slopeUsdPerMonth: roundUsd(slope(months.map((m) => m.costUsd))),
      months,
    },
    heaviestSessions: c.sessions.slice(0, c.topSessions).map((s) => ({
      session: s.session,
      costUsd: roundUsd(s.costUsd),
      requests: s.requests,
      shareOfCustomerCost: ratio(s.costUsd, cost),
    })),
  };
}

/** Sessions per customer, heaviest first (ties by session id); duplicate rows of one session are added. */
function groupSessions(rows: CustomerSessionCost[]): Map<string, CustomerSessionCost[]> {
  const merged = new Map<string, CustomerSessionCost>();
  for (const r of rows) {
    const key = `${r.customer}\u0000${r.session}`;
    const seen = merged.get(key);
    merged.set(key, seen === undefined ? { ...r } : { ...seen, costUsd: seen.costUsd + r.costUsd, requests: seen.requests + r.requests });
  }
  const out = new Map<string, CustomerSessionCost[]>();
  for (const s of merged.values()) {
    const list = out.get(s.customer);
    if (list === undefined) out.set(s.customer, [s]);
    else list.push(s);
  }
  for (const list of out.values()) list.sort((a, b) => b.costUsd - a.costUsd || (a.session < b.session ? -1 : a.session > b.session ? 1 : 0));
  return out;
}

/** Least-squares slope of equally spaced values (x = 0, 1, ...). */
function slope(ys: number[]): number {
  const n = ys.length;
  if (n < 2) return 0;
  const mx = (n - 1) / 2;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  ys.forEach((y, x) => {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
  });
  return sxy / sxx;
}

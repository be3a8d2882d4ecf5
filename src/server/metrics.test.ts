import { describe, expect, it } from 'vitest';
import type { BudgetSpendUpdate } from '../spec/governance.js';
import { ledgerRow } from '../stores/sqlite/__fixtures__/ledger-rows.js';
import { createMetrics } from './metrics.js';

/** The value of one sample line of the exposition, by metric name and exact label set. */
function sample(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}{${labels}}`));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

describe('gateway metrics from ledger rows', () => {
  it('counts requests by status class and cache source, tokens by kind, cost and savings', async () => {
    const metrics = createMetrics();
    const base = { provider: 'openai', servedModel: 'gpt-4o', inputTokens: 100, cacheReadTokens: 900, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: 50, reasoningTokens: 10 };
    metrics.observeRows([
      ledgerRow({ ...base, id: '1', costTotalUsd: 0.25, costUncachedUsd: 1 }),
      ledgerRow({ ...base, id: '2', status: 503, errorCode: 'upstream_server_error', inputTokens: 0, cacheReadTokens: 0, outputTokens: 0, reasoningTokens: 0, costTotalUsd: 0, costUncachedUsd: 0 }),
      ledgerRow({ ...base, id: '3', status: 200, errorCode: 'upstream_stream_incomplete', costTotalUsd: 0.5, costUncachedUsd: 0.5, cacheReadTokens: 0 }),
      ledgerRow({ ...base, id: '4', cacheSource: 'exact', inputTokens: 0, cacheReadTokens: 0, outputTokens: 0, reasoningTokens: 0, costTotalUsd: 0, costUncachedUsd: 2 }),
      ledgerRow({ ...base, id: '5', costTotalUsd: null, costUncachedUsd: null }),
    ]);
    const text = (await metrics.render()).body;
    const at = (labels: string) => `provider="openai",model="gpt-4o",${labels}`;
    expect(sample(text, 'jevons_requests_total', at('status="2xx",cache="none"'))).toBe(2);
    expect(sample(text, 'jevons_requests_total', at('status="5xx",cache="none"'))).toBe(1);
    expect(sample(text, 'jevons_requests_total', at('status="error",cache="none"'))).toBe(1);
    expect(sample(text, 'jevons_requests_total', at('status="2xx",cache="exact"'))).toBe(1);
    expect(sample(text, 'jevons_tokens_total', at('kind="cache_read"'))).toBe(1_800);
    expect(sample(text, 'jevons_tokens_total', at('kind="input"'))).toBe(300);
    expect(sample(text, 'jevons_tokens_total', at('kind="reasoning"'))).toBe(30);
    expect(sample(text, 'jevons_cost_usd_total', 'provider="openai",model="gpt-4o"')).toBeCloseTo(0.75, 12);
    expect(sample(text, 'jevons_saved_usd_total', at('source="prompt_cache"'))).toBeCloseTo(0.75, 12);
    expect(sample(text, 'jevons_saved_usd_total', at('source="response_cache"'))).toBe(2);
    // Cache hits never went upstream: they are not in the latency histograms.
    expect(sample(text, 'jevons_request_duration_seconds_count', 'provider="openai"')).toBe(4);
  });

  it('adds later rows to what was already exposed', async () => {
    const metrics = createMetrics();
    metrics.observeRows([ledgerRow({ id: '1' })]);
    await metrics.render();
    metrics.observeRows([ledgerRow({ id: '2' })]);
    const text = (await metrics.render()).body;
    expect(sample(text, 'jevons_requests_total', 'provider="openai",model="gpt-4o-2024-08-06",status="2xx",cache="none"')).toBe(2);
  });
});

describe('budget gauges', () => {
  const update = (over: Partial<BudgetSpendUpdate>): BudgetSpendUpdate => ({
    budget: 'monthly', scope: 'team=search', periodStart: 0, periodEnd: 10_000, spentUsd: 30, spentTokens: 1_200, limitUsd: 120, limitTokens: null, at: 1_000, ...over,
  });

  it('shows spent, limit and utilisation per budget scope and unit, from the latest report', async () => {
    let clock = 2_000;
    const metrics = createMetrics({ now: () => clock });
    metrics.observeBudget(update({}));
    metrics.observeBudget(update({ spentUsd: 90, at: 1_500 }));
    metrics.observeBudget(update({ budget: 'tokens', scope: '', spentTokens: 500, limitUsd: null, limitTokens: 2_000 }));
    const text = (await metrics.render()).body;
    expect(sample(text, 'jevons_budget_spent', 'budget="monthly",scope="team=search",unit="usd"')).toBe(90);
    expect(sample(text, 'jevons_budget_limit', 'budget="monthly",scope="team=search",unit="usd"')).toBe(120);
    expect(sample(text, 'jevons_budget_utilization_ratio', 'budget="monthly",scope="team=search",unit="usd"')).toBe(0.75);
    expect(sample(text, 'jevons_budget_utilization_ratio', 'budget="monthly",scope="team=search",unit="tokens"')).toBeUndefined();
    expect(sample(text, 'jevons_budget_utilization_ratio', 'budget="tokens",scope="",unit="tokens"')).toBe(0.25);
    // The period ended: its spend no longer stands.
    clock = 10_000;
    const later = (await metrics.render()).body;
    expect(sample(later, 'jevons_budget_spent', 'budget="monthly",scope="team=search",unit="usd"')).toBeUndefined();
  });

  it('keeps a rolling window until the window has passed since its last report', async () => {
    let clock = 1_000;
    const metrics = createMetrics({ now: () => clock });
    metrics.observeBudget(update({ periodStart: 400, periodEnd: 1_000, at: 1_000 }));
    expect(sample((await metrics.render()).body, 'jevons_budget_spent', 'budget="monthly",scope="team=search",unit="usd"')).toBe(30);
    clock = 1_599;
    expect(sample((await metrics.render()).body, 'jevons_budget_spent', 'budget="monthly",scope="team=search",unit="usd"')).toBe(30);
    clock = 1_600;
    expect(sample((await metrics.render()).body, 'jevons_budget_spent', 'budget="monthly",scope="team=search",unit="usd"')).toBeUndefined();
  });
});

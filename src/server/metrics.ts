/**
 * Prometheus metrics (prom-client), served at GET /metrics. One registry per gateway so tests and embedded
 * gateways do not share counters.
 *
 * Request metrics are read from ledger rows as the ledger writer flushes them (off the request path, at most one
 * flush interval behind), and summed into plain per-(provider, model) records; prom-client's counters receive the
 * sums only when /metrics is scraped (`collect`). So a request costs a few additions, not a dozen label lookups.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { BudgetSpendUpdate } from '../spec/governance.js';
import type { LedgerRow } from '../spec/ledger.js';

/** Distinct model labels kept per counter; callers choose model names, so the label set must be bounded. */
const MAX_MODEL_LABELS = 500;
/** Budget scope values shown (a `user: '*'` budget has one per user): the first ones seen, the rest are left out. */
const MAX_BUDGET_SCOPES = 1_000;

export interface GatewayMetrics {
  registry: Registry;
  /** A metered call whose model (or service tier) has no price: recorded as unpriced, never $0. */
  countUnpriced(provider: string, model: string): void;
  /** Ledger rows just written (one per upstream attempt or cache hit). */
  observeRows(rows: readonly LedgerRow[]): void;
  /** Where a budget scope stands after a settle (the budget policy's onSpend): the budget gauges. */
  observeBudget(update: BudgetSpendUpdate): void;
  render(): Promise<{ contentType: string; body: string }>;
}

const tokenKinds = ['input', 'cache_read', 'cache_write_5m', 'cache_write_1h', 'output', 'reasoning'] as const;
const statusClasses = ['2xx', '4xx', '5xx', 'error'] as const;
const cacheSources = ['exact', 'semantic', 'none'] as const;

/** Sums not yet handed to prom-client, for one (provider, model). */
interface Pending {
  provider: string;
  model: string;
  requests: number[];
  tokens: number[];
  costUsd: number;
  savedUsd: number[];
}

const statusClassOf = (row: LedgerRow): number => (row.errorCode !== null && row.status < 400 ? 3 : row.status >= 500 ? 2 : row.status >= 400 ? 1 : 0);

/**
 * When a budget's last reported spend stops being true: at the end of its calendar period, or once a rolling window
 * (reported with periodEnd = the report's instant) has fully passed since the report.
 */
const expiryOf = (update: BudgetSpendUpdate): number => (update.periodEnd === update.at ? update.at + (update.periodEnd - update.periodStart) : update.periodEnd);

export function createMetrics(options: { now?: () => number } = {}): GatewayMetrics {
  const now = options.now ?? Date.now;
  const registry = new Registry();
  const models = new Set<string>();
  const boundedModel = (model: string): string => {
    if (!models.has(model) && models.size >= MAX_MODEL_LABELS) return 'other';
    models.add(model);
    return model;
  };
  const pending = new Map<string, Pending>();
  const unpriced = new Counter({ name: 'jevons_unpriced_requests_total', help: 'Metered upstream calls recorded as unpriced (the model or its service tier has no price).', labelNames: ['provider', 'model'] as const, registers: [registry] });
  const requests = new Counter({ name: 'jevons_requests_total', help: 'Ledger rows: upstream attempts and response-cache hits, by outcome (status class) and cache source.', labelNames: ['provider', 'model', 'status', 'cache'] as const, registers: [registry], collect: () => drain() });
  const tokens = new Counter({ name: 'jevons_tokens_total', help: 'Billed tokens by kind (disjoint kinds; reasoning is a part of output).', labelNames: ['provider', 'model', 'kind'] as const, registers: [registry] });
  const cost = new Counter({ name: 'jevons_cost_usd_total', help: 'Metered cost in USD of priced rows.', labelNames: ['provider', 'model'] as const, registers: [registry] });
  const saved = new Counter({ name: 'jevons_saved_usd_total', help: 'Cost avoided (uncached cost minus cost) by response-cache hits and by provider prompt caching.', labelNames: ['provider', 'model', 'source'] as const, registers: [registry] });
  const budgetsSeen = new Map<string, BudgetSpendUpdate>();
  const budgetLabels = ['budget', 'scope', 'unit'] as const;
  const budgetSpent = new Gauge({ name: 'jevons_budget_spent', help: 'Spend of a budget scope in its current period (USD or tokens), as of its last settled request in this process.', labelNames: budgetLabels, registers: [registry], collect: () => collectBudgets() });
  const budgetLimit = new Gauge({ name: 'jevons_budget_limit', help: 'Limit of a budget scope in force (USD or tokens).', labelNames: budgetLabels, registers: [registry] });
  const budgetUtilisation = new Gauge({ name: 'jevons_budget_utilization_ratio', help: 'Spent / limit of a budget scope in its current period (1 = limit reached).', labelNames: budgetLabels, registers: [registry] });
  const buckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
  const duration = new Histogram({ name: 'jevons_request_duration_seconds', help: 'Upstream attempt duration, start to end of the response.', labelNames: ['provider'] as const, buckets, registers: [registry] });
  const firstByte = new Histogram({ name: 'jevons_time_to_first_byte_seconds', help: 'Time from sending an attempt upstream to its response headers.', labelNames: ['provider'] as const, buckets, registers: [registry] });

  function drain(): void {
    for (const entry of pending.values()) {
      const base = { provider: entry.provider, model: entry.model };
      entry.requests.forEach((value, index) => {
        if (value > 0) requests.inc({ ...base, status: statusClasses[index % 4] ?? 'error', cache: cacheSources[Math.floor(index / 4)] ?? 'none' }, value);
      });
      entry.tokens.forEach((value, index) => value > 0 && tokens.inc({ ...base, kind: tokenKinds[index] ?? 'input' }, value));
      if (entry.costUsd > 0) cost.inc(base, entry.costUsd);
      // Counters only go up: prompt caching that cost more than it saved (write premiums) is not subtracted here.
      if (entry.savedUsd[0]! > 0) saved.inc({ ...base, source: 'response_cache' }, entry.savedUsd[0]!);
      if (entry.savedUsd[1]! > 0) saved.inc({ ...base, source: 'prompt_cache' }, entry.savedUsd[1]!);
    }
    pending.clear();
  }

  /** Sets the budget gauges from the last report of every budget scope whose period still runs. */
  function collectBudgets(): void {
    for (const gauge of [budgetSpent, budgetLimit, budgetUtilisation]) gauge.reset();
    const at = now();
    for (const [key, update] of budgetsSeen) {
      if (expiryOf(update) <= at) {
        budgetsSeen.delete(key);
        continue;
      }
      for (const [unit, spent, limit] of [['usd', update.spentUsd, update.limitUsd], ['tokens', update.spentTokens, update.limitTokens]] as const) {
        if (limit === null) continue;
        const labels = { budget: update.budget, scope: update.scope, unit };
        budgetSpent.set(labels, spent);
        budgetLimit.set(labels, limit);
        if (limit > 0) budgetUtilisation.set(labels, spent / limit);
      }
    }
  }

  return {
    registry,
    countUnpriced(provider, model) {
      unpriced.inc({ provider, model: boundedModel(model) });
    },
    observeRows(rows) {
      for (const row of rows) {
        const model = row.servedModel ?? row.requestedModel;
        const key = `${row.provider}\u0000${model}`;
        let entry = pending.get(key);
        if (entry === undefined) {
          entry = { provider: row.provider, model: boundedModel(model), requests: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], tokens: [0, 0, 0, 0, 0, 0], costUsd: 0, savedUsd: [0, 0] };
          pending.set(key, entry);
        }
        const cacheIndex = row.cacheSource === 'exact' ? 0 : row.cacheSource === 'semantic' ? 1 : 2;
        entry.requests[cacheIndex * 4 + statusClassOf(row)]! += 1;
        const kinds = [row.inputTokens, row.cacheReadTokens, row.cacheWrite5mTokens, row.cacheWrite1hTokens, row.outputTokens, row.reasoningTokens];
        for (let index = 0; index < kinds.length; index += 1) entry.tokens[index]! += kinds[index]!;
        if (row.costTotalUsd !== null) {
          entry.costUsd += row.costTotalUsd;
          if (row.costUncachedUsd !== null) entry.savedUsd[row.cacheSource === null ? 1 : 0]! += row.costUncachedUsd - row.costTotalUsd;
        }
        if (row.cacheSource === null) {
          duration.observe({ provider: row.provider }, Math.max(0, row.endedAt - row.startedAt) / 1000);
          if (row.firstByteAt !== null) firstByte.observe({ provider: row.provider }, Math.max(0, row.firstByteAt - row.startedAt) / 1000);
        }
      }
    },
    observeBudget(update) {
      const key = `${update.budget}\u0000${update.scope}`;
      if (budgetsSeen.has(key) || budgetsSeen.size < MAX_BUDGET_SCOPES) budgetsSeen.set(key, update);
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

/**
 * Shapes shared by the governance policies (budgets, alerts, rate limits, agent circuit breakers), the event store
 * and the CLI. Pure types: the policies live in src/policies, the storage in src/stores.
 */

export const governanceEventKinds = [
  /** A budget crossed an alert threshold (fired once per budget, scope value, period and threshold). */
  'budget_alert',
  /** The burn rate of the period so far would exhaust a budget before the period ends. */
  'budget_forecast',
  /** A request refused by a budget with action block. */
  'budget_blocked',
  /** A request a budget with action shadow would have refused (it was served). */
  'budget_shadow',
  /** A request served with a cheaper model by a budget with action downgrade. */
  'budget_downgraded',
  /** A request whose output (or reasoning effort) a budget with action cap lowered. */
  'budget_capped',
  /** A circuit breaker tripped for a session (action block: the request was refused). */
  'breaker_trip',
  /** A circuit breaker condition met with action warn (served, warned) or shadow (served, recorded). */
  'breaker_warn',
  'breaker_shadow',
  /** A request refused by a rate limit. */
  'rate_limited',
] as const;
export type GovernanceEventKind = (typeof governanceEventKinds)[number];

/** One governance event: stored for the dashboard and `jevons budgets|breakers list`, and logged. */
export interface GovernanceEvent {
  id: string;
  /** Epoch ms. */
  at: number;
  kind: GovernanceEventKind;
  /** Name of the budget, breaker or rate limit. */
  name: string;
  /** The scope value the event is about (`team=search`, `user=u-42`, or '' for a global budget); null if none. */
  scope: string | null;
  /** Session id (breakers) or null. */
  session: string | null;
  /** The request that caused it, when one did. */
  requestId: string | null;
  /** One line for people: why it happened. */
  reason: string;
  /** USD involved: the spend at an alert, the estimated cost a block stopped, null when unknown. */
  costUsd: number | null;
  /** Machine-readable facts (limit, spent, threshold, projected date, loop kind, ...). */
  details: Record<string, unknown>;
}

/** After every settle: where one budget (one scope value, one period) stands. Alerts are computed from these. */
export interface BudgetSpendUpdate {
  budget: string;
  /** `team=search`, `user=u-42`, ... ('' for global). */
  scope: string;
  /** The period's bounds, epoch ms (lifetime: start 0, end Infinity; rolling: now - window .. now). */
  periodStart: number;
  periodEnd: number;
  spentUsd: number;
  spentTokens: number;
  limitUsd: number | null;
  limitTokens: number | null;
  at: number;
}

/**
 * Spend recorded in the ledger for one budget scope and period (`ledgerSpend` in src/stores/sqlite/ledger-spend.ts):
 * what a budget restores when a process first touches its counter (restart restore). Rows with started_at in
 * [since, until) whose attribution matches every given dimension (`model` = the requested model) and tag.
 */
export interface SpendQuery {
  /** Epoch ms, inclusive. */
  since: number;
  /** Epoch ms, exclusive. */
  until: number;
  match: Partial<Record<'team' | 'app' | 'feature' | 'key' | 'user' | 'customer' | 'session' | 'model', string>> & { tags?: Record<string, string> };
}

/**
 * What `jevons budgets set|reset` stored (src/stores/sqlite/budget-overrides.ts) and the budget policy applies
 * (`applyOverrides`): limits replacing jevons.yaml's, and instants a budget's spend counts from.
 */
export interface BudgetOverride {
  name: string;
  /** null keeps the configured limit. */
  limitUsd: number | null;
  limitTokens: number | null;
  updatedAt: number;
}

export interface BudgetReset {
  name: string;
  /** `team=search`, or '' for every scope value of the budget. */
  scope: string;
  resetAt: number;
}

export interface BudgetOverrides {
  limits: BudgetOverride[];
  resets: BudgetReset[];
}

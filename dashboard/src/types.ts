/** The admin API's response shapes the dashboard reads (docs/admin-api.md); only the fields used here. */
export interface Metrics {
  cost_usd: number;
  cost_uncached_usd: number;
  requests: number;
  rows: number;
  errors: number;
  unpriced_rows: number;
  tokens: { input: number; cache_read: number; cache_write_5m: number; cache_write_1h: number; output: number; reasoning: number };
  cache_hits: { exact: number; semantic: number };
  savings: { response_cache_usd: number; prompt_cache_usd: number; total_usd: number };
}
export interface SpendResponse {
  from: string;
  to: string;
  tz: string;
  interval: string;
  group_by: string | null;
  buckets: Array<{ start: string; end: string }>;
  totals: Metrics;
  groups: Array<{ group: string | null; totals: Metrics; series: Metrics[] }>;
  next_cursor: string | null;
}
export interface TopResponse {
  tz: string;
  total_cost_usd: number;
  data: Array<Metrics & { rank: number; group: string | null; share: number }>;
}
export interface SavingsResponse {
  tz: string;
  total_saved_usd: number;
  by_source: { exact: { hits: number; saved_usd: number }; semantic: { hits: number; saved_usd: number }; prompt_cache: { hits: number; saved_usd: number }; routing: { decisions: number; saved_usd: number } };
  by_feature: Array<{ feature: string | null; cost_usd: number; cost_uncached_usd: number; response_cache_saved_usd: number; prompt_cache_saved_usd: number }>;
}
export interface Budget {
  budget: string;
  scope: string | null;
  period: string;
  timezone: string;
  period_start: string;
  period_end: string | null;
  counted_from: string;
  limit_usd: number | null;
  limit_tokens: number | null;
  spent_usd: number;
  spent_tokens: number;
  remaining_usd: number | null;
  utilisation: number | null;
  action: string;
  alerts_fired: string[];
}
export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}
export interface GovernanceEvent {
  id: string;
  at: string;
  kind: string;
  name: string;
  scope: string | null;
  reason: string;
  cost_usd: number | null;
}
export interface RequestRow {
  id: string;
  request_id: string;
  attempt: number;
  started_at: string;
  latency_ms: number;
  ttft_ms: number | null;
  provider: string;
  model: string;
  served_model: string | null;
  status: number;
  error_code: string | null;
  streamed: boolean;
  cache_source: string | null;
  attribution: { feature: string | null; customer: string | null; user: string | null; team: string | null; session: string | null };
  tokens: { input: number; cache_read: number; output: number };
  cost_usd: number | null;
}
export interface Customer {
  customer: string;
  plan: string | null;
  requests: number;
  cost_usd: number;
}
export interface Plan {
  name: string;
  monthly_price_usd: number;
  included_usage_usd: number | null;
}
export interface OutcomeGroup {
  key: string | null;
  requests: number;
  spend_usd: number;
  successes: number;
  failures: number;
  cost_per_success_usd: number | null;
  success_rate: number | null;
}
export interface OutcomesResponse {
  total_spend_usd: number;
  total: OutcomeGroup;
  groups: OutcomeGroup[];
}
export interface FanPoint {
  day: string;
  baseline_usd: number;
  low_usd: number;
  high_usd: number;
  conservative_usd: number;
  expected_usd: number;
  aggressive_usd: number;
}
export interface Scenario {
  multiplier: number;
  daily_usd: number;
  remaining_usd: number;
  total_usd: number;
}
export interface ForecastPeriod {
  start: string;
  end: string;
  actual_usd: number;
  scenarios: Record<'conservative' | 'expected' | 'aggressive', Scenario>;
}
export interface ForecastSeries {
  series: 'total' | 'feature';
  feature: string | null;
  run_rate_usd_per_day: number;
  actual: Array<{ day: string; usd: number }>;
  month: ForecastPeriod;
  quarter: ForecastPeriod;
  fan: FanPoint[];
}
export interface RunOut {
  daily_usd: number;
  runs_out_on: string | null;
  projected_period_usd: number;
}
export interface BudgetForecast {
  budget: string;
  scope: string;
  forecast: boolean;
  reason?: string;
  limit_usd?: number;
  status?: string;
  scenarios?: Record<'conservative' | 'expected' | 'aggressive', RunOut>;
}
export interface ForecastResponse {
  as_of: string;
  multipliers: Record<'conservative' | 'expected' | 'aggressive', number>;
  series: ForecastSeries[];
  budgets: BudgetForecast[];
}
export interface WhaleCustomer {
  customer: string;
  plan: string | null;
  plan_status: string;
  revenue_usd: number | null;
  cost_usd: number;
  margin_usd: number | null;
  margin_pct: number | null;
  cost_share_of_revenue: number | null;
  is_whale: boolean | null;
  trend: { previous_month_cost_usd: number; change_usd: number; change_pct: number | null };
  heaviest_sessions: Array<{ session: string; cost_usd: number; requests: number; share_of_customer_cost: number | null }>;
}
export interface WhalesResponse {
  month: string;
  whale_share: number;
  totals: { revenue_usd: number; cost_usd: number; cost_of_customers_without_plan_usd: number; whales: number; customers_without_plan: number };
  data: WhaleCustomer[];
  next_cursor: string | null;
}
export interface WasteKind {
  kind: string;
  usd: number;
  count: number;
  unpriced: number;
  breakdown: Array<{ key: string; usd: number; count: number }>;
}
export interface WasteResponse {
  totals: { waste_usd: number; overlap_usd: number; saved_usd: number };
  waste: WasteKind[];
  savings: WasteKind[];
  stopped_by_breakers: { usd: number; trips: number; sessions: number; unknown: number };
}

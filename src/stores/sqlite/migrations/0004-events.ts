/**
 * Schema version 4: governance. `events` holds alerts, blocks, breaker trips and rate-limit refusals (GovernanceEvent,
 * src/spec/governance.ts); `details` is JSON text, `cost_usd` NULL when unknown. Events are rare next to ledger rows,
 * so they can afford two indexes: time ranges (dashboard, `jevons breakers list --since`) and (kind, name) (fired
 * alert markers, per-budget listings).
 * `budget_overrides` and `budget_resets` are what `jevons budgets set|reset` write and a running gateway polls
 * (src/stores/sqlite/budget-overrides.ts): a limit replacing the configured one, and the instant from which a
 * budget's spend (one scope value, or '' = every scope value) is counted again.
 */
export const sql = `
CREATE TABLE events (
  id TEXT NOT NULL PRIMARY KEY,
  at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  scope TEXT,
  session TEXT,
  request_id TEXT,
  reason TEXT NOT NULL,
  cost_usd REAL,
  details TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX events_at ON events (at);
CREATE INDEX events_kind_name ON events (kind, name);
CREATE TABLE budget_overrides (
  name TEXT NOT NULL PRIMARY KEY,
  limit_usd REAL,
  limit_tokens INTEGER,
  updated_at INTEGER NOT NULL
);
CREATE TABLE budget_resets (
  name TEXT NOT NULL,
  scope TEXT NOT NULL,
  reset_at INTEGER NOT NULL,
  PRIMARY KEY (name, scope)
);
`;

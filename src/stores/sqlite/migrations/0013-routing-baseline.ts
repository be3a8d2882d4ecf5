/**
 * Schema version 13: routing savings (docs/routing.md, "Routing savings").
 * - `baseline_provider`, `baseline_model`: the model a call served as routing decided would have used without routing
 *   (the model the caller named, or `routing.auto.baseline_model` for `jevons/auto`); `baseline_cost_usd`: the row's
 *   usage priced at it. NULL on rows without a serve-mode decision and on rows written before this version.
 * - `ledger_routed`: the rows of calls with a routing decision (serve or shadow, pinned included), by start time.
 *   0010's `ledger_route_tier` cannot find them all: `route_tier` is NULL for a rule's `model`, a pinned model and
 *   every shadowed call. Partial, so a ledger without routing keeps it empty and pays nothing to maintain it.
 *   Creating it reads the ledger once, inside the migration's transaction.
 */
export const sql = `
ALTER TABLE ledger ADD COLUMN baseline_provider TEXT;
ALTER TABLE ledger ADD COLUMN baseline_model TEXT;
ALTER TABLE ledger ADD COLUMN baseline_cost_usd REAL;
CREATE INDEX ledger_routed ON ledger (started_at) WHERE route_reason IS NOT NULL;
`;

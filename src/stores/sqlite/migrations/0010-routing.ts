/**
 * Schema version 10: routing decisions (docs/routing.md). Every row of a call carries the decision that chose its
 * target: tier, reason, classifier score and id, the ordered candidates (JSON array of {provider, model}); in shadow
 * mode the tier / provider / model the router would have chosen and that model's estimated cost; and per attempt the
 * reason it followed the previous one (fallback or cascade escalation). Rows of calls routed by model name alone, and
 * rows written before this version, have NULL in all of them.
 */
export const sql = `
ALTER TABLE ledger ADD COLUMN route_tier TEXT;
ALTER TABLE ledger ADD COLUMN route_reason TEXT;
ALTER TABLE ledger ADD COLUMN route_score REAL;
ALTER TABLE ledger ADD COLUMN route_classifier TEXT;
ALTER TABLE ledger ADD COLUMN route_candidates TEXT;
ALTER TABLE ledger ADD COLUMN shadow_tier TEXT;
ALTER TABLE ledger ADD COLUMN shadow_provider TEXT;
ALTER TABLE ledger ADD COLUMN shadow_model TEXT;
ALTER TABLE ledger ADD COLUMN shadow_cost_usd REAL;
ALTER TABLE ledger ADD COLUMN follows_reason TEXT;
CREATE INDEX ledger_route_tier ON ledger (route_tier, started_at) WHERE route_tier IS NOT NULL;
`;

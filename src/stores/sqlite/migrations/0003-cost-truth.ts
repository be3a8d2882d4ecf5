/**
 * Schema version 3: what exact costing needs on each row. Modality subsets of the token kinds (audio and image
 * tokens, priced at their own rates), the service tier the provider billed at, the per-request fee, and the audit
 * columns `jevons reprice` fills when it corrects a row: the cost and price entry the row had before, and when.
 */
export const sql = `
ALTER TABLE ledger ADD COLUMN input_audio_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ledger ADD COLUMN input_image_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ledger ADD COLUMN cache_read_audio_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ledger ADD COLUMN output_audio_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ledger ADD COLUMN output_image_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ledger ADD COLUMN service_tier TEXT NOT NULL DEFAULT 'standard';
ALTER TABLE ledger ADD COLUMN cost_request_usd REAL;
ALTER TABLE ledger ADD COLUMN previous_cost_total_usd REAL;
ALTER TABLE ledger ADD COLUMN previous_price_ref TEXT;
ALTER TABLE ledger ADD COLUMN repriced_at INTEGER;
`;

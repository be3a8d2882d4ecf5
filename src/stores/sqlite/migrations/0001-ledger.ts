/**
 * Schema version 1: the ledger, one row per upstream attempt (LedgerRow). One column per field, attribution
 * flattened so it can be grouped and indexed; tags as JSON text; booleans 0/1; times INTEGER epoch ms; costs REAL
 * and NULL when the model is unpriced (unknown, never 0). Only two secondary indexes: time ranges and request
 * lookups. Every index is written on every insert (each one cost ~17 µs of pwrite per request at 500 req/s),
 * and "spend by X over a period" scans the time range; the dashboard reads pre-aggregated rollups instead.
 */
export const sql = `
CREATE TABLE ledger (
  id TEXT NOT NULL PRIMARY KEY,
  request_id TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  started_at INTEGER NOT NULL,
  first_byte_at INTEGER,
  ended_at INTEGER NOT NULL,
  dialect TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  provider TEXT NOT NULL,
  requested_model TEXT NOT NULL,
  served_model TEXT,
  status INTEGER NOT NULL,
  error_code TEXT,
  streamed INTEGER NOT NULL CHECK (streamed IN (0, 1)),
  client_aborted INTEGER NOT NULL CHECK (client_aborted IN (0, 1)),
  key_id TEXT,
  team TEXT,
  app TEXT,
  feature TEXT,
  user_id TEXT,
  customer TEXT,
  session_id TEXT,
  tags TEXT NOT NULL DEFAULT '{}',
  input_tokens INTEGER NOT NULL,
  cache_read_tokens INTEGER NOT NULL,
  cache_write_5m_tokens INTEGER NOT NULL,
  cache_write_1h_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  reasoning_tokens INTEGER NOT NULL,
  usage_estimated INTEGER NOT NULL CHECK (usage_estimated IN (0, 1)),
  cost_input_usd REAL,
  cost_cache_read_usd REAL,
  cost_cache_write_usd REAL,
  cost_output_usd REAL,
  cost_total_usd REAL,
  price_ref TEXT,
  config_hash TEXT NOT NULL
);
CREATE INDEX ledger_started_at ON ledger (started_at);
CREATE INDEX ledger_request_id ON ledger (request_id);
`;

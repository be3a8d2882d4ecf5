/**
 * Schema version 8: customer plans and the customer -> plan mapping (the admin API's /plans and /customers, the whale
 * report's denominator). jevons.yaml `plans:` and `customers:` seed these tables at start (`source = 'config'`); a
 * change made through the admin API marks the row `source = 'api'` and from then on the table wins over the file for
 * that plan or customer. A plan or mapping deleted through the API stays as a tombstone (`deleted = 1`, source 'api')
 * so the next start does not seed it back from the file.
 */
export const sql = `
CREATE TABLE plans (
  name TEXT NOT NULL PRIMARY KEY,
  monthly_price_usd REAL NOT NULL,
  included_usage_usd REAL,
  source TEXT NOT NULL CHECK (source IN ('config', 'api')),
  deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
  updated_at INTEGER NOT NULL
);
CREATE TABLE customer_plans (
  customer TEXT NOT NULL PRIMARY KEY,
  plan TEXT,
  source TEXT NOT NULL CHECK (source IN ('config', 'api')),
  updated_at INTEGER NOT NULL
);
`;

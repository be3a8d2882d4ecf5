/**
 * Schema version 2: virtual keys. Only the secret's hash is stored (UNIQUE: it is the lookup key on every
 * request); `defaults` is the key's attribution (team/app/feature/customer) as JSON text.
 */
export const sql = `
CREATE TABLE keys (
  id TEXT NOT NULL PRIMARY KEY,
  name TEXT NOT NULL,
  prefix TEXT NOT NULL,
  secret_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER,
  defaults TEXT NOT NULL DEFAULT '{}'
);
`;

/**
 * Schema version 9: outcomes (docs/outcomes.md). One row per recorded outcome of a request (`request_id`) or of a
 * whole session (`session_id`): exactly one of the two is set. `status` 'success' | 'failure' and/or `score` in
 * [0, 1]; at least one. `source` says how it arrived: 'api' (POST /v1/jevons/outcomes) or 'header' (the
 * x-jevons-outcome / x-jevons-session-outcome round-trip on a later model call). `key_id` is the virtual key that
 * recorded it ('' when auth is off). Several outcomes for the same request or session may exist: the latest
 * (at, then rowid) wins in the analytics. Indexed by request and session, the two ways the analytics join them.
 */
export const sql = `
CREATE TABLE outcomes (
  id TEXT NOT NULL PRIMARY KEY,
  at INTEGER NOT NULL,
  request_id TEXT,
  session_id TEXT,
  status TEXT CHECK (status IN ('success', 'failure')),
  score REAL CHECK (score >= 0 AND score <= 1),
  key_id TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('api', 'header')),
  note TEXT,
  CHECK ((request_id IS NULL) <> (session_id IS NULL)),
  CHECK (status IS NOT NULL OR score IS NOT NULL)
);
CREATE INDEX outcomes_request_id ON outcomes (request_id);
CREATE INDEX outcomes_session_id ON outcomes (session_id);
`;

/**
 * Schema version 6: the semantic cache.
 *
 * `semantic_cache_entries`: one cached answer per row. `partition` is the caller's hash of (tenant, model, system
 * prompt, tool set), a hard filter; `text` the question (last user turn); `payload` the answer as stored by the cache
 * policy; `vector` the question's embedding as little-endian float32, so the vector index is rebuilt from the rows at
 * start; `embedder` the id of the embedder that produced it (rows of another embedder are dropped); times in epoch ms.
 * The row id is the vector's label in the index; AUTOINCREMENT so a label is never reused.
 *
 * `cache_shadow_hits`: would-be hits recorded in shadow mode (similarity, both questions, the answer that would have
 * been served) so the cache's precision can be reviewed before it serves anything.
 */
export const sql = `
CREATE TABLE semantic_cache_entries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  partition TEXT NOT NULL,
  text TEXT NOT NULL,
  payload BLOB NOT NULL,
  vector BLOB NOT NULL,
  embedder TEXT NOT NULL,
  stored_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);

CREATE TABLE cache_shadow_hits (
  id TEXT PRIMARY KEY,
  at INTEGER NOT NULL,
  request_id TEXT,
  feature TEXT,
  model TEXT NOT NULL,
  similarity REAL NOT NULL,
  question TEXT NOT NULL,
  matched_question TEXT NOT NULL,
  answer TEXT NOT NULL,
  partition TEXT NOT NULL
);
CREATE INDEX cache_shadow_hits_at ON cache_shadow_hits (at);
`;

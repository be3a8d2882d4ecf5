/**
 * Outcomes in the `outcomes` table (migration 0009, docs/outcomes.md): what POST /v1/jevons/outcomes and the
 * x-jevons-outcome header round-trip record. `createOutcomeWriter` inserts a batch in one transaction; `listOutcomes`
 * reads them back in recording order (the order costPerOutcome needs: the last one for a request or session wins).
 */
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import type { OutcomeRecord } from '../../spec/outcomes.js';

export type OutcomeRow = OutcomeRecord;

const rowSchema = z
  .object({
    id: z.string(),
    at: z.number(),
    request_id: z.string().nullable(),
    session_id: z.string().nullable(),
    status: z.enum(['success', 'failure']).nullable(),
    score: z.number().nullable(),
    key_id: z.string(),
    source: z.enum(['api', 'header']),
    note: z.string().nullable(),
  })
  .transform((r): OutcomeRow => ({ id: r.id, at: r.at, requestId: r.request_id, sessionId: r.session_id, status: r.status, score: r.score, keyId: r.key_id, source: r.source, note: r.note }));

const insertSql = `INSERT INTO outcomes (id, at, request_id, session_id, status, score, key_id, source, note)
  VALUES (@id, @at, @requestId, @sessionId, @status, @score, @keyId, @source, @note)`;

/** The writer: one transaction per batch (all rows or none). Throws on a constraint or I/O failure. */
export function createOutcomeWriter(db: Database): (rows: readonly OutcomeRow[]) => void {
  const insert = db.prepare(insertSql);
  const all = db.transaction((rows: readonly OutcomeRow[]) => {
    for (const row of rows) insert.run(row);
  });
  return (rows) => {
    if (rows.length > 0) all(rows);
  };
}

/** Outcomes recorded in [since, until) (both optional), oldest first (ties: insertion order). */
export function listOutcomes(db: Database, range: { since?: number; until?: number } = {}): OutcomeRow[] {
  return db
    .prepare('SELECT id, at, request_id, session_id, status, score, key_id, source, note FROM outcomes WHERE at >= @since AND at < @until ORDER BY at, rowid')
    .all({ since: range.since ?? Number.MIN_SAFE_INTEGER, until: range.until ?? Number.MAX_SAFE_INTEGER })
    .map((record) => rowSchema.parse(record));
}

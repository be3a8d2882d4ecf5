/**
 * Would-be hits of the semantic cache in shadow mode, in `cache_shadow_hits` (migration 0006), so a reviewer can read
 * the question, the cached question it matched, the similarity and the answer that would have been served before
 * switching the cache to serve. One INSERT per hit: shadow hits are rare next to requests and written after the
 * response, never on the path of the client's bytes.
 */
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import type { ShadowHit } from '../../spec/semantic-cache.js';

export type StoredShadowHit = ShadowHit;

export interface ShadowHitQuery {
  since?: number;
  feature?: string;
  /** Default 100. */
  limit?: number;
}

export interface SqliteShadowHitStore {
  record(hit: StoredShadowHit): Promise<void>;
  list(query: ShadowHitQuery): Promise<StoredShadowHit[]>;
}

const rowSchema = z
  .object({
    id: z.string(),
    at: z.number(),
    request_id: z.string().nullable(),
    feature: z.string().nullable(),
    model: z.string(),
    similarity: z.number(),
    question: z.string(),
    matched_question: z.string(),
    answer: z.string(),
    partition: z.string(),
  })
  .transform(
    (r): StoredShadowHit => ({
      id: r.id,
      at: r.at,
      requestId: r.request_id,
      feature: r.feature,
      model: r.model,
      similarity: r.similarity,
      question: r.question,
      matchedQuestion: r.matched_question,
      answer: r.answer,
      partition: r.partition,
    }),
  );

const columns = 'id, at, request_id, feature, model, similarity, question, matched_question, answer, partition';

export function createSqliteShadowHitStore(db: Database): SqliteShadowHitStore {
  const insert = db.prepare(
    `INSERT INTO cache_shadow_hits (${columns}) VALUES (@id, @at, @requestId, @feature, @model, @similarity, @question, @matchedQuestion, @answer, @partition) ON CONFLICT (id) DO NOTHING`,
  );
  return {
    async record(hit) {
      insert.run(hit);
    },
    async list(query) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (query.since !== undefined) {
        where.push('at >= ?');
        params.push(query.since);
      }
      if (query.feature !== undefined) {
        where.push('feature = ?');
        params.push(query.feature);
      }
      params.push(Math.max(0, Math.trunc(query.limit ?? 100)));
      const sql = `SELECT ${columns} FROM cache_shadow_hits${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY at DESC, id DESC LIMIT ?`;
      return db
        .prepare(sql)
        .all(...params)
        .map((row) => rowSchema.parse(row));
    },
  };
}

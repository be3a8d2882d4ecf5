/**
 * The embedded EventStore: governance events in the `events` table (migration 0004). `append` writes a batch in one
 * synchronous transaction (better-sqlite3); the gateway does not call it per event but through the event recorder
 * (src/server/governance/event-recorder.ts), which queues events and writes them together at most every 100 ms, so a
 * storm of refusals costs one transaction per flush, never a write on the request path.
 */
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { governanceEventKinds, type GovernanceEvent } from '../../spec/governance.js';
import type { EventQuery, EventStore } from '../../spec/ports.js';
import { jsonColumn } from './json-column.js';

/** A stored `events` record parsed into a GovernanceEvent (also read by the admin API, admin-events.ts). */
export const eventRecordSchema = z
  .object({
    id: z.string(),
    at: z.number(),
    kind: z.enum(governanceEventKinds),
    name: z.string(),
    scope: z.string().nullable(),
    session: z.string().nullable(),
    request_id: z.string().nullable(),
    reason: z.string(),
    cost_usd: z.number().nullable(),
    details: jsonColumn('details', z.record(z.string(), z.unknown())),
  })
  .transform(
    (r): GovernanceEvent => ({
      id: r.id,
      at: r.at,
      kind: r.kind,
      name: r.name,
      scope: r.scope,
      session: r.session,
      requestId: r.request_id,
      reason: r.reason,
      costUsd: r.cost_usd,
      details: r.details,
    }),
  );

export const eventColumns = 'id, at, kind, name, scope, session, request_id, reason, cost_usd, details';

/** JSON text of the details; Infinity and NaN (not JSON) become null rather than failing the batch. */
function detailsText(details: Record<string, unknown>): string {
  return JSON.stringify(details, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? null : value));
}

/** The query's WHERE clause from fixed fragments; every value is a bound parameter. */
function listSql(query: EventQuery): { sql: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (query.since !== undefined) {
    where.push('at >= ?');
    params.push(query.since);
  }
  if (query.until !== undefined) {
    where.push('at < ?');
    params.push(query.until);
  }
  if (query.kinds !== undefined) {
    where.push(`kind IN (${query.kinds.map(() => '?').join(', ') || 'NULL'})`);
    params.push(...query.kinds);
  }
  if (query.name !== undefined) {
    where.push('name = ?');
    params.push(query.name);
  }
  params.push(Math.max(0, Math.trunc(query.limit ?? 1_000)));
  return { sql: `SELECT ${eventColumns} FROM events${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY at DESC, id DESC LIMIT ?`, params };
}

export function createSqliteEventStore(db: Database): EventStore {
  const insert = db.prepare(
    `INSERT INTO events (${eventColumns}) VALUES (@id, @at, @kind, @name, @scope, @session, @requestId, @reason, @costUsd, @details) ON CONFLICT (id) DO NOTHING`,
  );
  const insertAll = db.transaction((events: readonly GovernanceEvent[]) => {
    for (const event of events) insert.run({ ...event, details: detailsText(event.details) });
  });
  const fired = db.prepare(
    "SELECT 1 FROM events WHERE kind IN ('budget_alert', 'budget_forecast') AND name = ? AND at >= ? AND json_extract(details, '$.alertKey') = ? LIMIT 1",
  );
  return {
    async append(events) {
      if (events.length > 0) insertAll(events);
    },
    async list(query) {
      const { sql, params } = listSql(query);
      return db
        .prepare(sql)
        .all(...params)
        .map((record) => eventRecordSchema.parse(record));
    },
    async alertFired(query) {
      return fired.get(query.name, query.since, query.alertKey) !== undefined;
    },
  };
}

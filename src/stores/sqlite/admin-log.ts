/**
 * The admin API's logs: the request log (ledger rows, newest first) and governance events, both paged by keyset
 * (`started_at, id` / `at, id` strictly before the last item returned), so a page boundary never moves when rows are
 * inserted meanwhile: new rows are newer than the first page and never shift later pages (no duplicates, no gaps).
 * Every filter is a fixed SQL fragment with a bound value.
 */
import type { Database } from 'better-sqlite3';
import type { GovernanceEvent, GovernanceEventKind } from '../../spec/governance.js';
import type { LedgerRow } from '../../spec/ledger.js';
import { eventColumns, eventRecordSchema } from './event-store.js';
import { ledgerRecordSchema, selectLedgerColumns } from './ledger-record.js';

/** A position in a newest-first list: the (time, id) of the last item of the previous page. */
export interface Keyset {
  at: number;
  id: string;
}

export interface RequestLogQuery {
  since?: number;
  until?: number;
  model?: string;
  feature?: string;
  customer?: string;
  /** An HTTP status, or 'ok' (< 400 and no error code) / 'error' (the rest). */
  status?: number | 'ok' | 'error';
  /** `none` = an upstream call (no response cache answered). */
  cacheSource?: 'exact' | 'semantic' | 'none';
  /** One request's rows (its attempts); uses the request_id index. */
  requestId?: string;
  after?: Keyset;
  limit: number;
}

export function listRequestRows(db: Database, query: RequestLogQuery): LedgerRow[] {
  const where: string[] = [];
  const params: Record<string, unknown> = { limit: query.limit };
  const add = (clause: string, name: string, value: unknown) => {
    where.push(clause);
    params[name] = value;
  };
  if (query.since !== undefined) add('started_at >= @since', 'since', query.since);
  if (query.until !== undefined) add('started_at < @until', 'until', query.until);
  if (query.requestId !== undefined) add('request_id = @requestId', 'requestId', query.requestId);
  if (query.model !== undefined) add('requested_model = @model', 'model', query.model);
  if (query.feature !== undefined) add('feature = @feature', 'feature', query.feature);
  if (query.customer !== undefined) add('customer = @customer', 'customer', query.customer);
  if (typeof query.status === 'number') add('status = @status', 'status', query.status);
  if (query.status === 'ok') where.push('(status < 400 AND error_code IS NULL)');
  if (query.status === 'error') where.push('(status >= 400 OR error_code IS NOT NULL)');
  if (query.cacheSource === 'none') where.push('cache_source IS NULL');
  else if (query.cacheSource !== undefined) add('cache_source = @cacheSource', 'cacheSource', query.cacheSource);
  if (query.after !== undefined) {
    where.push('(started_at < @afterAt OR (started_at = @afterAt AND id < @afterId))');
    params.afterAt = query.after.at;
    params.afterId = query.after.id;
  }
  const sql = `SELECT ${selectLedgerColumns} FROM ledger ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY started_at DESC, id DESC LIMIT @limit`;
  return db
    .prepare(sql)
    .all(params)
    .map((record) => ledgerRecordSchema.parse(record));
}

export interface EventLogQuery {
  since?: number;
  until?: number;
  kinds?: readonly GovernanceEventKind[];
  name?: string;
  scope?: string;
  session?: string;
  after?: Keyset;
  limit: number;
}

export function listEventRows(db: Database, query: EventLogQuery): GovernanceEvent[] {
  const where: string[] = [];
  const params: Record<string, unknown> = { limit: query.limit };
  const add = (clause: string, name: string, value: unknown) => {
    where.push(clause);
    params[name] = value;
  };
  if (query.since !== undefined) add('at >= @since', 'since', query.since);
  if (query.until !== undefined) add('at < @until', 'until', query.until);
  if (query.kinds !== undefined) add('kind IN (SELECT value FROM json_each(@kinds))', 'kinds', JSON.stringify(query.kinds));
  if (query.name !== undefined) add('name = @name', 'name', query.name);
  if (query.scope !== undefined) add('scope = @scope', 'scope', query.scope);
  if (query.session !== undefined) add('session = @session', 'session', query.session);
  if (query.after !== undefined) {
    where.push('(at < @afterAt OR (at = @afterAt AND id < @afterId))');
    params.afterAt = query.after.at;
    params.afterId = query.after.id;
  }
  const sql = `SELECT ${eventColumns} FROM events ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at DESC, id DESC LIMIT @limit`;
  return db
    .prepare(sql)
    .all(params)
    .map((record) => eventRecordSchema.parse(record));
}

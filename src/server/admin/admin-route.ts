/**
 * The shape of one admin route: its method and path template, the documentation the OpenAPI document is built from
 * (query parameters, body and response schemas), and the handler. The router accepts exactly the query parameters a
 * route documents, so the document and the behaviour cannot drift apart.
 */
import type { IncomingMessage } from 'node:http';
import type { Database } from 'better-sqlite3';
import type { BudgetConfig } from '../../spec/config/governance-schema.js';
import type { KeyStore } from '../../spec/ports.js';
import type { Logger } from '../logger.js';
import type { AdminQuery } from './admin-params.js';

export type JsonSchema = Record<string, unknown>;

export interface AdminDeps {
  /** The gateway's SQLite connection (ledger, events, budget overrides, keys, plans). */
  db: Database;
  keys: KeyStore;
  budgets: readonly BudgetConfig[];
  /** admin.timezone: the zone of days, weeks and months unless a request names one. */
  timezone: string;
  now: () => number;
  logger: Logger;
  maxBodyBytes: number;
}

export interface AdminContext {
  request: IncomingMessage;
  query: AdminQuery;
  /** Values of the `{name}` segments of the path, decoded. */
  path: Record<string, string>;
  deps: AdminDeps;
  now: number;
}

export interface ParamDoc {
  /** A name ending in `.` is a family of parameters (`filter.` = filter.team, filter.tag:env, …). */
  name: string;
  description: string;
  schema: JsonSchema;
  required?: boolean;
}

export type Method = 'GET' | 'PUT' | 'POST' | 'DELETE';

export interface AdminRoute {
  method: Method;
  /** Relative to /admin/v1, with `{name}` segments: `/requests/{id}`. */
  path: string;
  summary: string;
  description?: string;
  params?: readonly ParamDoc[];
  body?: JsonSchema;
  /** The 200 (or `status`) response body. */
  response: JsonSchema;
  status?: number;
  handle(context: AdminContext): Promise<unknown>;
}

// Small JSON Schema builders for the route documentation.
export const str = (description?: string): JsonSchema => ({ type: 'string', ...(description ? { description } : {}) });
export const num = (description?: string): JsonSchema => ({ type: 'number', ...(description ? { description } : {}) });
export const int = (description?: string): JsonSchema => ({ type: 'integer', ...(description ? { description } : {}) });
export const bool = (description?: string): JsonSchema => ({ type: 'boolean', ...(description ? { description } : {}) });
export const nullable = (schema: JsonSchema): JsonSchema => ({ ...schema, type: [schema.type, 'null'] });
export const arr = (items: JsonSchema): JsonSchema => ({ type: 'array', items });
export const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
export const obj = (properties: Record<string, JsonSchema>, required: readonly string[] = Object.keys(properties)): JsonSchema => ({ type: 'object', properties, required, additionalProperties: false });
export const page = (item: JsonSchema): JsonSchema => obj({ data: arr(item), next_cursor: nullable(str('Pass as `cursor` to get the next page; null on the last page.')) });

export const limitParam: ParamDoc = { name: 'limit', description: 'Items per page, 1 to 1000 (default 100).', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } };
export const cursorParam: ParamDoc = { name: 'cursor', description: 'The `next_cursor` of the previous page (opaque).', schema: str() };
export const tzParam: ParamDoc = { name: 'tz', description: 'IANA time zone of dates without an offset and of day/week/month buckets (default admin.timezone).', schema: str() };
export const fromParam = (fallback: string): ParamDoc => ({ name: 'from', description: `Start, inclusive: ISO date (local midnight in tz) or date-time (with Z/offset: that instant; without: local time in tz). Default ${fallback}.`, schema: str() });
export const toParam = (fallback: string): ParamDoc => ({ name: 'to', description: `End, exclusive, same formats as from. Default ${fallback}.`, schema: str() });

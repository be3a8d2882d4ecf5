/**
 * GET /requests (the request log: metadata of ledger rows, never prompt or response content), /requests/{id} (its
 * attempts), and the governance events: /events, /alerts (budget alerts and forecasts), /breakers/trips. Newest first,
 * keyset pagination (src/stores/sqlite/admin-log.ts).
 */
import { z } from 'zod';
import { governanceEventKinds, type GovernanceEvent, type GovernanceEventKind } from '../../spec/governance.js';
import type { LedgerRow } from '../../spec/ledger.js';
import { listEventRows, listRequestRows, type Keyset } from '../../stores/sqlite/admin-log.js';
import { AdminError, badParam } from './admin-error.js';
import { encodeCursor } from './admin-params.js';
import { arr, bool, cursorParam, fromParam, int, limitParam, nullable, num, obj, page, ref, str, toParam, tzParam, type AdminContext, type AdminRoute, type ParamDoc } from './admin-route.js';

const keysetSchema = z.tuple([z.number(), z.string()]).transform(([at, id]): Keyset => ({ at, id }));

/** One ledger row as the request log shows it: attribution, models, status, timing, tokens and cost. */
export function requestJson(row: LedgerRow): Record<string, unknown> {
  const a = row.attribution;
  return {
    id: row.id,
    request_id: row.requestId,
    attempt: row.attempt,
    started_at: new Date(row.startedAt).toISOString(),
    ended_at: new Date(row.endedAt).toISOString(),
    latency_ms: row.endedAt - row.startedAt,
    ttft_ms: row.firstByteAt === null ? null : row.firstByteAt - row.startedAt,
    dialect: row.dialect,
    endpoint: row.endpoint,
    provider: row.provider,
    model: row.requestedModel,
    served_model: row.servedModel,
    status: row.status,
    error_code: row.errorCode,
    streamed: row.streamed,
    client_aborted: row.clientAborted,
    cache_source: row.cacheSource,
    attribution: { key: a.keyId, team: a.team, app: a.app, feature: a.feature, user: a.user, customer: a.customer, session: a.session, tags: a.tags },
    tokens: { input: row.inputTokens, cache_read: row.cacheReadTokens, cache_write_5m: row.cacheWrite5mTokens, cache_write_1h: row.cacheWrite1hTokens, output: row.outputTokens, reasoning: row.reasoningTokens },
    usage_estimated: row.usageEstimated,
    service_tier: row.serviceTier,
    cost_usd: row.costTotalUsd,
    cost_uncached_usd: row.costUncachedUsd,
    price_ref: row.priceRef,
  };
}

export function eventJson(event: GovernanceEvent): Record<string, unknown> {
  return { id: event.id, at: new Date(event.at).toISOString(), kind: event.kind, name: event.name, scope: event.scope, session: event.session, request_id: event.requestId, reason: event.reason, cost_usd: event.costUsd, details: event.details };
}

function paged<T>(rows: T[], limit: number, keyOf: (row: T) => [number, string]): { rows: T[]; next: string | null } {
  const shown = rows.slice(0, limit);
  const last = shown.at(-1);
  return { rows: shown, next: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null };
}

async function requests(context: AdminContext): Promise<unknown> {
  const q = context.query;
  const timeZone = q.timeZone(context.deps.timezone);
  const { from, to } = q.optionalRange(timeZone);
  const statusText = q.string('status');
  let status: number | 'ok' | 'error' | undefined;
  if (statusText === 'ok' || statusText === 'error') status = statusText;
  else if (statusText !== undefined) {
    if (!/^\d{3}$/.test(statusText)) throw badParam('status', `expected an HTTP status (e.g. 429), ok or error, got ${JSON.stringify(statusText)}`);
    status = Number(statusText);
  }
  const limit = q.limit();
  const rows = listRequestRows(context.deps.db, {
    since: from,
    until: to,
    model: q.string('model'),
    feature: q.string('feature'),
    customer: q.string('customer'),
    status,
    cacheSource: q.oneOf('cache_source', ['exact', 'semantic', 'none'] as const),
    after: q.cursor(keysetSchema),
    limit: limit + 1,
  });
  const { rows: shown, next } = paged(rows, limit, (row) => [row.startedAt, row.id]);
  return { data: shown.map(requestJson), next_cursor: next };
}

async function requestById(context: AdminContext): Promise<unknown> {
  const id = context.path.id ?? '';
  const rows = listRequestRows(context.deps.db, { requestId: id, limit: 1_000 }).sort((x, y) => x.attempt - y.attempt);
  if (rows.length === 0) throw new AdminError({ code: 'not_found', param: 'id', message: `id: no request ${JSON.stringify(id)} in the ledger` });
  return { request_id: id, attempts: rows.map(requestJson) };
}

function eventsHandler(fixedKinds: readonly GovernanceEventKind[] | null) {
  return async (context: AdminContext): Promise<unknown> => {
    const q = context.query;
    const timeZone = q.timeZone(context.deps.timezone);
    const { from, to } = q.optionalRange(timeZone);
    let kinds = fixedKinds ?? undefined;
    if (fixedKinds === null) {
      const asked = q.search.getAll('kind');
      for (const kind of asked) {
        if (!(governanceEventKinds as readonly string[]).includes(kind)) throw badParam('kind', `expected one of ${governanceEventKinds.join(', ')}, got ${JSON.stringify(kind)}`);
      }
      if (asked.length > 0) kinds = asked as GovernanceEventKind[];
    }
    const limit = q.limit();
    const rows = listEventRows(context.deps.db, { since: from, until: to, kinds, name: q.string('name'), scope: q.string('scope'), session: q.string('session'), after: q.cursor(keysetSchema), limit: limit + 1 });
    const { rows: shown, next } = paged(rows, limit, (event) => [event.at, event.id]);
    return { data: shown.map(eventJson), next_cursor: next };
  };
}

const requestSchema = obj({
  id: str('Ledger row id.'), request_id: str(), attempt: int('1 for the first upstream attempt.'), started_at: str(), ended_at: str(), latency_ms: num(), ttft_ms: nullable(num()),
  dialect: str(), endpoint: str(), provider: str(), model: str('Model the caller asked for.'), served_model: nullable(str()), status: int(), error_code: nullable(str()), streamed: bool(), client_aborted: bool(),
  cache_source: nullable(str('exact | semantic when a response cache answered.')),
  attribution: obj({ key: nullable(str()), team: nullable(str()), app: nullable(str()), feature: nullable(str()), user: nullable(str()), customer: nullable(str()), session: nullable(str()), tags: { type: 'object', additionalProperties: str() } }),
  tokens: obj({ input: int(), cache_read: int(), cache_write_5m: int(), cache_write_1h: int(), output: int(), reasoning: int() }),
  usage_estimated: bool(), service_tier: str(), cost_usd: nullable(num('null = unpriced (unknown, not 0).')), cost_uncached_usd: nullable(num()), price_ref: nullable(str()),
});
const eventSchema = obj({ id: str(), at: str(), kind: { type: 'string', enum: [...governanceEventKinds] }, name: str(), scope: nullable(str()), session: nullable(str()), request_id: nullable(str()), reason: str(), cost_usd: nullable(num()), details: { type: 'object' } });
export const logSchemas = { Request: requestSchema, Event: eventSchema };

const optionalRange = [fromParam('none'), toParam('none'), tzParam];
const eventParams: ParamDoc[] = [...optionalRange, { name: 'name', description: 'Budget, breaker or rate-limit name.', schema: str() }, { name: 'scope', description: 'Scope value, e.g. team=search.', schema: str() }, { name: 'session', description: 'Session id.', schema: str() }, limitParam, cursorParam];

export const logRoutes: AdminRoute[] = [
  {
    method: 'GET',
    path: '/requests',
    summary: 'The request log (metadata only), newest first',
    description: 'One item per ledger row (an upstream attempt, or a cache answer). Never contains prompt or response content.',
    params: [...optionalRange, { name: 'model', description: 'Requested model.', schema: str() }, { name: 'feature', description: 'Feature.', schema: str() }, { name: 'customer', description: 'Customer.', schema: str() }, { name: 'status', description: 'An HTTP status, ok or error.', schema: str() }, { name: 'cache_source', description: 'exact | semantic | none (an upstream call).', schema: { type: 'string', enum: ['exact', 'semantic', 'none'] } }, limitParam, cursorParam],
    response: page(ref('Request')),
    handle: requests,
  },
  { method: 'GET', path: '/requests/{id}', summary: 'The attempts of one request', response: obj({ request_id: str(), attempts: arr(ref('Request')) }), handle: requestById },
  { method: 'GET', path: '/events', summary: 'Governance events (alerts, blocks, breaker trips, rate-limit refusals)', params: [{ name: 'kind', description: `Repeatable: ${governanceEventKinds.join(', ')}.`, schema: str() }, ...eventParams], response: page(ref('Event')), handle: eventsHandler(null) },
  { method: 'GET', path: '/alerts', summary: 'Budget alerts and forecast alerts', params: eventParams, response: page(ref('Event')), handle: eventsHandler(['budget_alert', 'budget_forecast']) },
  { method: 'GET', path: '/breakers/trips', summary: 'Circuit-breaker trips (requests refused by a breaker)', params: eventParams, response: page(ref('Event')), handle: eventsHandler(['breaker_trip']) },
];

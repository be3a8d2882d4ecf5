/**
 * LedgerRow <-> `ledger` table record. The column list is declared once here; the INSERT statement and the
 * read-back parser are derived from it, so adding a field touches one place (plus a migration).
 */
import { z } from 'zod';
import type { Dialect } from '../../spec/canonical.js';
import type { Endpoint, LedgerRow } from '../../spec/ledger.js';
import { jsonColumn } from './json-column.js';
import { serviceTiers } from '../../spec/usage.js';

/** Values as bound to / read from SQLite. */
export type SqlValue = string | number | null;

/** Columns in table order; also the named parameters of the INSERT. */
export const ledgerColumns = [
  'id', 'request_id', 'attempt', 'started_at', 'first_byte_at', 'ended_at', 'dialect', 'endpoint', 'provider',
  'requested_model', 'served_model', 'status', 'error_code', 'streamed', 'client_aborted', 'key_id', 'team', 'app',
  'feature', 'user_id', 'customer', 'session_id', 'tags', 'input_tokens', 'cache_read_tokens', 'cache_write_5m_tokens',
  'cache_write_1h_tokens', 'output_tokens', 'reasoning_tokens', 'usage_estimated', 'cost_input_usd',
  'cost_cache_read_usd', 'cost_cache_write_usd', 'cost_output_usd', 'cost_total_usd', 'price_ref', 'config_hash',
  'input_audio_tokens', 'input_image_tokens', 'cache_read_audio_tokens', 'output_audio_tokens', 'output_image_tokens',
  'service_tier', 'cost_request_usd', 'previous_cost_total_usd', 'previous_price_ref', 'repriced_at', 'cache_source',
  'cost_uncached_usd', 'route_tier', 'route_reason', 'route_score', 'route_classifier', 'route_candidates', 'shadow_tier',
  'shadow_provider', 'shadow_model', 'shadow_cost_usd', 'follows_reason', 'baseline_provider', 'baseline_model',
  'baseline_cost_usd',
] as const;

export type LedgerColumn = (typeof ledgerColumns)[number];
export type LedgerRecord = Record<LedgerColumn, SqlValue>;

/** Written only by `jevons reprice`: always NULL on insert, so they are left to their column default. */
const repriceAuditColumns: readonly LedgerColumn[] = ['previous_cost_total_usd', 'previous_price_ref', 'repriced_at'];
const insertColumns = ledgerColumns.filter((column) => !repriceAuditColumns.includes(column));

/** Positional parameters: binding an array is measurably cheaper than named parameters on the write path. */
export const insertLedgerSql = `INSERT INTO ledger (${insertColumns.join(', ')}) VALUES (${insertColumns.map(() => '?').join(', ')})`;
export const selectLedgerColumns = ledgerColumns.join(', ');

const bit = (value: boolean): number => (value ? 1 : 0);

/** The values bound to the INSERT statement for one row, in its column order (audit columns excluded). */
export function toLedgerValues(row: LedgerRow): SqlValue[] {
  const record = toLedgerRecord(row);
  return insertColumns.map((column) => record[column]);
}

/** One row as a record keyed by column. */
export function toLedgerRecord(row: LedgerRow): LedgerRecord {
  const a = row.attribution;
  return {
    id: row.id, request_id: row.requestId, attempt: row.attempt, started_at: row.startedAt,
    first_byte_at: row.firstByteAt, ended_at: row.endedAt, dialect: row.dialect, endpoint: row.endpoint,
    provider: row.provider, requested_model: row.requestedModel, served_model: row.servedModel, status: row.status,
    error_code: row.errorCode, streamed: bit(row.streamed), client_aborted: bit(row.clientAborted),
    key_id: a.keyId, team: a.team, app: a.app, feature: a.feature, user_id: a.user, customer: a.customer,
    session_id: a.session, tags: JSON.stringify(a.tags),
    input_tokens: row.inputTokens, cache_read_tokens: row.cacheReadTokens, cache_write_5m_tokens: row.cacheWrite5mTokens,
    cache_write_1h_tokens: row.cacheWrite1hTokens, output_tokens: row.outputTokens, reasoning_tokens: row.reasoningTokens,
    usage_estimated: bit(row.usageEstimated), cost_input_usd: row.costInputUsd, cost_cache_read_usd: row.costCacheReadUsd,
    cost_cache_write_usd: row.costCacheWriteUsd, cost_output_usd: row.costOutputUsd, cost_total_usd: row.costTotalUsd,
    price_ref: row.priceRef, config_hash: row.configHash,
    input_audio_tokens: row.inputAudioTokens, input_image_tokens: row.inputImageTokens,
    cache_read_audio_tokens: row.cacheReadAudioTokens, output_audio_tokens: row.outputAudioTokens,
    output_image_tokens: row.outputImageTokens, service_tier: row.serviceTier, cost_request_usd: row.costRequestUsd,
    previous_cost_total_usd: row.previousCostTotalUsd, previous_price_ref: row.previousPriceRef, repriced_at: row.repricedAt,
    cache_source: row.cacheSource, cost_uncached_usd: row.costUncachedUsd,
    route_tier: row.routeTier, route_reason: row.routeReason, route_score: row.routeScore, route_classifier: row.routeClassifier,
    route_candidates: row.routeCandidates === null ? null : JSON.stringify(row.routeCandidates), shadow_tier: row.shadowTier,
    shadow_provider: row.shadowProvider, shadow_model: row.shadowModel, shadow_cost_usd: row.shadowCostUsd,
    follows_reason: row.followsReason, baseline_provider: row.baselineProvider, baseline_model: row.baselineModel,
    baseline_cost_usd: row.baselineCostUsd,
  };
}

const text = z.string();
const optionalText = z.string().nullable();
const num = z.number();
const optionalNum = z.number().nullable();
const flag = z.union([z.literal(0), z.literal(1)]).transform((value) => value === 1);
const tags = jsonColumn('tags', z.record(z.string(), z.string()));
const candidates = jsonColumn('route_candidates', z.array(z.object({ provider: z.string(), model: z.string() }))).nullable();

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const dialects = ['openai', 'anthropic'] as const;
const endpoints = ['chat', 'messages', 'embeddings', 'responses', 'count_tokens'] as const;
// Compile-time guard: a new Dialect or Endpoint must be added here too, or rows carrying it would not read back.
const listsComplete: [Same<(typeof dialects)[number], Dialect>, Same<(typeof endpoints)[number], Endpoint>] = [true, true];
void listsComplete;

/** Parses one stored record back into the exact LedgerRow that was written. */
export const ledgerRecordSchema = z
  .object({
    id: text, request_id: text, attempt: num, started_at: num, first_byte_at: optionalNum, ended_at: num,
    dialect: z.enum(dialects),
    endpoint: z.enum(endpoints),
    provider: text, requested_model: text, served_model: optionalText, status: num, error_code: optionalText,
    streamed: flag, client_aborted: flag, key_id: optionalText, team: optionalText, app: optionalText,
    feature: optionalText, user_id: optionalText, customer: optionalText, session_id: optionalText, tags,
    input_tokens: num, cache_read_tokens: num, cache_write_5m_tokens: num, cache_write_1h_tokens: num,
    output_tokens: num, reasoning_tokens: num, usage_estimated: flag, cost_input_usd: optionalNum,
    cost_cache_read_usd: optionalNum, cost_cache_write_usd: optionalNum, cost_output_usd: optionalNum,
    cost_total_usd: optionalNum, price_ref: optionalText, config_hash: text,
    input_audio_tokens: num, input_image_tokens: num, cache_read_audio_tokens: num, output_audio_tokens: num,
    output_image_tokens: num, service_tier: z.enum(serviceTiers), cost_request_usd: optionalNum,
    previous_cost_total_usd: optionalNum, previous_price_ref: optionalText, repriced_at: optionalNum,
    cache_source: z.enum(['exact', 'semantic']).nullable(), cost_uncached_usd: optionalNum,
    route_tier: optionalText, route_reason: optionalText, route_score: optionalNum, route_classifier: optionalText,
    route_candidates: candidates, shadow_tier: optionalText, shadow_provider: optionalText, shadow_model: optionalText,
    shadow_cost_usd: optionalNum, follows_reason: optionalText, baseline_provider: optionalText, baseline_model: optionalText,
    baseline_cost_usd: optionalNum,
  })
  .transform((r): LedgerRow => ({
    id: r.id, requestId: r.request_id, attempt: r.attempt, startedAt: r.started_at, firstByteAt: r.first_byte_at,
    endedAt: r.ended_at, dialect: r.dialect, endpoint: r.endpoint, provider: r.provider,
    requestedModel: r.requested_model, servedModel: r.served_model, status: r.status, errorCode: r.error_code,
    streamed: r.streamed, clientAborted: r.client_aborted,
    attribution: {
      keyId: r.key_id, team: r.team, app: r.app, feature: r.feature, user: r.user_id, customer: r.customer,
      session: r.session_id, tags: r.tags,
    },
    inputTokens: r.input_tokens, cacheReadTokens: r.cache_read_tokens, cacheWrite5mTokens: r.cache_write_5m_tokens,
    cacheWrite1hTokens: r.cache_write_1h_tokens, outputTokens: r.output_tokens, reasoningTokens: r.reasoning_tokens,
    usageEstimated: r.usage_estimated, costInputUsd: r.cost_input_usd, costCacheReadUsd: r.cost_cache_read_usd,
    costCacheWriteUsd: r.cost_cache_write_usd, costOutputUsd: r.cost_output_usd, costTotalUsd: r.cost_total_usd,
    priceRef: r.price_ref, configHash: r.config_hash,
    inputAudioTokens: r.input_audio_tokens, inputImageTokens: r.input_image_tokens,
    cacheReadAudioTokens: r.cache_read_audio_tokens, outputAudioTokens: r.output_audio_tokens,
    outputImageTokens: r.output_image_tokens, serviceTier: r.service_tier, costRequestUsd: r.cost_request_usd,
    previousCostTotalUsd: r.previous_cost_total_usd, previousPriceRef: r.previous_price_ref, repricedAt: r.repriced_at,
    cacheSource: r.cache_source, costUncachedUsd: r.cost_uncached_usd,
    routeTier: r.route_tier, routeReason: r.route_reason, routeScore: r.route_score, routeClassifier: r.route_classifier,
    routeCandidates: r.route_candidates, shadowTier: r.shadow_tier, shadowProvider: r.shadow_provider,
    shadowModel: r.shadow_model, shadowCostUsd: r.shadow_cost_usd, followsReason: r.follows_reason,
    baselineProvider: r.baseline_provider, baselineModel: r.baseline_model, baselineCostUsd: r.baseline_cost_usd,
  }));

/**
 * Which cache settings apply to a call: the first rule whose every given field (feature, public model) matches wins,
 * field by field over the cache's defaults. Also the per-request `x-jevons-cache` header.
 */
import type { Call } from '../../pipeline/call.js';
import type { ExactCacheConfig, SemanticCacheConfig } from '../../spec/config/cache-schema.js';
import { GatewayError } from '../../spec/errors.js';

interface RuleMatch {
  feature?: string | undefined;
  model?: string | undefined;
}

export function firstMatchingRule<Rule extends RuleMatch>(rules: readonly Rule[], call: Pick<Call, 'model' | 'attribution'>): Rule | undefined {
  return rules.find((rule) => (rule.feature === undefined || rule.feature === call.attribution.feature) && (rule.model === undefined || rule.model === call.model));
}

export interface ExactSettings {
  enabled: boolean;
  ttlMs: number;
  sampled: 'bypass' | 'cache';
}

export function exactSettings(config: ExactCacheConfig, call: Pick<Call, 'model' | 'attribution'>): ExactSettings {
  const rule = firstMatchingRule(config.rules, call);
  return { enabled: rule?.enabled ?? config.enabled, ttlMs: rule?.ttl ?? config.ttl, sampled: rule?.sampled ?? config.sampled };
}

export interface SemanticSettings {
  enabled: boolean;
  mode: 'serve' | 'shadow';
  threshold: number;
  ttlMs: number;
}

export function semanticSettings(config: SemanticCacheConfig, call: Pick<Call, 'model' | 'attribution'>, defaultThreshold: number): SemanticSettings {
  const rule = firstMatchingRule(config.rules, call);
  return { enabled: rule?.enabled ?? config.enabled, mode: rule?.mode ?? config.mode, threshold: rule?.threshold ?? config.threshold ?? defaultThreshold, ttlMs: config.ttl };
}

/** Whether any call at all can be cached under this config (the policy is installed only then). */
export const anyEnabled = (config: { enabled: boolean; rules: ReadonlyArray<{ enabled?: boolean | undefined }> }): boolean =>
  config.enabled || config.rules.some((rule) => rule.enabled === true);

/**
 * The caller's `x-jevons-cache` header: skip = neither read nor write; refresh = do not read, do write; only =
 * answer from the cache or fail. Absent = normal. Any other value is a 400 naming the header.
 */
export type CacheDirective = 'skip' | 'refresh' | 'only' | null;

export const cacheHeader = 'x-jevons-cache';

export function cacheDirective(headers: Call['headers']): CacheDirective {
  const value = headers[cacheHeader];
  if (value === undefined) return null;
  const text = (Array.isArray(value) ? value.join(',') : value).trim().toLowerCase();
  if (text === 'skip' || text === 'refresh' || text === 'only') return text;
  throw new GatewayError({ code: 'invalid_request', param: cacheHeader, message: `${cacheHeader}: expected skip, refresh or only, got ${JSON.stringify(Array.isArray(value) ? value.join(',') : value)}` });
}

/**
 * Anthropic usage blocks → disjoint TokenUsage. The inclusion rules (src/spec/usage.ts,
 * https://docs.anthropic.com/en/api/messages#response-usage and
 * https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching#tracking-cache-performance):
 * - `input_tokens` EXCLUDES `cache_read_input_tokens` and `cache_creation_input_tokens`: the three are disjoint and
 *   their sum is the prompt size;
 * - `cache_creation.{ephemeral_5m_input_tokens, ephemeral_1h_input_tokens}` split the writes by TTL (billed 1.25× and
 *   2× input); without the split, every write is a 5-minute write (the only TTL before 1-hour caching existed);
 * - `output_tokens` INCLUDES thinking; `output_tokens_details.thinking_tokens` is the thinking share, when reported;
 * - `iterations[]` entries of type `compaction` (context-management compaction) are billed but not included in the
 *   top-level counts, so they are added;
 * - `service_tier` (standard | priority | batch) is the tier the request was served and billed at.
 */
import { toServiceTier, type TokenUsage } from '../../spec/usage.js';
import type { AnthropicUsage } from './anthropic-api.js';

const n = (value: number | null | undefined): number => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0);

type Split = AnthropicUsage['cache_creation'];

const usageKeys = [
  'input_tokens',
  'cache_creation_input_tokens',
  'cache_read_input_tokens',
  'cache_creation',
  'output_tokens',
  'output_tokens_details',
  'iterations',
  'service_tier',
] as const satisfies readonly (keyof AnthropicUsage)[];

/**
 * Cache writes by TTL. The docs state `cache_creation_input_tokens` equals the sum of the split; when a body
 * disagrees (the docs' own examples do), the larger reading is kept — 1-hour writes as split, 5-minute writes the
 * larger of their split value and the total less the 1-hour writes — so writes are never under-metered.
 */
function cacheWrites(total: number | null | undefined, split: Split): { cacheWrite5mTokens: number; cacheWrite1hTokens: number } {
  const oneHour = n(split?.ephemeral_1h_input_tokens);
  return { cacheWrite5mTokens: Math.max(n(split?.ephemeral_5m_input_tokens), n(total) - oneHour), cacheWrite1hTokens: oneHour };
}

/** A Messages `usage` block (whole body, or the merged stream usage) → TokenUsage. Missing fields count as 0. */
export function anthropicUsageToTokens(usage: AnthropicUsage): TokenUsage {
  const out: TokenUsage = {
    inputTokens: n(usage.input_tokens),
    cacheReadTokens: n(usage.cache_read_input_tokens),
    ...cacheWrites(usage.cache_creation_input_tokens, usage.cache_creation),
    outputTokens: n(usage.output_tokens),
    reasoningTokens: 0,
  };
  out.reasoningTokens = Math.min(n(usage.output_tokens_details?.thinking_tokens), out.outputTokens);
  for (const iteration of usage.iterations ?? []) {
    if (iteration.type !== 'compaction') continue;
    const writes = cacheWrites(iteration.cache_creation_input_tokens, iteration.cache_creation);
    out.inputTokens += n(iteration.input_tokens);
    out.cacheReadTokens += n(iteration.cache_read_input_tokens);
    out.cacheWrite5mTokens += writes.cacheWrite5mTokens;
    out.cacheWrite1hTokens += writes.cacheWrite1hTokens;
    out.outputTokens += n(iteration.output_tokens);
  }
  const tier = toServiceTier(usage.service_tier);
  if (tier !== 'standard') out.serviceTier = tier;
  return out;
}

/**
 * Stream usage: `message_start.message.usage` carries the input side (and a first output count) and each
 * `message_delta.usage` carries CUMULATIVE counts — output always, and in the current API the input and cache fields
 * again. The latest non-null value of each field wins (objects such as `cache_creation` are replaced whole).
 */
export function mergeAnthropicUsage(previous: AnthropicUsage | null, next: AnthropicUsage): AnthropicUsage {
  const merged: AnthropicUsage = { ...previous };
  const take = <K extends keyof AnthropicUsage>(key: K): void => {
    const value = next[key];
    if (value != null) merged[key] = value;
  };
  for (const key of usageKeys) take(key);
  return merged;
}

/**
 * OpenAI usage blocks → disjoint TokenUsage. The inclusion rules (src/spec/usage.ts):
 * - Chat Completions `prompt_tokens` INCLUDES `prompt_tokens_details.cached_tokens` (cache reads) and
 *   `prompt_tokens_details.cache_write_tokens` (cache writes, billed 1.25× input from GPT-5.6 on, 30-minute minimum
 *   lifetime: https://platform.openai.com/docs/guides/prompt-caching), so plain input = prompt − read − write.
 * - `completion_tokens` INCLUDES `completion_tokens_details.reasoning_tokens`.
 * - DeepSeek reports `prompt_cache_hit_tokens` + `prompt_cache_miss_tokens` (= prompt_tokens) and, on older
 *   deployments, no `prompt_tokens_details` (https://api-docs.deepseek.com/guides/kv_cache).
 * - Responses API `input_tokens` / `output_tokens` follow the same rules under other names.
 * - `prompt_tokens_details.audio_tokens` and `completion_tokens_details.audio_tokens` are the audio parts of the
 *   prompt and completion (gpt-4o-audio models bill them at audio prices); audio is taken as uncached input.
 * - The top-level `service_tier` of the body or chunk (default | flex | priority | scale) is the tier that bills it.
 * OpenAI's only cache write lifetime is mapped to `cacheWrite5mTokens`, the bucket priced at the catalog's
 * cache-write price; there is no 1-hour write on OpenAI.
 */
import { toServiceTier, type TokenUsage } from '../../spec/usage.js';
import type { OpenAIResponsesUsage, OpenAIUsage } from './openai-api.js';

const n = (value: number | null | undefined): number => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0);

function splitInput(options: { prompt: number; cacheRead: number; cacheWrite: number }): Pick<TokenUsage, 'inputTokens' | 'cacheReadTokens' | 'cacheWrite5mTokens'> {
  const cacheRead = Math.min(options.cacheRead, options.prompt);
  const cacheWrite = Math.min(options.cacheWrite, options.prompt - cacheRead);
  return { inputTokens: options.prompt - cacheRead - cacheWrite, cacheReadTokens: cacheRead, cacheWrite5mTokens: cacheWrite };
}

/** Optional parts of TokenUsage, set only when non-zero / non-standard so plain usages stay plain. */
function withExtras(usage: TokenUsage, extras: { inputAudioTokens?: number; outputAudioTokens?: number; serviceTier?: string | null }): TokenUsage {
  const inputAudio = Math.min(n(extras.inputAudioTokens), usage.inputTokens);
  const outputAudio = Math.min(n(extras.outputAudioTokens), usage.outputTokens - usage.reasoningTokens);
  const tier = toServiceTier(extras.serviceTier);
  if (inputAudio > 0) usage.inputAudioTokens = inputAudio;
  if (outputAudio > 0) usage.outputAudioTokens = outputAudio;
  if (tier !== 'standard') usage.serviceTier = tier;
  return usage;
}

/** Chat Completions `usage` (and the body's `service_tier`) → TokenUsage. Missing fields count as 0. */
export function openaiUsageToTokens(usage: OpenAIUsage, serviceTier?: string | null): TokenUsage {
  const details = usage.prompt_tokens_details;
  const hit = usage.prompt_cache_hit_tokens;
  const miss = usage.prompt_cache_miss_tokens;
  const prompt = usage.prompt_tokens == null && (hit != null || miss != null) ? n(hit) + n(miss) : n(usage.prompt_tokens);
  const cacheRead = details?.cached_tokens == null && hit != null ? n(hit) : n(details?.cached_tokens);
  const completion = n(usage.completion_tokens);
  const reasoning = n(usage.completion_tokens_details?.reasoning_tokens);
  // Some OpenAI-compatible hosts (Gemini's OpenAI endpoint) report reasoning OUTSIDE completion_tokens; their
  // total_tokens then equals prompt + completion + reasoning. OpenAI's own total is always prompt + completion.
  const total = n(usage.total_tokens);
  const reasoningOutside = reasoning > 0 && total !== prompt + completion && total === prompt + completion + reasoning;
  const output = reasoningOutside ? completion + reasoning : completion;
  const tokens: TokenUsage = {
    ...splitInput({ prompt, cacheRead, cacheWrite: n(details?.cache_write_tokens) }),
    cacheWrite1hTokens: 0,
    outputTokens: output,
    reasoningTokens: Math.min(reasoning, output),
  };
  return withExtras(tokens, { inputAudioTokens: n(details?.audio_tokens), outputAudioTokens: n(usage.completion_tokens_details?.audio_tokens), serviceTier });
}

/** Responses API `usage` (and the response's `service_tier`) → TokenUsage. */
export function openaiResponsesUsageToTokens(usage: OpenAIResponsesUsage, serviceTier?: string | null): TokenUsage {
  const output = n(usage.output_tokens);
  const tokens: TokenUsage = {
    ...splitInput({
      prompt: n(usage.input_tokens),
      cacheRead: n(usage.input_tokens_details?.cached_tokens),
      cacheWrite: n(usage.input_tokens_details?.cache_write_tokens),
    }),
    cacheWrite1hTokens: 0,
    outputTokens: output,
    reasoningTokens: Math.min(n(usage.output_tokens_details?.reasoning_tokens), output),
  };
  return withExtras(tokens, { serviceTier });
}

/** Embeddings `usage.prompt_tokens` → TokenUsage (input only). */
export function openaiEmbeddingsUsageToTokens(usage: { prompt_tokens?: number | null }): TokenUsage {
  return { inputTokens: n(usage.prompt_tokens), cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: 0, reasoningTokens: 0 };
}

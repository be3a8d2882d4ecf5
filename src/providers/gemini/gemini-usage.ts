/**
 * Gemini `usageMetadata` → the disjoint TokenUsage. Gemini's inclusion rules
 * (https://ai.google.dev/api/generate-content#UsageMetadata):
 * - `promptTokenCount` is the whole prompt and INCLUDES `cachedContentTokenCount` (explicit or implicit cache hits);
 * - `toolUsePromptTokenCount` (results of server-side tools fed back to the model) is input NOT inside the prompt count;
 * - `thoughtsTokenCount` is output billed on top of `candidatesTokenCount`, not part of it;
 * - `totalTokenCount` = prompt + toolUsePrompt + candidates + thoughts (not read: it is derived).
 * Gemini has no cache-write charge on a request (explicit caches are created and billed by their own API call).
 */
import type { TokenUsage } from '../../spec/usage.js';
import type { GeminiUsageMetadata } from './gemini-api.js';

const count = (value: number | null | undefined): number => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0);

/** Converts one usageMetadata block; missing counts are zero. */
export function geminiUsageToTokens(usage: GeminiUsageMetadata): TokenUsage {
  const prompt = count(usage.promptTokenCount);
  const cached = Math.min(count(usage.cachedContentTokenCount), prompt);
  const thoughts = count(usage.thoughtsTokenCount);
  return {
    inputTokens: prompt - cached + count(usage.toolUsePromptTokenCount),
    cacheReadTokens: cached,
    cacheWrite5mTokens: 0,
    cacheWrite1hTokens: 0,
    outputTokens: count(usage.candidatesTokenCount) + thoughts,
    reasoningTokens: thoughts,
  };
}

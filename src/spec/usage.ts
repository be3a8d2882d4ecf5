/**
 * Token usage by billing kind. Every kind is disjoint from the others except `reasoningTokens`, which is the
 * part of `outputTokens` spent on reasoning (billed as output by every provider). Provider usage blocks are
 * converted into this shape by the provider's own `-usage.ts`, which is where each wire format's inclusion
 * rules live (OpenAI `prompt_tokens` includes cached tokens; Anthropic `input_tokens` excludes cache reads and
 * writes; Gemini `promptTokenCount` includes `cachedContentTokenCount` and thoughts are extra output).
 */
export interface TokenUsage {
  /** Input tokens billed at the plain input price (no cache read, no cache write). */
  inputTokens: number;
  cacheReadTokens: number;
  cacheWrite5mTokens: number;
  cacheWrite1hTokens: number;
  /** All output tokens, reasoning included. */
  outputTokens: number;
  /** Subset of outputTokens. */
  reasoningTokens: number;
}

export const emptyUsage = (): TokenUsage => ({
  inputTokens: 0,
  cacheReadTokens: 0,
  cacheWrite5mTokens: 0,
  cacheWrite1hTokens: 0,
  outputTokens: 0,
  reasoningTokens: 0,
});

/** Total prompt size as the provider saw it: uncached + cache read + cache writes. */
export const totalInputTokens = (usage: TokenUsage): number =>
  usage.inputTokens + usage.cacheReadTokens + usage.cacheWrite5mTokens + usage.cacheWrite1hTokens;

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
  /*
   * Modality subsets, present only when the provider reports them (absent = 0). Each is part of the kind named
   * in its comment and is priced at its own rate where the model has one, else at the rate of that kind.
   */
  /** Audio part of inputTokens (OpenAI `prompt_tokens_details.audio_tokens`, Gemini AUDIO prompt modality). */
  inputAudioTokens?: number;
  /** Image part of inputTokens (Gemini IMAGE prompt modality). */
  inputImageTokens?: number;
  /** Audio part of cacheReadTokens (Gemini AUDIO cache modality). */
  cacheReadAudioTokens?: number;
  /** Audio part of outputTokens (OpenAI `completion_tokens_details.audio_tokens`); disjoint from reasoning. */
  outputAudioTokens?: number;
  /** Image part of outputTokens (Gemini IMAGE candidates modality); disjoint from reasoning. */
  outputImageTokens?: number;
  /** The service tier the provider says it billed at; absent = standard. */
  serviceTier?: ServiceTier;
}

/**
 * Provider service tiers that change the price. OpenAI: `service_tier` default | flex | priority (scale counts as
 * standard); Anthropic: usage.service_tier standard | priority | batch; batch also for batch-API imports.
 */
export const serviceTiers = ['standard', 'batch', 'flex', 'priority'] as const;
export type ServiceTier = (typeof serviceTiers)[number];

/** A provider's service-tier label → ours; unknown labels are standard. */
export function toServiceTier(label: string | null | undefined): ServiceTier {
  switch (label) {
    case 'flex':
    case 'priority':
    case 'batch':
      return label;
    default:
      return 'standard';
  }
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

/**
 * The same usage as if the provider's prompt cache had not been used: cache reads and writes as plain input (the
 * audio part of cache reads as audio input). Pricing it gives a call's uncached cost (ledger cost_uncached_usd).
 */
export function withoutPromptCache(usage: TokenUsage): TokenUsage {
  const cached = usage.cacheReadTokens + usage.cacheWrite5mTokens + usage.cacheWrite1hTokens;
  if (cached === 0) return usage;
  return {
    ...usage,
    inputTokens: usage.inputTokens + cached,
    cacheReadTokens: 0,
    cacheWrite5mTokens: 0,
    cacheWrite1hTokens: 0,
    inputAudioTokens: (usage.inputAudioTokens ?? 0) + (usage.cacheReadAudioTokens ?? 0),
    cacheReadAudioTokens: 0,
  };
}

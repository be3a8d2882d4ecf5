/**
 * The smallest prompt prefix each provider caches, as data. A breakpoint on a shorter prefix is accepted by the API
 * but writes nothing (the request is billed at the normal input price), so the policy does not place it.
 *
 * Anthropic, "Cache limitations / minimum cacheable prompt length"
 * (https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching, now served at
 * https://platform.claude.com/docs/en/build-with-claude/prompt-caching; the table as quoted in
 * https://github.com/anthropics/anthropic-sdk-python/issues/1194):
 *   4096 tokens: Claude Opus 4.6, Opus 4.5, Haiku 4.5
 *   1024 tokens: Claude Sonnet 4.6, Sonnet 4.5, Opus 4.1, Opus 4, Sonnet 4, Sonnet 3.7, (Sonnet 3.5, Opus 3)
 *   2048 tokens: Claude Haiku 3.5, Haiku 3
 * Some third-party copies list 2048 for Sonnet 4.6; the provider's page is followed here. A too-low minimum only
 * places a breakpoint that writes nothing (no cost); a too-high one forgoes savings.
 *
 * OpenAI: automatic prefix caching from 1,024 prompt tokens, in 128-token increments
 * (https://platform.openai.com/docs/guides/prompt-caching).
 */

export interface MinimumRule {
  /** Matched against the upstream model id (dated ids and `-latest` aliases included). */
  pattern: RegExp;
  minTokens: number;
}

/** First match wins: the more specific families come first. */
export const ANTHROPIC_MINIMUMS: readonly MinimumRule[] = [
  { pattern: /claude-opus-4[-.][56]/i, minTokens: 4096 },
  { pattern: /claude-haiku-4[-.]5/i, minTokens: 4096 },
  { pattern: /claude-3[-.]5-haiku|claude-3-haiku|claude-haiku-3/i, minTokens: 2048 },
  { pattern: /claude-(?:opus|sonnet)|claude-3/i, minTokens: 1024 },
];

/** For a Claude model this table does not know: the smallest documented minimum (a useless breakpoint costs nothing). */
export const ANTHROPIC_DEFAULT_MINIMUM = 1024;

export const OPENAI_MINIMUM_TOKENS = 1024;
export const OPENAI_CACHE_INCREMENT = 128;

export function anthropicMinimumTokens(model: string, rules: readonly MinimumRule[] = ANTHROPIC_MINIMUMS): number {
  for (const rule of rules) if (rule.pattern.test(model)) return rule.minTokens;
  return ANTHROPIC_DEFAULT_MINIMUM;
}

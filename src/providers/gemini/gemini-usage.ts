/**
 * Gemini `usageMetadata` → the disjoint TokenUsage. Gemini's inclusion rules
 * (https://ai.google.dev/api/generate-content#UsageMetadata):
 * - `promptTokenCount` is the whole prompt and INCLUDES `cachedContentTokenCount` (explicit or implicit cache hits);
 * - `toolUsePromptTokenCount` (results of server-side tools fed back to the model) is input NOT inside the prompt count;
 * - `thoughtsTokenCount` is output billed on top of `candidatesTokenCount`, not part of it;
 * - `totalTokenCount` = prompt + toolUsePrompt + candidates + thoughts (not read: it is derived).
 * - `promptTokensDetails`, `cacheTokensDetails` and `candidatesTokensDetails` break the prompt, cached and candidate
 *   counts down by modality; AUDIO and IMAGE parts are priced at their own rates where the model has them
 *   (gemini-2.5-flash audio input, gemini-2.5-flash-image output).
 * Gemini has no cache-write charge on a request (explicit caches are created and billed by their own API call).
 */
import type { TokenUsage } from '../../spec/usage.js';
import type { GeminiUsageMetadata } from './gemini-api.js';

const count = (value: number | null | undefined): number => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0);

type ModalityCounts = GeminiUsageMetadata['promptTokensDetails'];

const modality = (details: ModalityCounts, name: string): number => {
  let total = 0;
  for (const detail of details ?? []) if (detail.modality === name) total += count(detail.tokenCount);
  return total;
};

/** Converts one usageMetadata block; missing counts are zero. */
export function geminiUsageToTokens(usage: GeminiUsageMetadata): TokenUsage {
  const prompt = count(usage.promptTokenCount);
  const cached = Math.min(count(usage.cachedContentTokenCount), prompt);
  const thoughts = count(usage.thoughtsTokenCount);
  const tokens: TokenUsage = {
    inputTokens: prompt - cached + count(usage.toolUsePromptTokenCount),
    cacheReadTokens: cached,
    cacheWrite5mTokens: 0,
    cacheWrite1hTokens: 0,
    outputTokens: count(usage.candidatesTokenCount) + thoughts,
    reasoningTokens: thoughts,
  };
  // Uncached audio/image = the prompt's minus the cached part's, each clamped to what its kind holds.
  const cachedAudio = Math.min(modality(usage.cacheTokensDetails, 'AUDIO'), cached);
  const inputAudio = Math.min(Math.max(modality(usage.promptTokensDetails, 'AUDIO') - cachedAudio, 0), tokens.inputTokens);
  const inputImage = Math.min(Math.max(modality(usage.promptTokensDetails, 'IMAGE') - modality(usage.cacheTokensDetails, 'IMAGE'), 0), tokens.inputTokens - inputAudio);
  const outputAudio = Math.min(modality(usage.candidatesTokensDetails, 'AUDIO'), tokens.outputTokens - thoughts);
  const outputImage = Math.min(modality(usage.candidatesTokensDetails, 'IMAGE'), tokens.outputTokens - thoughts - outputAudio);
  if (cachedAudio > 0) tokens.cacheReadAudioTokens = cachedAudio;
  if (inputAudio > 0) tokens.inputAudioTokens = inputAudio;
  if (inputImage > 0) tokens.inputImageTokens = inputImage;
  if (outputAudio > 0) tokens.outputAudioTokens = outputAudio;
  if (outputImage > 0) tokens.outputImageTokens = outputImage;
  return tokens;
}

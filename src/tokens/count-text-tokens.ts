import { estimateFamilyFor, type EstimateFamilyOptions } from './estimate-family.js';
import { estimateTokens } from './estimate-tokens.js';
import { countWithEncoding, openAIEncodingFor } from './openai-encoding.js';

/** A token count and whether it came from the model's own tokenizer (true) or the calibrated estimate (false). */
export interface TokenCount {
  tokens: number;
  exact: boolean;
}

/**
 * Token count of a text for a model. OpenAI-family models (gpt-*, o*, chatgpt-*, text-embedding-*) use
 * gpt-tokenizer with the model's encoding (o200k_base for gpt-4o/4.1/5/o-series, cl100k_base for
 * gpt-4/3.5/embeddings-3), loaded on first use; other models use the calibrated estimate (estimate-tokens.ts) with
 * their family's weights: Claude → anthropic, Gemini/Gemma → gemini, others → o200k (estimate-family.ts;
 * `options.providerFamily` decides for a model id that names no family).
 * Costs ~0.6 ms per KB for OpenAI models: keep it off the hot path.
 */
export function countTextTokens(text: string, model: string, options: EstimateFamilyOptions = {}): TokenCount {
  const encoding = openAIEncodingFor(model);
  if (encoding === null) return { tokens: estimateTokens(text, estimateFamilyFor(model, options)), exact: false };
  return { tokens: countWithEncoding(encoding, text), exact: true };
}

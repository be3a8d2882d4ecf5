import type { EstimateFamily } from './estimate-tokens.js';

/** Which tokenizer family's weights estimate a model's tokens (see estimate-tokens.ts). */
export interface EstimateFamilyOptions {
  /**
   * The provider's price family (genai-prices provider id: 'openai', 'anthropic', 'google', ...; 'gemini' is
   * accepted as an alias of 'google'). Decides only when the model id names no family (an alias or a fine-tune).
   */
  providerFamily?: string;
}

/**
 * The estimate family of a model: anthropic weights for Claude models (any host: `claude-*`, `anthropic.claude-*`,
 * `vertex_ai/claude-*`), gemini weights for Gemini and Gemma models, o200k weights for everything else (Llama,
 * Mistral, Qwen, ...: no reference tokenizer of theirs is measured here; o200k is what the estimate approximated
 * before it had families).
 */
export function estimateFamilyFor(model: string, options: EstimateFamilyOptions = {}): EstimateFamily {
  const id = model.toLowerCase();
  if (id.includes('claude')) return 'anthropic';
  if (id.includes('gemini') || id.includes('gemma')) return 'gemini';
  const provider = options.providerFamily?.toLowerCase();
  if (provider === 'anthropic') return 'anthropic';
  if (provider === 'google' || provider === 'gemini') return 'gemini';
  return 'o200k';
}

/**
 * What differs between OpenAI and the hosts that speak its Chat Completions wire, and the known hosts' defaults.
 * The converters in providers/openai read these quirks; config may override each of them per provider.
 */

export interface OpenAICompatibleQuirks {
  /** Which field carries the output token limit: OpenAI deprecated `max_tokens` for `max_completion_tokens`. */
  maxTokensField: 'max_tokens' | 'max_completion_tokens';
  /** Whether the host accepts `stream_options.include_usage` (some reject unknown fields outright). */
  streamUsage: boolean;
  /** The genai-prices provider id whose prices apply. */
  priceFamily: string;
  /** The delta / message field carrying reasoning text, e.g. 'reasoning_content' for DeepSeek and vLLM. */
  reasoningField?: string;
}

export interface CompatiblePreset {
  baseUrl: string;
  apiKeyEnv: string;
  quirks: OpenAICompatibleQuirks;
}

/**
 * Known hosts. Base URLs end where the host's `/chat/completions` path begins; local servers use their documented
 * default ports. Hosts without a genai-prices entry (vLLM, Ollama) name themselves as price family, so their models
 * are unpriced until config gives prices.
 */
export const compatiblePresets: Record<string, CompatiblePreset> = {
  // https://docs.vllm.ai/en/latest/serving/openai_compatible_server.html — `vllm serve` listens on :8000, the key is
  // optional (`--api-key` / VLLM_API_KEY); the reasoning parser emits `reasoning_content` (newer releases `reasoning`).
  vllm: {
    baseUrl: 'http://localhost:8000/v1',
    apiKeyEnv: 'VLLM_API_KEY',
    quirks: { maxTokensField: 'max_tokens', streamUsage: true, priceFamily: 'vllm', reasoningField: 'reasoning_content' },
  },
  // https://docs.ollama.com/api/openai-compatibility — :11434, key ignored locally (OLLAMA_API_KEY for ollama.com);
  // supports `max_tokens` and `stream_options.include_usage`; thinking models stream `reasoning`.
  ollama: {
    baseUrl: 'http://localhost:11434/v1',
    apiKeyEnv: 'OLLAMA_API_KEY',
    quirks: { maxTokensField: 'max_tokens', streamUsage: true, priceFamily: 'ollama', reasoningField: 'reasoning' },
  },
  // https://openrouter.ai/docs/api-reference/overview — usage is always in the last chunk (include_usage accepted, no
  // effect); reasoning arrives as `reasoning`.
  openrouter: {
    baseUrl: 'https://openrouter.ai/api/v1',
    apiKeyEnv: 'OPENROUTER_API_KEY',
    quirks: { maxTokensField: 'max_tokens', streamUsage: true, priceFamily: 'openrouter', reasoningField: 'reasoning' },
  },
  // https://console.groq.com/docs/openai — `max_completion_tokens` (max_tokens deprecated); parsed reasoning in
  // `reasoning`; usage also in `x_groq.usage`.
  groq: {
    baseUrl: 'https://api.groq.com/openai/v1',
    apiKeyEnv: 'GROQ_API_KEY',
    quirks: { maxTokensField: 'max_completion_tokens', streamUsage: true, priceFamily: 'groq', reasoningField: 'reasoning' },
  },
  // https://docs.together.ai/docs/openai-api-compatibility — usage also sent on the final chunk.
  together: {
    baseUrl: 'https://api.together.xyz/v1',
    apiKeyEnv: 'TOGETHER_API_KEY',
    quirks: { maxTokensField: 'max_tokens', streamUsage: true, priceFamily: 'together', reasoningField: 'reasoning' },
  },
  // https://api-docs.deepseek.com/ — base URL without /v1; `reasoning_content` for deepseek-reasoner; cache split as
  // prompt_cache_hit_tokens / prompt_cache_miss_tokens.
  deepseek: {
    baseUrl: 'https://api.deepseek.com',
    apiKeyEnv: 'DEEPSEEK_API_KEY',
    quirks: { maxTokensField: 'max_tokens', streamUsage: true, priceFamily: 'deepseek', reasoningField: 'reasoning_content' },
  },
  // https://docs.mistral.ai/api/ — rejects unknown fields (`stream_options` → 422 extra_forbidden) and always sends
  // usage on the final chunk.
  mistral: {
    baseUrl: 'https://api.mistral.ai/v1',
    apiKeyEnv: 'MISTRAL_API_KEY',
    quirks: { maxTokensField: 'max_tokens', streamUsage: false, priceFamily: 'mistral' },
  },
};

/**
 * Renders the emulator's canonical, disjoint token counts in each provider's own usage semantics. This is where the
 * most common cost bug in the field (OpenAI prompt tokens include cached ones, Anthropic input tokens exclude them)
 * is reproduced faithfully, so the gateway's metering is tested against the real shapes.
 */

/** Disjoint token counts: `input` is uncached input; `reasoning` is a part of `output`. */
export interface EmulatedUsage {
  input: number;
  cacheRead: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  output: number;
  reasoning: number;
}

/** Every input token the request consumed, cached or not. */
export function totalInput(usage: EmulatedUsage): number {
  return usage.input + usage.cacheRead + usage.cacheWrite5m + usage.cacheWrite1h;
}

/**
 * OpenAI Chat Completions `usage`: prompt_tokens includes cached tokens; cache writes are not reported separately.
 * https://platform.openai.com/docs/api-reference/chat/object#chat/object-usage
 */
export function openAiChatUsage(usage: EmulatedUsage) {
  const prompt = totalInput(usage);
  return {
    prompt_tokens: prompt,
    completion_tokens: usage.output,
    total_tokens: prompt + usage.output,
    prompt_tokens_details: { cached_tokens: usage.cacheRead, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: usage.reasoning,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

/** OpenAI Responses `usage`. https://platform.openai.com/docs/api-reference/responses/object#responses/object-usage */
export function openAiResponsesUsage(usage: EmulatedUsage) {
  const input = totalInput(usage);
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: usage.cacheRead },
    output_tokens: usage.output,
    output_tokens_details: { reasoning_tokens: usage.reasoning },
    total_tokens: input + usage.output,
  };
}

/**
 * Anthropic Messages `usage`: input_tokens excludes cache reads and writes; writes are split by TTL in
 * `cache_creation`. https://docs.anthropic.com/en/api/messages#response-usage
 */
export function anthropicUsage(usage: EmulatedUsage, options: { outputTokens: number; serviceTier: string }) {
  return {
    input_tokens: usage.input,
    cache_creation_input_tokens: usage.cacheWrite5m + usage.cacheWrite1h,
    cache_read_input_tokens: usage.cacheRead,
    cache_creation: {
      ephemeral_5m_input_tokens: usage.cacheWrite5m,
      ephemeral_1h_input_tokens: usage.cacheWrite1h,
    },
    output_tokens: options.outputTokens,
    service_tier: options.serviceTier,
  };
}

/**
 * Anthropic `message_delta` usage: cumulative counts as the current API sends them (input side repeated, output
 * final). https://docs.anthropic.com/en/docs/build-with-claude/streaming#event-types
 */
export function anthropicDeltaUsage(usage: EmulatedUsage) {
  return {
    input_tokens: usage.input,
    cache_creation_input_tokens: usage.cacheWrite5m + usage.cacheWrite1h,
    cache_read_input_tokens: usage.cacheRead,
    output_tokens: usage.output,
  };
}

/**
 * Gemini `usageMetadata`: promptTokenCount includes cached content; candidatesTokenCount excludes thoughts, which
 * are reported as thoughtsTokenCount; optional counts appear only when non-zero, as the API does.
 * https://ai.google.dev/api/generate-content#UsageMetadata
 * `candidates` overrides the candidates count (streamed chunks report a running count).
 */
export function geminiUsage(usage: EmulatedUsage, candidates?: number) {
  const prompt = totalInput(usage);
  const candidatesCount = candidates ?? Math.max(0, usage.output - usage.reasoning);
  const metadata: Record<string, unknown> = {
    promptTokenCount: prompt,
    candidatesTokenCount: candidatesCount,
    totalTokenCount: prompt + candidatesCount + usage.reasoning,
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: prompt }],
  };
  if (usage.cacheRead > 0) {
    metadata.cachedContentTokenCount = usage.cacheRead;
    metadata.cacheTokensDetails = [{ modality: 'TEXT', tokenCount: usage.cacheRead }];
  }
  if (usage.reasoning > 0) metadata.thoughtsTokenCount = usage.reasoning;
  return metadata;
}

/**
 * Canonical response → an OpenAI `chat.completion` object (https://platform.openai.com/docs/api-reference/chat/object),
 * for a caller of /v1/chat/completions whose call was served by another wire format.
 */
import type { ChatResponse, FinishReason } from '../../../spec/canonical.js';
import { totalInputTokens, type TokenUsage } from '../../../spec/usage.js';

/**
 * Canonical finish reason → OpenAI. A stop sequence is a plain `stop` in OpenAI; a refusal (Anthropic
 * `stop_reason: refusal`) is `content_filter`, the reason OpenAI gives when output was withheld.
 */
export function toOpenAIFinishReason(reason: FinishReason): string {
  switch (reason) {
    case 'length':
      return 'length';
    case 'tool-calls':
      return 'tool_calls';
    case 'content-filter':
    case 'refusal':
      return 'content_filter';
    default:
      return 'stop';
  }
}

/**
 * TokenUsage → OpenAI `usage`. `prompt_tokens` includes cache reads AND writes (cache writes are ordinary prompt
 * tokens to an OpenAI client; since GPT-5.6 they are also reported as `prompt_tokens_details.cache_write_tokens`);
 * `completion_tokens` includes reasoning.
 */
export function renderOpenAIUsage(usage: TokenUsage): Record<string, unknown> {
  const prompt = totalInputTokens(usage);
  const cacheWrite = usage.cacheWrite5mTokens + usage.cacheWrite1hTokens;
  const promptDetails: Record<string, number> = { cached_tokens: usage.cacheReadTokens, audio_tokens: 0 };
  if (cacheWrite > 0) promptDetails.cache_write_tokens = cacheWrite;
  return {
    prompt_tokens: prompt,
    completion_tokens: usage.outputTokens,
    total_tokens: prompt + usage.outputTokens,
    prompt_tokens_details: promptDetails,
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

/**
 * Renders the canonical response as a one-choice chat completion. Text parts are joined into `content` (null when
 * the message is only tool calls); reasoning text, which Chat Completions has no field for, is exposed as the
 * `reasoning_content` field that DeepSeek-style clients read and other clients ignore. Reasoning signatures and
 * redacted reasoning are not shown.
 */
export function renderOpenAIResponse(response: ChatResponse, options: { model: string }): Record<string, unknown> {
  let text = '';
  let reasoning = '';
  const toolCalls: Record<string, unknown>[] = [];
  for (const part of response.content) {
    if (part.type === 'text') text += part.text;
    else if (part.type === 'reasoning') reasoning += part.text;
    else toolCalls.push({ id: part.id, type: 'function', function: { name: part.name, arguments: part.arguments } });
  }
  const message: Record<string, unknown> = {
    role: 'assistant',
    content: text === '' && toolCalls.length > 0 ? null : text,
    refusal: null,
    annotations: [],
  };
  if (reasoning !== '') message.reasoning_content = reasoning;
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  return {
    id: response.id,
    object: 'chat.completion',
    created: response.created,
    model: options.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: toOpenAIFinishReason(response.finishReason) }],
    usage: renderOpenAIUsage(response.usage),
    system_fingerprint: null,
  };
}

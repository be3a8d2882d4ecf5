/**
 * Canonical response → an Anthropic Message object (https://docs.anthropic.com/en/api/messages), for a caller of
 * /v1/messages whose call was served by another wire format.
 */
import type { AssistantContentPart, ChatResponse, FinishReason } from '../../../spec/canonical.js';
import type { TokenUsage } from '../../../spec/usage.js';

/**
 * Canonical finish reason → Anthropic `stop_reason`. A content filter is shown as `refusal` (the reason Anthropic gives
 * when it declines); `other` has no Anthropic counterpart and is shown as `end_turn`.
 */
export function toAnthropicStopReason(reason: FinishReason): string {
  switch (reason) {
    case 'length':
      return 'max_tokens';
    case 'tool-calls':
      return 'tool_use';
    case 'stop-sequence':
      return 'stop_sequence';
    case 'content-filter':
    case 'refusal':
      return 'refusal';
    default:
      return 'end_turn';
  }
}

/**
 * TokenUsage → Anthropic `usage`: `input_tokens` EXCLUDES cache reads and writes (the canonical kinds are already
 * disjoint), `cache_creation_input_tokens` is the sum of the TTL split in `cache_creation`, `output_tokens` includes
 * thinking and `output_tokens_details.thinking_tokens` is its reasoning share.
 */
export function renderAnthropicUsage(usage: TokenUsage): Record<string, unknown> {
  return {
    input_tokens: usage.inputTokens,
    cache_creation_input_tokens: usage.cacheWrite5mTokens + usage.cacheWrite1hTokens,
    cache_read_input_tokens: usage.cacheReadTokens,
    cache_creation: { ephemeral_5m_input_tokens: usage.cacheWrite5mTokens, ephemeral_1h_input_tokens: usage.cacheWrite1hTokens },
    output_tokens: usage.outputTokens,
    output_tokens_details: { thinking_tokens: usage.reasoningTokens },
  };
}

/**
 * Tool-call arguments → a tool_use `input` object. Arguments that are not a JSON object (a model's truncated or
 * invalid JSON) cannot be shown as one and become `{}`: Anthropic clients expect an object.
 */
export function toolInputObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...value } : {};
  } catch {
    return {};
  }
}

/** One canonical part → its content block; empty text parts are left out (Anthropic never sends them). */
function toBlock(part: AssistantContentPart): Record<string, unknown> | null {
  switch (part.type) {
    case 'text':
      return part.text === '' ? null : { type: 'text', text: part.text };
    case 'tool-call':
      return { type: 'tool_use', id: part.id, name: part.name, input: toolInputObject(part.arguments) };
    case 'reasoning':
      return part.redactedData !== undefined ? { type: 'redacted_thinking', data: part.redactedData } : { type: 'thinking', thinking: part.text, signature: part.signature ?? '' };
  }
}

/**
 * Renders the canonical response as a Message. Reasoning from another provider becomes a thinking block with its
 * signature, or an empty one when it has none (the block is shown, not verifiable by Anthropic).
 */
export function renderAnthropicResponse(response: ChatResponse, options: { model: string }): Record<string, unknown> {
  const content: Record<string, unknown>[] = [];
  for (const part of response.content) {
    const block = toBlock(part);
    if (block !== null) content.push(block);
  }
  return {
    id: response.id,
    type: 'message',
    role: 'assistant',
    model: options.model,
    content,
    stop_reason: toAnthropicStopReason(response.finishReason),
    stop_sequence: response.finishReason === 'stop-sequence' ? (response.stopSequence ?? null) : null,
    usage: renderAnthropicUsage(response.usage),
  };
}

/**
 * Small readers shared by the whole-body and the stream converters: finish reasons, message content that a host
 * sent as parts instead of a string, and the reasoning fields of OpenAI-compatible hosts.
 */
import type { FinishReason } from '../../spec/canonical.js';
import type { OpenAIContent, OpenAIMessage } from './openai-api.js';

/**
 * OpenAI `finish_reason` → canonical. `function_call` is the legacy name of `tool_calls`. A vLLM `stop_reason`
 * string means a stop sequence matched (https://docs.vllm.ai/en/latest/serving/openai_compatible_server.html).
 */
export function fromOpenAIFinishReason(reason: string | null | undefined, stopReason?: string | number | null): { finishReason: FinishReason; stopSequence?: string } {
  switch (reason) {
    case 'stop':
      return typeof stopReason === 'string' && stopReason !== '' ? { finishReason: 'stop-sequence', stopSequence: stopReason } : { finishReason: 'stop' };
    case 'length':
      return { finishReason: 'length' };
    case 'tool_calls':
    case 'function_call':
      return { finishReason: 'tool-calls' };
    case 'content_filter':
      return { finishReason: 'content-filter' };
    default:
      return { finishReason: 'other' };
  }
}

/** Text and reasoning of a `content` that is a string or (Mistral Magistral) a list of `text` / `thinking` parts. */
export function readContent(content: OpenAIContent): { text: string; reasoning: string } {
  if (content == null) return { text: '', reasoning: '' };
  if (typeof content === 'string') return { text: content, reasoning: '' };
  let text = '';
  let reasoning = '';
  for (const part of content) {
    if (part.type === 'thinking') for (const inner of part.thinking ?? []) reasoning += inner.text ?? '';
    else if (part.text != null && (part.type == null || part.type === 'text')) text += part.text;
  }
  return { text, reasoning };
}

/**
 * The reasoning text of a message or delta. OpenAI never sends it; DeepSeek and vLLM use `reasoning_content`
 * (https://api-docs.deepseek.com/guides/reasoning_model), OpenRouter, Groq and Ollama `reasoning`;
 * `extraField` names another field a configured host uses.
 */
export function readReasoning(message: OpenAIMessage, extraField?: string): string {
  if (message.reasoning_content != null && message.reasoning_content !== '') return message.reasoning_content;
  if (message.reasoning != null && message.reasoning !== '') return message.reasoning;
  const extra = extraField === undefined ? undefined : message[extraField];
  return typeof extra === 'string' ? extra : '';
}

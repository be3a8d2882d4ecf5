/**
 * Chat Completions SSE events → canonical stream parts. The stream is `data: {chunk}` events ending with
 * `data: [DONE]` (https://platform.openai.com/docs/api-reference/chat/streaming). Usage arrives on the last chunk
 * (`choices: []`) when `stream_options.include_usage` was set, on the finishing chunk for some hosts (Mistral,
 * Together, Groq's `x_groq.usage`), or on every chunk (vLLM continuous usage stats); the decoder keeps the latest
 * and emits one `usage` part at `[DONE]` or at end().
 */
import type { SseEvent } from '../shared/sse.js';
import type { StreamPart } from '../../spec/canonical.js';
import type { TokenUsage } from '../../spec/usage.js';
import { openaiChatChunkSchema, type OpenAIChatChunk, type OpenAIMessage, type OpenAIToolCall } from './openai-api.js';
import { parseJson } from '../shared/parse-json.js';
import { fromOpenAIFinishReason, readContent, readReasoning } from './openai-message-parts.js';
import { openaiUsageToTokens } from './openai-usage.js';

export interface OpenAIStreamDecoder {
  decode(event: SseEvent): StreamPart[];
  end(): StreamPart[];
}

interface DecoderState {
  started: boolean;
  finished: boolean;
  refused: boolean;
  closed: boolean;
  usage: TokenUsage | null;
  /** Upstream tool-call key (index, or id when a host omits the index) → canonical index and id. */
  tools: Map<string, { index: number; id: string }>;
  lastToolKey: string | null;
}

function toolKey(call: OpenAIToolCall, state: DecoderState): string {
  if (call.index != null) {
    const key = `i${call.index}`;
    const known = state.tools.get(key);
    // A host that reuses index 0 for every call (seen on some OpenAI-compatible servers) still sends a fresh id.
    if (known !== undefined && call.id != null && call.id !== '' && call.id !== known.id) return `${key}:${call.id}`;
    return key;
  }
  if (call.id != null && call.id !== '') return `id:${call.id}`;
  return state.lastToolKey ?? 'i0';
}

function toolCallParts(calls: readonly OpenAIToolCall[], state: DecoderState): StreamPart[] {
  const parts: StreamPart[] = [];
  for (const call of calls) {
    const key = toolKey(call, state);
    let tool = state.tools.get(key);
    if (tool === undefined) {
      const index = state.tools.size;
      tool = { index, id: call.id ?? `call_${index}` };
      state.tools.set(key, tool);
      parts.push({ type: 'tool-call-start', index, id: tool.id, name: call.function?.name ?? '' });
    }
    state.lastToolKey = key;
    const delta = call.function?.arguments;
    if (delta != null && delta !== '') parts.push({ type: 'tool-call-delta', index: tool.index, argumentsDelta: delta });
  }
  return parts;
}

function deltaParts(delta: OpenAIMessage, state: DecoderState, reasoningField: string | undefined): StreamPart[] {
  const parts: StreamPart[] = [];
  const { text, reasoning: inlineReasoning } = readContent(delta.content);
  const reasoning = readReasoning(delta, reasoningField) || inlineReasoning;
  if (reasoning !== '') parts.push({ type: 'reasoning-delta', text: reasoning });
  if (text !== '') parts.push({ type: 'text-delta', text });
  if (delta.refusal != null && delta.refusal !== '') {
    state.refused = true;
    parts.push({ type: 'text-delta', text: delta.refusal });
  }
  if (delta.tool_calls != null) parts.push(...toolCallParts(delta.tool_calls, state));
  else if (delta.function_call != null) parts.push(...toolCallParts([{ index: 0, function: delta.function_call }], state));
  return parts;
}

function chunkParts(chunk: OpenAIChatChunk, state: DecoderState, reasoningField: string | undefined): StreamPart[] {
  const parts: StreamPart[] = [];
  if (!state.started) {
    state.started = true;
    parts.push({ type: 'response-start', id: chunk.id ?? '', model: chunk.model ?? '', created: chunk.created ?? 0 });
  }
  if (chunk.error != null) {
    parts.push({ type: 'error', errorType: chunk.error.type ?? 'api_error', message: chunk.error.message ?? 'The upstream reported an error mid-stream.' });
    return parts;
  }
  // Only the first choice is translated: the gateway never asks an upstream for n > 1.
  const choice = chunk.choices?.find((candidate) => (candidate.index ?? 0) === 0);
  if (choice?.delta != null) parts.push(...deltaParts(choice.delta, state, reasoningField));
  if (choice?.finish_reason != null && !state.finished) {
    state.finished = true;
    const finish = state.refused && choice.finish_reason === 'stop' ? { finishReason: 'refusal' as const } : fromOpenAIFinishReason(choice.finish_reason, choice.stop_reason);
    parts.push({ type: 'finish', ...finish });
  }
  const usage = chunk.usage ?? chunk.x_groq?.usage;
  if (usage != null) state.usage = openaiUsageToTokens(usage, chunk.service_tier);
  return parts;
}

function flush(state: DecoderState): StreamPart[] {
  if (state.closed) return [];
  state.closed = true;
  return state.usage === null ? [] : [{ type: 'usage', usage: state.usage }];
}

/**
 * Creates a decoder for one stream. `reasoningField` names a host's own reasoning delta field beyond
 * `reasoning_content` and `reasoning`, which are always read. A chunk that is not valid JSON or not a chunk becomes
 * an `error` part (never a throw); a `response-start` part always comes first.
 */
export function createOpenAIStreamDecoder(options: { reasoningField?: string } = {}): OpenAIStreamDecoder {
  const state: DecoderState = { started: false, finished: false, refused: false, closed: false, usage: null, tools: new Map(), lastToolKey: null };
  const start = (): StreamPart[] => {
    if (state.started) return [];
    state.started = true;
    return [{ type: 'response-start', id: '', model: '', created: 0 }];
  };
  return {
    decode(event) {
      if (state.closed) return [];
      const data = event.data.trim();
      if (data === '[DONE]') return flush(state);
      if (data === '') return [];
      const chunk = openaiChatChunkSchema.safeParse(parseJson(data));
      if (!chunk.success) {
        return [...start(), { type: 'error', errorType: 'api_error', message: `The upstream sent a stream event that is not a chat completion chunk: ${data.slice(0, 200)}` }];
      }
      return chunkParts(chunk.data, state, options.reasoningField);
    },
    end() {
      return flush(state);
    },
  };
}

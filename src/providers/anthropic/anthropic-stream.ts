/**
 * Anthropic Messages SSE events → canonical stream parts (https://docs.anthropic.com/en/docs/build-with-claude/streaming).
 * The stream is message_start, then per content block content_block_start / content_block_delta… /
 * content_block_stop, then message_delta (stop reason, CUMULATIVE usage) and message_stop; ping events may come at
 * any point and an `error` event may end the stream early. Unknown event types are skipped (versioning policy).
 * - message_start → response-start (id, model; `created` 0: Anthropic sends no time) and the input usage;
 * - text blocks → text-delta; thinking blocks → reasoning-delta and reasoning-signature (signature_delta);
 *   redacted_thinking → redacted-reasoning; tool_use blocks → tool-call-start / tool-call-delta (input_json_delta),
 *   numbered by a running tool index (0, 1, … in block order); other block types (server tools) are skipped;
 * - message_delta → finish (first stop_reason) and usage merged field by field (latest non-null value wins);
 * - message_stop → one usage part with the merged usage;
 * - `error` event → error part with Anthropic's error type (e.g. overloaded_error).
 */
import { describeFirstIssue } from '../../spec/format-path.js';
import type { SseEvent } from '../shared/sse.js';
import type { StreamPart } from '../../spec/canonical.js';
import { anthropicStreamEventSchema, knownStreamEventTypes, type AnthropicContentBlock, type AnthropicStreamEvent, type AnthropicUsage } from './anthropic-api.js';
import { parseJson } from '../shared/parse-json.js';
import { toolInputText } from './anthropic-convert-response.js';
import { fromAnthropicStopReason } from './anthropic-finish-reason.js';
import { anthropicUsageToTokens, mergeAnthropicUsage } from './anthropic-usage.js';

export interface AnthropicStreamDecoder {
  decode(event: SseEvent): StreamPart[];
  end(): StreamPart[];
}

interface DecoderState {
  started: boolean;
  finished: boolean;
  /** message_stop went by (usage emitted) or an error part was emitted: nothing more is decoded. */
  closed: boolean;
  usage: AnthropicUsage | null;
  /** Content block index → what the block carries; `tool` is its canonical tool index. */
  blocks: Map<number, { kind: 'text' | 'reasoning' | 'tool' | 'other'; tool: number }>;
  toolCount: number;
}

function errorPart(message: string, errorType = 'api_error'): StreamPart {
  return { type: 'error', errorType, message };
}

function blockStartParts(block: AnthropicContentBlock, index: number, state: DecoderState): StreamPart[] {
  switch (block.type) {
    case 'text':
      state.blocks.set(index, { kind: 'text', tool: -1 });
      return block.text != null && block.text !== '' ? [{ type: 'text-delta', text: block.text }] : [];
    case 'thinking': {
      state.blocks.set(index, { kind: 'reasoning', tool: -1 });
      const parts: StreamPart[] = [];
      if (block.thinking != null && block.thinking !== '') parts.push({ type: 'reasoning-delta', text: block.thinking });
      if (block.signature != null && block.signature !== '') parts.push({ type: 'reasoning-signature', signature: block.signature });
      return parts;
    }
    case 'redacted_thinking':
      state.blocks.set(index, { kind: 'other', tool: -1 });
      return block.data == null ? [errorPart(`content_block_start ${index}: a redacted_thinking block without data`)] : [{ type: 'redacted-reasoning', data: block.data }];
    case 'tool_use': {
      if (block.id == null || block.name == null) return [errorPart(`content_block_start ${index}: a tool_use block needs an id and a name`)];
      const tool = state.toolCount++;
      state.blocks.set(index, { kind: 'tool', tool });
      const parts: StreamPart[] = [{ type: 'tool-call-start', index: tool, id: block.id, name: block.name }];
      // The block opens with `input: {}` and the arguments follow as input_json_delta; a non-empty input is sent whole.
      const input = toolInputText(block.input);
      if (input !== '{}') parts.push({ type: 'tool-call-delta', index: tool, argumentsDelta: input });
      return parts;
    }
    default:
      state.blocks.set(index, { kind: 'other', tool: -1 });
      return [];
  }
}

function blockDeltaParts(event: Extract<AnthropicStreamEvent, { type: 'content_block_delta' }>, state: DecoderState): StreamPart[] {
  const block = state.blocks.get(event.index);
  const delta = event.delta;
  if (block === undefined || block.kind === 'other') return [];
  switch (delta.type) {
    case 'text_delta':
      return delta.text != null && delta.text !== '' ? [{ type: 'text-delta', text: delta.text }] : [];
    case 'thinking_delta':
      return delta.thinking != null && delta.thinking !== '' ? [{ type: 'reasoning-delta', text: delta.thinking }] : [];
    case 'signature_delta':
      return delta.signature != null && delta.signature !== '' ? [{ type: 'reasoning-signature', signature: delta.signature }] : [];
    case 'input_json_delta':
      return block.kind === 'tool' && delta.partial_json != null && delta.partial_json !== '' ? [{ type: 'tool-call-delta', index: block.tool, argumentsDelta: delta.partial_json }] : [];
    default:
      return [];
  }
}

function usageParts(state: DecoderState): StreamPart[] {
  return state.usage === null ? [] : [{ type: 'usage', usage: anthropicUsageToTokens(state.usage) }];
}

function eventParts(event: AnthropicStreamEvent, state: DecoderState): StreamPart[] {
  switch (event.type) {
    case 'message_start':
      if (event.message.usage != null) state.usage = mergeAnthropicUsage(state.usage, event.message.usage);
      return [];
    case 'content_block_start':
      return blockStartParts(event.content_block, event.index, state);
    case 'content_block_delta':
      return blockDeltaParts(event, state);
    case 'message_delta': {
      if (event.usage != null) state.usage = mergeAnthropicUsage(state.usage, event.usage);
      const stopReason = event.delta?.stop_reason;
      if (stopReason == null || state.finished) return [];
      state.finished = true;
      const stopSequence = event.delta?.stop_sequence;
      const finishReason = fromAnthropicStopReason(stopReason);
      return [finishReason === 'stop-sequence' && stopSequence != null ? { type: 'finish', finishReason, stopSequence } : { type: 'finish', finishReason }];
    }
    case 'message_stop': {
      state.closed = true;
      const finish: StreamPart[] = state.finished ? [] : [{ type: 'finish', finishReason: 'other' }];
      state.finished = true;
      return [...finish, ...usageParts(state)];
    }
    case 'error':
      state.closed = true;
      return [errorPart(event.error?.message ?? 'The upstream reported an error mid-stream.', event.error?.type ?? 'api_error')];
    default:
      return [];
  }
}

/** The event's JSON with its type: the data's `type`, else the SSE `event:` name. Null for data that is not an object. */
function readEvent(event: SseEvent): { type: string; json: Record<string, unknown> } | null {
  const json = parseJson(event.data);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return null;
  const record: Record<string, unknown> = { ...json };
  const type = typeof record.type === 'string' ? record.type : event.event;
  if (type === undefined) return null;
  return { type, json: { ...record, type } };
}

/**
 * Creates a decoder for one stream. A `response-start` part always comes first; an event that is not JSON, or a known
 * event of the wrong shape, becomes an `error` part (never a throw). end() reports the usage seen so far and, when the
 * stream stopped before any stop reason, an `error` part: the caller must not take a cut stream for a whole answer.
 */
export function createAnthropicStreamDecoder(): AnthropicStreamDecoder {
  const state: DecoderState = { started: false, finished: false, closed: false, usage: null, blocks: new Map(), toolCount: 0 };
  const start = (id = '', model = ''): StreamPart[] => {
    if (state.started) return [];
    state.started = true;
    return [{ type: 'response-start', id, model, created: 0 }];
  };
  return {
    decode(event) {
      if (state.closed || event.data.trim() === '') return [];
      const read = readEvent(event);
      if (read === null) return [...start(), errorPart(`The upstream sent a stream event that is not an Anthropic event: ${event.data.slice(0, 200)}`)];
      if (!knownStreamEventTypes.has(read.type)) return [];
      const parsed = anthropicStreamEventSchema.safeParse(read.json);
      if (!parsed.success) return [...start(), errorPart(`The upstream sent a malformed ${read.type} event (${describeFirstIssue(parsed.error)}).`)];
      const head = parsed.data.type === 'message_start' ? start(parsed.data.message.id ?? '', parsed.data.message.model ?? '') : start();
      return [...head, ...eventParts(parsed.data, state)];
    },
    end() {
      if (state.closed) return [];
      state.closed = true;
      const head = start();
      if (state.finished) return [...head, ...usageParts(state)];
      return [...head, ...usageParts(state), errorPart('The upstream stream ended before the message was complete (no message_stop).')];
    },
  };
}

/**
 * Canonical stream parts → Anthropic Messages SSE text (https://docs.anthropic.com/en/docs/build-with-claude/streaming),
 * for a streaming /v1/messages caller served by another wire format. Every event carries its `event:` line (the
 * Anthropic SDK ignores events without one).
 */
import { formatSse } from '../../../providers/shared/sse.js';
import type { StreamPart } from '../../../spec/canonical.js';
import type { TokenUsage } from '../../../spec/usage.js';
import { renderAnthropicUsage, toAnthropicStopReason } from './anthropic-response.js';

export interface AnthropicStreamEncoder {
  encode(part: StreamPart): string;
  end(): string;
}

interface OpenBlock {
  index: number;
  kind: 'text' | 'thinking' | 'tool';
  /** A thinking block that received its signature: more reasoning opens a new block. */
  signed: boolean;
}

interface EncoderState {
  id: string;
  started: boolean;
  ended: boolean;
  failed: boolean;
  open: OpenBlock | null;
  nextIndex: number;
  /** Canonical tool-call index → the content block index of its tool_use block. */
  tools: Map<number, number>;
  stopReason: string | null;
  stopSequence: string | null;
  usage: TokenUsage | null;
}

const anthropicErrorTypes = new Set(['invalid_request_error', 'authentication_error', 'billing_error', 'permission_error', 'not_found_error', 'request_too_large', 'rate_limit_error', 'api_error', 'timeout_error', 'overloaded_error']);
const foreignErrorTypes: Record<string, string> = { RESOURCE_EXHAUSTED: 'rate_limit_error', UNAVAILABLE: 'overloaded_error', DEADLINE_EXCEEDED: 'timeout_error', server_error: 'api_error' };

/** An upstream's error type → the Anthropic error type a client can act on (api_error when unknown). */
export function toAnthropicErrorType(errorType: string): string {
  return anthropicErrorTypes.has(errorType) ? errorType : (foreignErrorTypes[errorType] ?? 'api_error');
}

const event = (type: string, body: Record<string, unknown> = {}): string => formatSse(JSON.stringify({ type, ...body }), type);

/**
 * message_delta usage: the cumulative counts the current API sends (input and cache fields included), plus the
 * `cache_creation` TTL split, which clients that do not know it ignore and which keeps 1-hour writes distinct.
 */
function deltaUsage(usage: TokenUsage | null): Record<string, unknown> {
  if (usage === null) return { output_tokens: 0 };
  return renderAnthropicUsage(usage);
}

/** The event writers of one stream, over its state. */
function createWriter(state: EncoderState, model: string) {
  const start = (): string => {
    if (state.started) return '';
    state.started = true;
    const usage = state.usage === null ? { input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 } : { ...renderAnthropicUsage(state.usage), output_tokens: 0 };
    const message = { id: state.id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage };
    return event('message_start', { message }) + event('ping');
  };
  const close = (): string => {
    const open = state.open;
    if (open === null) return '';
    state.open = null;
    return event('content_block_stop', { index: open.index });
  };
  const openBlock = (kind: OpenBlock['kind'], block: Record<string, unknown>): string => {
    const text = start() + close();
    const index = state.nextIndex++;
    state.open = { index, kind, signed: false };
    return text + event('content_block_start', { index, content_block: block });
  };
  return {
    start,
    close,
    openBlock,
    /** A delta for the block at `index` (the open one unless a late tool delta). */
    delta: (index: number, body: Record<string, unknown>): string => event('content_block_delta', { index, delta: body }),
    /** The open thinking block, or a new one when none is open or the open one is signed. */
    thinking: (): string => (state.open?.kind === 'thinking' && !state.open.signed ? '' : openBlock('thinking', { type: 'thinking', thinking: '', signature: '' })),
    toolBlock: (canonical: number, id: string, name: string): string => {
      const text = openBlock('tool', { type: 'tool_use', id, name, input: {} });
      state.tools.set(canonical, state.nextIndex - 1);
      return text;
    },
  };
}

type Writer = ReturnType<typeof createWriter>;

function encodeContent(part: Extract<StreamPart, { type: 'text-delta' | 'reasoning-delta' | 'reasoning-signature' | 'redacted-reasoning' }>, state: EncoderState, writer: Writer): string {
  switch (part.type) {
    case 'text-delta': {
      if (part.text === '') return '';
      const head = state.open?.kind === 'text' ? '' : writer.openBlock('text', { type: 'text', text: '' });
      return head + writer.delta(state.nextIndex - 1, { type: 'text_delta', text: part.text });
    }
    case 'reasoning-delta': {
      if (part.text === '') return '';
      const head = writer.thinking();
      return head + writer.delta(state.nextIndex - 1, { type: 'thinking_delta', thinking: part.text });
    }
    case 'reasoning-signature': {
      const head = writer.thinking();
      if (state.open !== null) state.open.signed = true;
      return head + writer.delta(state.nextIndex - 1, { type: 'signature_delta', signature: part.signature });
    }
    case 'redacted-reasoning':
      return writer.openBlock('thinking', { type: 'redacted_thinking', data: part.data }) + writer.close();
  }
}

function encodePart(part: StreamPart, state: EncoderState, writer: Writer): string {
  switch (part.type) {
    case 'response-start':
      state.id = part.id;
      return writer.start();
    case 'tool-call-start':
      return writer.toolBlock(part.index, part.id, part.name);
    case 'tool-call-delta': {
      if (part.argumentsDelta === '') return '';
      const head = state.tools.has(part.index) ? '' : writer.toolBlock(part.index, `call_${part.index}`, '');
      return head + writer.delta(state.tools.get(part.index) ?? 0, { type: 'input_json_delta', partial_json: part.argumentsDelta });
    }
    case 'finish':
      if (state.stopReason === null) {
        state.stopReason = toAnthropicStopReason(part.finishReason);
        state.stopSequence = part.finishReason === 'stop-sequence' ? (part.stopSequence ?? null) : null;
      }
      return writer.start();
    case 'usage':
      state.usage = part.usage;
      return '';
    case 'error':
      state.failed = true;
      return event('error', { error: { type: toAnthropicErrorType(part.errorType), message: part.message } });
    default:
      return encodeContent(part, state, writer);
  }
}

/**
 * Creates an encoder for one stream: message_start (usage zero unless already known) and a ping on the first part;
 * one content block per run of parts of one kind (text, thinking, each tool call, each redacted thinking), opened and
 * closed as the kind changes; at end(), the open block's content_block_stop, message_delta with the stop reason and
 * the usage (usage arriving after the finish part is therefore still delivered), and message_stop. A tool-call delta
 * for a tool whose block was already closed is sent with that block's index (SDKs accumulate deltas by index). An
 * `error` part becomes Anthropic's in-stream `error` event, and nothing follows it.
 */
export function createAnthropicStreamEncoder(options: { model: string; includeUsage?: boolean }): AnthropicStreamEncoder {
  const state: EncoderState = { id: '', started: false, ended: false, failed: false, open: null, nextIndex: 0, tools: new Map(), stopReason: null, stopSequence: null, usage: null };
  const writer = createWriter(state, options.model);
  return {
    encode(part) {
      if (state.ended || state.failed) return '';
      return encodePart(part, state, writer);
    },
    end() {
      if (state.ended) return '';
      state.ended = true;
      if (state.failed) return '';
      const head = writer.start() + writer.close();
      const stop = { stop_reason: state.stopReason ?? 'end_turn', stop_sequence: state.stopSequence };
      return head + event('message_delta', { delta: stop, usage: deltaUsage(state.usage) }) + event('message_stop');
    },
  };
}

import { describe, expect, it } from 'vitest';
import { sseEvents } from '../../../providers/anthropic/__fixtures__/fixtures.js';
import type { StreamPart } from '../../../spec/canonical.js';
import { createAnthropicStreamEncoder, toAnthropicErrorType } from './anthropic-stream.js';

const usage = { inputTokens: 33, cacheReadTokens: 1024, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: 9, reasoningTokens: 0 };

/** Encodes the parts and returns the events as parsed JSON, checking each has an `event:` line equal to its type. */
function encode(parts: StreamPart[]): Record<string, unknown>[] {
  const encoder = createAnthropicStreamEncoder({ model: 'gpt-4o-mini' });
  const text = parts.map((part) => encoder.encode(part)).join('') + encoder.end();
  return sseEvents(text).map((event) => {
    const data: unknown = JSON.parse(event.data);
    if (typeof data !== 'object' || data === null || !('type' in data)) throw new Error('event without type');
    expect(event.event).toBe(data.type);
    return { ...data };
  });
}

const types = (events: Record<string, unknown>[]) => events.map((event) => event.type);

describe('createAnthropicStreamEncoder', () => {
  it('encodes text then a tool call as blocks 0 and 1, with the stop reason and full usage in message_delta', () => {
    const events = encode([
      { type: 'response-start', id: 'chatcmpl-1', model: 'gpt-4o-mini-2024-07-18', created: 1 },
      { type: 'text-delta', text: 'Let me look.' },
      { type: 'tool-call-start', index: 0, id: 'call_1', name: 'lookup' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"id":' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '"Q-2"}' },
      { type: 'finish', finishReason: 'tool-calls' },
      { type: 'usage', usage },
    ]);
    expect(events).toEqual([
      {
        type: 'message_start',
        message: { id: 'chatcmpl-1', type: 'message', role: 'assistant', model: 'gpt-4o-mini', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 } },
      },
      { type: 'ping' },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Let me look.' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'call_1', name: 'lookup', input: {} } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"id":' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '"Q-2"}' } },
      { type: 'content_block_stop', index: 1 },
      {
        type: 'message_delta',
        delta: { stop_reason: 'tool_use', stop_sequence: null },
        usage: {
          input_tokens: 33,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 1024,
          cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
          output_tokens: 9,
          output_tokens_details: { thinking_tokens: 0 },
        },
      },
      { type: 'message_stop' },
    ]);
  });

  it('delivers usage that arrives before the finish part too, and an unknown usage as output_tokens 0', () => {
    const before = encode([{ type: 'response-start', id: 'r', model: 'm', created: 0 }, { type: 'usage', usage }, { type: 'text-delta', text: 'x' }, { type: 'finish', finishReason: 'length' }]);
    expect(before.at(-2)).toMatchObject({ type: 'message_delta', delta: { stop_reason: 'max_tokens' }, usage: { input_tokens: 33, output_tokens: 9 } });
    const none = encode([{ type: 'response-start', id: 'r', model: 'm', created: 0 }, { type: 'text-delta', text: 'x' }, { type: 'finish', finishReason: 'stop-sequence', stopSequence: 'END' }]);
    expect(none.at(-2)).toEqual({ type: 'message_delta', delta: { stop_reason: 'stop_sequence', stop_sequence: 'END' }, usage: { output_tokens: 0 } });
  });

  it('opens a thinking block for reasoning, a new one after a signature, and a closed block for redacted reasoning', () => {
    const events = encode([
      { type: 'response-start', id: 'r', model: 'm', created: 0 },
      { type: 'reasoning-delta', text: 'First.' },
      { type: 'reasoning-signature', signature: 'sig-1' },
      { type: 'reasoning-delta', text: 'Second.' },
      { type: 'redacted-reasoning', data: 'opaque' },
      { type: 'text-delta', text: 'Answer.' },
      { type: 'finish', finishReason: 'stop' },
    ]);
    expect(events.slice(2, -2)).toEqual([
      { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'First.' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'sig-1' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'thinking', thinking: '', signature: '' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'thinking_delta', thinking: 'Second.' } },
      { type: 'content_block_stop', index: 1 },
      { type: 'content_block_start', index: 2, content_block: { type: 'redacted_thinking', data: 'opaque' } },
      { type: 'content_block_stop', index: 2 },
      { type: 'content_block_start', index: 3, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 3, delta: { type: 'text_delta', text: 'Answer.' } },
      { type: 'content_block_stop', index: 3 },
    ]);
  });

  it('turns an error part into an error event and writes nothing after it', () => {
    const encoder = createAnthropicStreamEncoder({ model: 'm' });
    const text = encoder.encode({ type: 'response-start', id: 'r', model: 'm', created: 0 }) + encoder.encode({ type: 'text-delta', text: 'Hel' });
    const error = encoder.encode({ type: 'error', errorType: 'UNAVAILABLE', message: 'The model is overloaded.' });
    expect(error).toBe('event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"The model is overloaded."}}\n\n');
    expect(encoder.encode({ type: 'text-delta', text: 'lo' }) + encoder.end() + encoder.end()).toBe('');
    expect(types(sseEvents(text).map((event) => ({ type: event.event })))).toEqual(['message_start', 'ping', 'content_block_start', 'content_block_delta']);
  });

  it('ends an empty stream as a well-formed empty message, and opens a tool block for a delta without a start', () => {
    expect(types(encode([]))).toEqual(['message_start', 'ping', 'message_delta', 'message_stop']);
    const events = encode([{ type: 'tool-call-delta', index: 3, argumentsDelta: '{}' }, { type: 'finish', finishReason: 'tool-calls' }]);
    expect(events.slice(2, 5)).toEqual([
      { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'call_3', name: '', input: {} } },
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{}' } },
      { type: 'content_block_stop', index: 0 },
    ]);
  });

  it('sends a late delta of an earlier tool with that tool block index', () => {
    const events = encode([
      { type: 'tool-call-start', index: 0, id: 'a', name: 'f' },
      { type: 'tool-call-start', index: 1, id: 'b', name: 'g' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{}' },
    ]);
    expect(events.filter((event) => event.type === 'content_block_delta')).toEqual([{ type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{}' } }]);
  });

  it('maps error types of every provider to Anthropic types', () => {
    expect(toAnthropicErrorType('overloaded_error')).toBe('overloaded_error');
    expect(toAnthropicErrorType('RESOURCE_EXHAUSTED')).toBe('rate_limit_error');
    expect(toAnthropicErrorType('server_error')).toBe('api_error');
    expect(toAnthropicErrorType('something_new')).toBe('api_error');
  });
});

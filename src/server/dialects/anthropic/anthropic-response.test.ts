import { describe, expect, it } from 'vitest';
import type { ChatResponse } from '../../../spec/canonical.js';
import { renderAnthropicResponse, toAnthropicStopReason } from './anthropic-response.js';

const usage = { inputTokens: 100, cacheReadTokens: 1024, cacheWrite5mTokens: 300, cacheWrite1hTokens: 200, outputTokens: 40, reasoningTokens: 25 };

describe('renderAnthropicResponse', () => {
  it('renders a Message with the public model name and disjoint usage', () => {
    const response: ChatResponse = { id: 'chatcmpl-1', model: 'gpt-4o-mini-2024-07-18', created: 1, content: [{ type: 'text', text: 'Hey.' }], finishReason: 'stop', usage };
    expect(renderAnthropicResponse(response, { model: 'gpt-4o-mini' })).toEqual({
      id: 'chatcmpl-1',
      type: 'message',
      role: 'assistant',
      model: 'gpt-4o-mini',
      content: [{ type: 'text', text: 'Hey.' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: {
        input_tokens: 100,
        cache_creation_input_tokens: 500,
        cache_read_input_tokens: 1024,
        cache_creation: { ephemeral_5m_input_tokens: 300, ephemeral_1h_input_tokens: 200 },
        output_tokens: 40,
        output_tokens_details: { thinking_tokens: 25 },
      },
    });
  });

  it('renders reasoning, tool calls (input as an object) and leaves out empty text', () => {
    const response: ChatResponse = {
      id: 'r',
      model: 'm',
      created: 0,
      content: [
        { type: 'reasoning', text: 'Thinking…' },
        { type: 'reasoning', text: 'Signed.', signature: 'sig' },
        { type: 'reasoning', text: '', redactedData: 'opaque' },
        { type: 'text', text: '' },
        { type: 'tool-call', id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { type: 'tool-call', id: 'call_2', name: 'broken', arguments: '{"city":' },
      ],
      finishReason: 'tool-calls',
      usage,
    };
    expect(renderAnthropicResponse(response, { model: 'x' }).content).toEqual([
      { type: 'thinking', thinking: 'Thinking…', signature: '' },
      { type: 'thinking', thinking: 'Signed.', signature: 'sig' },
      { type: 'redacted_thinking', data: 'opaque' },
      { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
      { type: 'tool_use', id: 'call_2', name: 'broken', input: {} },
    ]);
  });

  it('maps finish reasons and shows the stop sequence', () => {
    const response: ChatResponse = { id: 'r', model: 'm', created: 0, content: [], finishReason: 'stop-sequence', stopSequence: 'END', usage };
    expect(renderAnthropicResponse(response, { model: 'x' })).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: 'END' });
    expect(toAnthropicStopReason('length')).toBe('max_tokens');
    expect(toAnthropicStopReason('tool-calls')).toBe('tool_use');
    expect(toAnthropicStopReason('content-filter')).toBe('refusal');
    expect(toAnthropicStopReason('refusal')).toBe('refusal');
    expect(toAnthropicStopReason('other')).toBe('end_turn');
  });
});

import { describe, expect, it } from 'vitest';
import { fixtureJson } from './__fixtures__/fixtures.js';
import { fromAnthropicResponse } from './anthropic-convert-response.js';
import { thrownGatewayError } from '../../../test/support/thrown.js';

describe('fromAnthropicResponse', () => {
  it('reads the API reference example: text (citations dropped), stop reason and usage', () => {
    expect(fromAnthropicResponse(fixtureJson('message.json'))).toEqual({
      id: 'msg_013Zva2CMHLNnXjNJJKqJ2EF',
      model: 'claude-opus-5',
      created: 0,
      content: [{ type: 'text', text: 'Hi! My name is Claude.' }],
      finishReason: 'stop',
      usage: { inputTokens: 2095, cacheReadTokens: 2051, cacheWrite5mTokens: 2051, cacheWrite1hTokens: 0, outputTokens: 503, reasoningTokens: 0 },
    });
  });

  it('reads a tool_use block as a tool call with its input as JSON text (a body without usage counts zero)', () => {
    const response = fromAnthropicResponse(fixtureJson('tool-use.json'));
    expect(response.content).toEqual([
      { type: 'text', text: "I'll check the current weather in San Francisco for you." },
      { type: 'tool-call', id: 'toolu_01A09q90qw90lq917835lq9', name: 'get_weather', arguments: '{"location":"San Francisco, CA","unit":"celsius"}' },
    ]);
    expect(response.finishReason).toBe('tool-calls');
    expect(response.usage.inputTokens + response.usage.outputTokens).toBe(0);
  });

  it('reads thinking with its signature and redacted thinking with its data', () => {
    const response = fromAnthropicResponse(fixtureJson('thinking-redacted.json'));
    expect(response.content).toEqual([
      { type: 'reasoning', text: 'Let me analyze this step by step...', signature: 'WaUjzkypQ2mUEVM36O2TxuC06KN8xyfbJwyem2dw3URve/op91XWHOEBLLqIOMfFG/UvLEczmEsUjavL....' },
      { type: 'reasoning', text: '', redactedData: 'EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpPkNRj2YfWXGmKDxH4mPnZ5sQ7vB9URj2pLmN3kF8/dW5hR7xJ0aP1oLs9yTcMnKVf2wRpEGjH9XZaBt4UvDcPrQ...' },
      { type: 'text', text: 'Based on my analysis...' },
    ]);
    expect(response).toMatchObject({ id: '', model: '', finishReason: 'other' });
  });

  it('reads cached usage with its TTL split', () => {
    expect(fromAnthropicResponse(fixtureJson('cached-usage.json')).usage).toEqual({
      inputTokens: 2048,
      cacheReadTokens: 1800,
      cacheWrite5mTokens: 456,
      cacheWrite1hTokens: 100,
      outputTokens: 503,
      reasoningTokens: 0,
    });
  });

  it('maps every stop reason and keeps the matched stop sequence', () => {
    const body = (stop_reason: string, stop_sequence: string | null = null) => ({ id: 'm', model: 'c', content: [], stop_reason, stop_sequence, usage: { input_tokens: 1, output_tokens: 1 } });
    expect(fromAnthropicResponse(body('stop_sequence', '\n\nHuman:'))).toMatchObject({ finishReason: 'stop-sequence', stopSequence: '\n\nHuman:' });
    expect(fromAnthropicResponse(body('max_tokens')).finishReason).toBe('length');
    expect(fromAnthropicResponse(body('model_context_window_exceeded')).finishReason).toBe('length');
    expect(fromAnthropicResponse(body('refusal')).finishReason).toBe('refusal');
    expect(fromAnthropicResponse(body('pause_turn')).finishReason).toBe('other');
    expect(fromAnthropicResponse(body('end_turn')).stopSequence).toBeUndefined();
  });

  it('skips server tool blocks and an empty tool input becomes {}', () => {
    const response = fromAnthropicResponse({
      content: [
        { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'x' } },
        { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [] },
        { type: 'tool_use', id: 'toolu_2', name: 'now', input: null },
      ],
      stop_reason: 'tool_use',
    });
    expect(response.content).toEqual([{ type: 'tool-call', id: 'toolu_2', name: 'now', arguments: '{}' }]);
    const odd = fromAnthropicResponse({ content: [{ type: 'future_block', name: 5, data: { nested: true } }, { type: 'text', text: 'ok' }] });
    expect(odd.content).toEqual([{ type: 'text', text: 'ok' }]);
  });

  it('rejects a body that is not a Message as upstream_bad_response naming the field', () => {
    expect(thrownGatewayError(() => fromAnthropicResponse({ id: 'x' })).code).toBe('upstream_bad_response');
    expect(thrownGatewayError(() => fromAnthropicResponse({ content: [{ type: 'text' }] })).message).toContain('content[0].text');
    expect(thrownGatewayError(() => fromAnthropicResponse({ content: [{ type: 'text', text: 5 }] })).message).toContain('content[0].text: expected string');
    expect(thrownGatewayError(() => fromAnthropicResponse({ content: [{ type: 'tool_use', input: {} }] })).message).toContain('content[0]');
    expect(thrownGatewayError(() => fromAnthropicResponse('nope')).code).toBe('upstream_bad_response');
  });
});

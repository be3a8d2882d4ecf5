import { describe, expect, it } from 'vitest';
import type { StreamPart } from '../../spec/canonical.js';
import { createSseParser } from '../shared/sse.js';
import { fixtureEvents, fixtureText } from './__fixtures__/fixtures.js';
import { createOpenAIStreamDecoder } from './openai-stream.js';

const zero = { inputTokens: 0, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: 0, reasoningTokens: 0 };

function decodeFixture(name: string): StreamPart[] {
  const decoder = createOpenAIStreamDecoder();
  const parts = fixtureEvents(name).flatMap((event) => decoder.decode(event));
  return [...parts, ...decoder.end()];
}

function decodeData(lines: readonly unknown[]): StreamPart[] {
  const decoder = createOpenAIStreamDecoder();
  const parts = lines.flatMap((line) => decoder.decode({ event: undefined, id: undefined, data: typeof line === 'string' ? line : JSON.stringify(line) }));
  return [...parts, ...decoder.end()];
}

describe('createOpenAIStreamDecoder', () => {
  it('the API reference streaming example', () => {
    expect(decodeFixture('chat-stream.sse')).toEqual([
      { type: 'response-start', id: 'chatcmpl-123', model: 'gpt-4o-mini', created: 1694268190 },
      { type: 'text-delta', text: 'Hello' },
      { type: 'finish', finishReason: 'stop' },
    ]);
  });

  it('include_usage: the usage-only chunk becomes one usage part after finish', () => {
    expect(decodeFixture('chat-stream-usage.sse')).toEqual([
      { type: 'response-start', id: 'chatcmpl-9Kq3V2xL0aRj1mYbE9xWcG7tN5pQ', model: 'gpt-3.5-turbo-0125', created: 1715000000 },
      { type: 'text-delta', text: '2' },
      { type: 'finish', finishReason: 'stop' },
      { type: 'usage', usage: { ...zero, inputTokens: 19, outputTokens: 1 } },
    ]);
  });

  it('streamed tool call (function calling guide deltas) with cached and reasoning usage', () => {
    const parts = decodeFixture('chat-stream-tools.sse');
    expect(parts[1]).toEqual({ type: 'tool-call-start', index: 0, id: 'call_DdmO9pD3xa9XTPNJ32zg2hcA', name: 'get_weather' });
    const args = parts.flatMap((part) => (part.type === 'tool-call-delta' ? [part.argumentsDelta] : [])).join('');
    expect(args).toBe('{"location":"Paris, France"}');
    expect(parts.filter((part) => part.type === 'tool-call-delta').every((part) => part.type === 'tool-call-delta' && part.index === 0)).toBe(true);
    expect(parts.slice(-2)).toEqual([
      { type: 'finish', finishReason: 'tool-calls' },
      { type: 'usage', usage: { ...zero, inputTokens: 86, cacheReadTokens: 1920, outputTokens: 300, reasoningTokens: 128 } },
    ]);
  });

  it('DeepSeek reasoning_content deltas and usage on the finishing chunk', () => {
    expect(decodeFixture('deepseek-reasoner-stream.sse')).toEqual([
      { type: 'response-start', id: '1f633d8bfc032625086f14113c411638', model: 'deepseek-reasoner', created: 1718345013 },
      { type: 'reasoning-delta', text: 'Compare the tenths' },
      { type: 'reasoning-delta', text: ': 1 < 8.' },
      { type: 'text-delta', text: '9.11 is smaller.' },
      { type: 'finish', finishReason: 'stop' },
      { type: 'usage', usage: { ...zero, inputTokens: 2000, cacheReadTokens: 1000, outputTokens: 500, reasoningTokens: 380 } },
    ]);
  });

  it('the same parts whatever the TCP pieces (byte by byte, split UTF-8)', () => {
    const text = fixtureText('chat-stream-tools.sse').replace('Paris', 'Paris ☀');
    const decoder = createOpenAIStreamDecoder();
    const parts: StreamPart[] = [];
    const parser = createSseParser((event) => parts.push(...decoder.decode(event)));
    for (const byte of new TextEncoder().encode(text)) parser.push(new Uint8Array([byte]));
    parser.end();
    parts.push(...decoder.end());
    const args = parts.flatMap((part) => (part.type === 'tool-call-delta' ? [part.argumentsDelta] : [])).join('');
    expect(args).toBe('{"location":"Paris ☀, France"}');
  });

  it('a bad chunk becomes an error part, never a throw; response-start still comes first', () => {
    expect(decodeData(['{not json'])).toEqual([
      { type: 'response-start', id: '', model: '', created: 0 },
      { type: 'error', errorType: 'api_error', message: expect.stringContaining('{not json') },
    ]);
  });

  it('an in-stream error object becomes an error part with its type', () => {
    const parts = decodeData([{ id: 'a', model: 'm', created: 1, choices: [{ index: 0, delta: { content: 'x' } }] }, { error: { message: 'The server had an error', type: 'server_error' } }]);
    expect(parts.at(-1)).toEqual({ type: 'error', errorType: 'server_error', message: 'The server had an error' });
  });

  it('several tool calls, hosts that omit the index, and Groq x_groq usage', () => {
    const chunk = (delta: unknown, extra: Record<string, unknown> = {}) => ({ id: 'g', model: 'llama', created: 2, choices: [{ index: 0, delta, finish_reason: null }], ...extra });
    const parts = decodeData([
      chunk({ tool_calls: [{ id: 'call_a', type: 'function', function: { name: 'one', arguments: '{"a":1}' } }] }),
      chunk({ tool_calls: [{ id: 'call_b', type: 'function', function: { name: 'two', arguments: '{}' } }] }),
      { id: 'g', choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }], x_groq: { id: 'req', usage: { prompt_tokens: 10, completion_tokens: 4, total_tokens: 14 } } },
      '[DONE]',
    ]);
    expect(parts.filter((part) => part.type === 'tool-call-start')).toEqual([
      { type: 'tool-call-start', index: 0, id: 'call_a', name: 'one' },
      { type: 'tool-call-start', index: 1, id: 'call_b', name: 'two' },
    ]);
    expect(parts.at(-1)).toEqual({ type: 'usage', usage: { ...zero, inputTokens: 10, outputTokens: 4 } });
  });

  it('a host reusing index 0 with fresh ids still yields separate calls', () => {
    const parts = decodeData([
      { choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'c1', function: { name: 'a', arguments: '{}' } }] } }] },
      { choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'c2', function: { name: 'b', arguments: '{}' } }] } }] },
    ]);
    expect(parts.filter((part) => part.type === 'tool-call-start').map((part) => part.type === 'tool-call-start' && part.index)).toEqual([0, 1]);
  });

  it('continuous usage (vLLM): only the latest usage is emitted, once', () => {
    const parts = decodeData([
      { choices: [{ index: 0, delta: { content: 'a' } }], usage: { prompt_tokens: 5, completion_tokens: 1 } },
      { choices: [{ index: 0, delta: { content: 'b' }, finish_reason: 'stop', stop_reason: null }], usage: { prompt_tokens: 5, completion_tokens: 2 } },
      '[DONE]',
    ]);
    expect(parts.filter((part) => part.type === 'usage')).toEqual([{ type: 'usage', usage: { ...zero, inputTokens: 5, outputTokens: 2 } }]);
  });

  it('a refusal delta is text and ends with finish reason refusal', () => {
    const parts = decodeData([{ choices: [{ index: 0, delta: { refusal: 'No.' } }] }, { choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }]);
    expect(parts.slice(1)).toEqual([
      { type: 'text-delta', text: 'No.' },
      { type: 'finish', finishReason: 'refusal' },
    ]);
  });

  it('reads a configured reasoning field', () => {
    const decoder = createOpenAIStreamDecoder({ reasoningField: 'thoughts' });
    const parts = decoder.decode({ event: undefined, id: undefined, data: JSON.stringify({ choices: [{ index: 0, delta: { thoughts: 'hm' } }] }) });
    expect(parts[1]).toEqual({ type: 'reasoning-delta', text: 'hm' });
  });
});

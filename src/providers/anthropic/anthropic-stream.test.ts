import { describe, expect, it } from 'vitest';
import type { StreamPart } from '../../spec/canonical.js';
import { createSseParser, type SseEvent } from '../shared/sse.js';
import { fixtureEvents, fixtureText } from './__fixtures__/fixtures.js';
import { createAnthropicStreamDecoder } from './anthropic-stream.js';

function decode(events: SseEvent[]): StreamPart[] {
  const decoder = createAnthropicStreamDecoder();
  return [...events.flatMap((event) => decoder.decode(event)), ...decoder.end()];
}

const ev = (data: unknown, event?: string): SseEvent => ({ event: event ?? (typeof data === 'object' && data !== null && 'type' in data ? String(data.type) : undefined), data: JSON.stringify(data), id: undefined });

describe('createAnthropicStreamDecoder', () => {
  it('decodes the basic streaming example: start, text, finish, usage (input from message_start, output from message_delta)', () => {
    expect(decode(fixtureEvents('stream-basic.sse'))).toEqual([
      { type: 'response-start', id: 'msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY', model: 'claude-sonnet-4-5-20250929', created: 0 },
      { type: 'text-delta', text: 'Hello' },
      { type: 'text-delta', text: '!' },
      { type: 'finish', finishReason: 'stop' },
      { type: 'usage', usage: { inputTokens: 25, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: 15, reasoningTokens: 0 } },
    ]);
  });

  it('decodes the tool use example: text then a tool call numbered 0 with its input_json_delta pieces', () => {
    const parts = decode(fixtureEvents('stream-tool-use.sse'));
    const text = parts.flatMap((part) => (part.type === 'text-delta' ? [part.text] : [])).join('');
    expect(text).toBe("Okay, let's check the weather for San Francisco, CA:");
    expect(parts.find((part) => part.type === 'tool-call-start')).toEqual({ type: 'tool-call-start', index: 0, id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', name: 'get_weather' });
    const args = parts.flatMap((part) => (part.type === 'tool-call-delta' ? [part] : []));
    expect(args.every((part) => part.index === 0 && part.argumentsDelta !== '')).toBe(true);
    expect(JSON.parse(args.map((part) => part.argumentsDelta).join(''))).toEqual({ location: 'San Francisco, CA', unit: 'fahrenheit' });
    expect(parts.slice(-2)).toEqual([
      { type: 'finish', finishReason: 'tool-calls' },
      { type: 'usage', usage: { inputTokens: 472, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: 89, reasoningTokens: 0 } },
    ]);
  });

  it('decodes the extended thinking example: reasoning deltas, the signature, then text; no usage part when none was sent', () => {
    const parts = decode(fixtureEvents('stream-thinking.sse'));
    const reasoning = parts.flatMap((part) => (part.type === 'reasoning-delta' ? [part.text] : [])).join('');
    expect(reasoning).toBe('Let me solve this step by step:\n\n1. First break down 27 * 453\n2. 453 = 400 + 50 + 3\n3. 27 * 400 = 10,800\n4. 27 * 50 = 1,350\n5. 27 * 3 = 81\n6. 10,800 + 1,350 + 81 = 12,231');
    expect(parts.slice(-3)).toEqual([
      { type: 'reasoning-signature', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds...' },
      { type: 'text-delta', text: '27 * 453 = 12,231' },
      { type: 'finish', finishReason: 'stop' },
    ]);
    expect(parts.filter((part) => part.type === 'usage')).toEqual([]);
  });

  it('merges cumulative usage field by field: cache split from message_start, totals and thinking from message_delta', () => {
    const parts = decode(fixtureEvents('stream-cached.sse'));
    expect(parts.filter((part) => part.type === 'redacted-reasoning')).toHaveLength(1);
    expect(parts.at(-1)).toEqual({ type: 'usage', usage: { inputTokens: 2048, cacheReadTokens: 1800, cacheWrite5mTokens: 456, cacheWrite1hTokens: 100, outputTokens: 503, reasoningTokens: 380 } });
  });

  it('turns an error event into an error part and decodes nothing after it', () => {
    const decoder = createAnthropicStreamDecoder();
    const parts = fixtureEvents('stream-error.sse').flatMap((event) => decoder.decode(event));
    expect(parts.at(-1)).toEqual({ type: 'error', errorType: 'overloaded_error', message: 'Overloaded' });
    expect(decoder.decode(ev({ type: 'message_stop' }))).toEqual([]);
    expect(decoder.end()).toEqual([]);
  });

  it('reports a stream cut before any stop reason: usage seen so far, then an error part', () => {
    const events = fixtureEvents('stream-basic.sse').slice(0, 4);
    const parts = decode(events);
    expect(parts.slice(-2)).toEqual([
      { type: 'usage', usage: { inputTokens: 25, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: 1, reasoningTokens: 0 } },
      expect.objectContaining({ type: 'error', errorType: 'api_error' }),
    ]);
    expect(decode([])).toEqual([{ type: 'response-start', id: '', model: '', created: 0 }, expect.objectContaining({ type: 'error' })]);
  });

  it('still reports usage when message_delta came but message_stop did not', () => {
    const parts = decode(fixtureEvents('stream-basic.sse').slice(0, -1));
    expect(parts.slice(-2).map((part) => part.type)).toEqual(['finish', 'usage']);
  });

  it('makes a bad chunk an error part, never a throw, and skips unknown event types', () => {
    const decoder = createAnthropicStreamDecoder();
    expect(decoder.decode({ event: 'content_block_delta', data: '{"type": "content_block_delta", "ind', id: undefined })).toEqual([
      { type: 'response-start', id: '', model: '', created: 0 },
      expect.objectContaining({ type: 'error', errorType: 'api_error' }),
    ]);
    const other = createAnthropicStreamDecoder();
    other.decode(ev({ type: 'message_start', message: { id: 'm', model: 'c', content: [] } }));
    expect(other.decode(ev({ type: 'future_event', payload: 1 }))).toEqual([]);
    expect(other.decode(ev({ type: 'content_block_delta', index: 'zero' }))).toEqual([expect.objectContaining({ type: 'error' })]);
  });

  it('uses the event name when the data has no type, skips pings and server tool blocks', () => {
    const parts = decode([
      ev({ message: { id: 'msg_1', model: 'claude-haiku-4-5', content: [], usage: { input_tokens: 3, output_tokens: 1 } } }, 'message_start'),
      ev({ type: 'ping' }),
      ev({ type: 'content_block_start', index: 0, content_block: { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: {} } }),
      ev({ type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{"query": "x"}' } }),
      ev({ type: 'content_block_stop', index: 0 }),
      ev({ type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } }),
      ev({ type: 'content_block_delta', index: 1, delta: { type: 'citations_delta', citation: {} } }),
      ev({ type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'Found it.' } }),
      ev({ type: 'message_delta', delta: { stop_reason: 'stop_sequence', stop_sequence: 'END' }, usage: { output_tokens: 7 } }),
      ev({ type: 'message_stop' }),
    ]);
    expect(parts).toEqual([
      { type: 'response-start', id: 'msg_1', model: 'claude-haiku-4-5', created: 0 },
      { type: 'text-delta', text: 'Found it.' },
      { type: 'finish', finishReason: 'stop-sequence', stopSequence: 'END' },
      { type: 'usage', usage: { inputTokens: 3, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: 7, reasoningTokens: 0 } },
    ]);
  });

  it('numbers parallel tool calls 0, 1 whatever their block index', () => {
    const parts = decode([
      ev({ type: 'message_start', message: { id: 'm', model: 'c', content: [] } }),
      ev({ type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'a', name: 'f', input: {} } }),
      ev({ type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'b', name: 'g', input: { x: 1 } } }),
      ev({ type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{}' } }),
      ev({ type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 4 } }),
      ev({ type: 'message_stop' }),
    ]);
    expect(parts.slice(1, 5)).toEqual([
      { type: 'tool-call-start', index: 0, id: 'a', name: 'f' },
      { type: 'tool-call-start', index: 1, id: 'b', name: 'g' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '{"x":1}' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{}' },
    ]);
  });

  it('decodes the same parts whatever TCP pieces the bytes arrive in', () => {
    const bytes = new TextEncoder().encode(fixtureText('stream-cached.sse'));
    const whole = decode(fixtureEvents('stream-cached.sse'));
    const events: SseEvent[] = [];
    const parser = createSseParser((event) => events.push(event));
    for (let i = 0; i < bytes.length; i += 7) parser.push(bytes.subarray(i, i + 7));
    parser.end();
    expect(decode(events)).toEqual(whole);
  });
});

import { describe, expect, it } from 'vitest';
import { fixtureEvents, fixtureJson } from './__fixtures__/fixtures.js';
import { createAnthropicStreamTap, readAnthropicUsage } from './anthropic-usage-tap.js';

function tap(name: string, count?: number) {
  const stream = createAnthropicStreamTap();
  for (const event of fixtureEvents(name).slice(0, count)) stream.observe(event);
  return stream.result();
}

describe('readAnthropicUsage', () => {
  it('reads usage and the served model of a non-streamed body', () => {
    expect(readAnthropicUsage(fixtureJson('cached-usage.json'))).toEqual({
      usage: { inputTokens: 2048, cacheReadTokens: 1800, cacheWrite5mTokens: 456, cacheWrite1hTokens: 100, outputTokens: 503, reasoningTokens: 0 },
      servedModel: 'claude-sonnet-4-5-20250929',
    });
  });

  it('returns nulls for a body without usage or that is not an object', () => {
    expect(readAnthropicUsage(fixtureJson('tool-use.json'))).toEqual({ usage: null, servedModel: 'claude-sonnet-4-5' });
    expect(readAnthropicUsage(null)).toEqual({ usage: null, servedModel: null });
  });
});

describe('createAnthropicStreamTap', () => {
  it('reads input usage from message_start and cumulative usage from message_delta', () => {
    expect(tap('stream-tool-use.sse')).toMatchObject({
      usage: { inputTokens: 472, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: 89, reasoningTokens: 0 },
      servedModel: 'claude-sonnet-4-5-20250929',
      finished: true,
    });
  });

  it('keeps the cache TTL split of message_start when message_delta repeats only the totals', () => {
    expect(tap('stream-cached.sse').usage).toEqual({ inputTokens: 2048, cacheReadTokens: 1800, cacheWrite5mTokens: 456, cacheWrite1hTokens: 100, outputTokens: 503, reasoningTokens: 380 });
  });

  it('for an aborted stream: input usage so far, not finished, and the output text of the kept events', () => {
    const result = tap('stream-tool-use.sse', 24);
    expect(result.finished).toBe(false);
    expect(result.usage).toMatchObject({ inputTokens: 472, outputTokens: 2 });
    expect(result.outputText).toBe('Okay, let\'s check the weather for San Francisco, CA:{"location": "San Francisco, CA"');
  });

  it('gathers thinking text too, and is not finished after an error event', () => {
    expect(tap('stream-thinking.sse').outputText).toContain('Let me solve this step by step:');
    expect(tap('stream-thinking.sse').usage).toBeNull();
    const failed = tap('stream-error.sse');
    expect(failed).toMatchObject({ finished: false, outputText: 'Hello', usage: { inputTokens: 25, outputTokens: 1 } });
  });

  it('parses only the events that can carry usage, found by event name or by type when the name is missing', () => {
    const stream = createAnthropicStreamTap();
    stream.observe({ event: undefined, data: '{"type":"message_start","message":{"model":"claude-haiku-4-5","content":[],"usage":{"input_tokens":9,"output_tokens":1}}}', id: undefined });
    stream.observe({ event: undefined, data: '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"\\"type\\":\\"message_delta\\""}}', id: undefined });
    stream.observe({ event: undefined, data: '{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":4}}', id: undefined });
    expect(stream.result()).toEqual({
      usage: { inputTokens: 9, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: 4, reasoningTokens: 0 },
      servedModel: 'claude-haiku-4-5',
      outputText: '"type":"message_delta"',
      finished: true,
    });
  });
});

import { describe, expect, it } from 'vitest';
import type { ChatResponse } from '../../../spec/canonical.js';
import { renderOpenAIResponse, toOpenAIFinishReason } from './openai-response.js';

const usage = { inputTokens: 100, cacheReadTokens: 1000, cacheWrite5mTokens: 200, cacheWrite1hTokens: 50, outputTokens: 40, reasoningTokens: 30 };

describe('renderOpenAIResponse', () => {
  it('an Anthropic-served answer with thinking, text and a tool call', () => {
    const response: ChatResponse = {
      id: 'msg_01',
      model: 'claude-sonnet-4-5-20250929',
      created: 1700000000,
      content: [
        { type: 'reasoning', text: 'Need the weather.', signature: 'sig' },
        { type: 'text', text: 'Checking.' },
        { type: 'tool-call', id: 'toolu_01', name: 'get_weather', arguments: '{"location":"Paris"}' },
      ],
      finishReason: 'tool-calls',
      usage,
    };
    expect(renderOpenAIResponse(response, { model: 'smart' })).toEqual({
      id: 'msg_01',
      object: 'chat.completion',
      created: 1700000000,
      model: 'smart',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Checking.',
            refusal: null,
            annotations: [],
            reasoning_content: 'Need the weather.',
            tool_calls: [{ id: 'toolu_01', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } }],
          },
          logprobs: null,
          finish_reason: 'tool_calls',
        },
      ],
      usage: {
        prompt_tokens: 1350,
        completion_tokens: 40,
        total_tokens: 1390,
        prompt_tokens_details: { cached_tokens: 1000, audio_tokens: 0, cache_write_tokens: 250 },
        completion_tokens_details: { reasoning_tokens: 30, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
      },
      system_fingerprint: null,
    });
  });

  it('content is null only for a tool-call-only message; empty string otherwise', () => {
    const base = { id: 'a', model: 'm', created: 0, finishReason: 'stop' as const, usage: { ...usage, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0 } };
    const message = (response: ChatResponse) => (renderOpenAIResponse(response, { model: 'x' }).choices as { message: Record<string, unknown> }[])[0]?.message;
    expect(message({ ...base, content: [{ type: 'tool-call', id: 'c', name: 'f', arguments: '{}' }] })?.content).toBeNull();
    expect(message({ ...base, content: [] })?.content).toBe('');
    expect(message({ ...base, content: [] })).not.toHaveProperty('tool_calls');
    expect(renderOpenAIResponse({ ...base, content: [] }, { model: 'x' }).usage).toMatchObject({ prompt_tokens_details: { cached_tokens: 1000, audio_tokens: 0 } });
  });

  it('finish reasons', () => {
    expect(toOpenAIFinishReason('stop')).toBe('stop');
    expect(toOpenAIFinishReason('stop-sequence')).toBe('stop');
    expect(toOpenAIFinishReason('length')).toBe('length');
    expect(toOpenAIFinishReason('tool-calls')).toBe('tool_calls');
    expect(toOpenAIFinishReason('content-filter')).toBe('content_filter');
    expect(toOpenAIFinishReason('refusal')).toBe('content_filter');
    expect(toOpenAIFinishReason('other')).toBe('stop');
  });
});

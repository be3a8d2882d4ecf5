import { describe, expect, it } from 'vitest';
import type { StreamPart } from '../../../spec/canonical.js';
import { sseEvents } from '../../../providers/openai/__fixtures__/fixtures.js';
import { createOpenAIStreamEncoder } from './openai-stream.js';

const usage = { inputTokens: 10, cacheReadTokens: 90, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: 20, reasoningTokens: 5 };

function encode(parts: StreamPart[], includeUsage = true): { data: string[]; json: unknown[] } {
  const encoder = createOpenAIStreamEncoder({ model: 'public-model', includeUsage });
  const text = parts.map((part) => encoder.encode(part)).join('') + encoder.end();
  const data = sseEvents(text).map((event) => event.data);
  return { data, json: data.filter((item) => item !== '[DONE]').map((item): unknown => JSON.parse(item)) };
}

describe('createOpenAIStreamEncoder', () => {
  it('text stream with usage after finish: role chunk, deltas, finish, usage chunk, [DONE]', () => {
    const { data, json } = encode([
      { type: 'response-start', id: 'msg_1', model: 'claude-sonnet-4-5', created: 1700000000 },
      { type: 'text-delta', text: 'Hello' },
      { type: 'finish', finishReason: 'stop-sequence', stopSequence: 'END' },
      { type: 'usage', usage },
    ]);
    expect(data.at(-1)).toBe('[DONE]');
    expect(json).toEqual([
      { id: 'msg_1', object: 'chat.completion.chunk', created: 1700000000, model: 'public-model', choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }], usage: null },
      { id: 'msg_1', object: 'chat.completion.chunk', created: 1700000000, model: 'public-model', choices: [{ index: 0, delta: { content: 'Hello' }, logprobs: null, finish_reason: null }], usage: null },
      { id: 'msg_1', object: 'chat.completion.chunk', created: 1700000000, model: 'public-model', choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }], usage: null },
      {
        id: 'msg_1',
        object: 'chat.completion.chunk',
        created: 1700000000,
        model: 'public-model',
        choices: [],
        usage: {
          prompt_tokens: 100,
          completion_tokens: 20,
          total_tokens: 120,
          prompt_tokens_details: { cached_tokens: 90, audio_tokens: 0 },
          completion_tokens_details: { reasoning_tokens: 5, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
        },
      },
    ]);
  });

  it('no usage chunk and no usage field when the caller did not ask', () => {
    const { data, json } = encode([{ type: 'response-start', id: 'a', model: 'm', created: 1 }, { type: 'usage', usage }, { type: 'finish', finishReason: 'stop' }], false);
    expect(data).toHaveLength(3);
    expect(json.every((chunk) => typeof chunk === 'object' && chunk !== null && !('usage' in chunk))).toBe(true);
  });

  it('tool calls get OpenAI indices 0, 1, … whatever the canonical index', () => {
    const { json } = encode([
      { type: 'response-start', id: 'a', model: 'm', created: 1 },
      { type: 'text-delta', text: 'Let me check.' },
      { type: 'tool-call-start', index: 1, id: 'toolu_1', name: 'get_weather' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '{"location":' },
      { type: 'tool-call-start', index: 2, id: 'toolu_2', name: 'get_time' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '"Paris"}' },
      { type: 'finish', finishReason: 'tool-calls' },
    ]);
    const deltas = json.map((chunk) => (chunk as { choices: { delta: { tool_calls?: unknown } }[] }).choices[0]?.delta.tool_calls).filter((calls) => calls !== undefined);
    expect(deltas).toEqual([
      [{ index: 0, id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '' } }],
      [{ index: 0, function: { arguments: '{"location":' } }],
      [{ index: 1, id: 'toolu_2', type: 'function', function: { name: 'get_time', arguments: '' } }],
      [{ index: 0, function: { arguments: '"Paris"}' } }],
    ]);
    expect((json.at(-1) as { choices: { finish_reason: string }[] }).choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('reasoning deltas as reasoning_content; signatures dropped; role chunk even without response-start', () => {
    const { json } = encode([
      { type: 'reasoning-delta', text: 'Thinking' },
      { type: 'reasoning-signature', signature: 'sig' },
      { type: 'redacted-reasoning', data: 'xx' },
      { type: 'text-delta', text: 'Done' },
    ]);
    expect(json.map((chunk) => (chunk as { choices: { delta: unknown }[] }).choices[0]?.delta)).toEqual([{ role: 'assistant', content: '' }, { reasoning_content: 'Thinking' }, { content: 'Done' }]);
  });

  it('an error part becomes an in-stream error and the stream ends with [DONE]', () => {
    const { data } = encode([{ type: 'response-start', id: 'a', model: 'm', created: 1 }, { type: 'error', errorType: 'overloaded_error', message: 'Overloaded' }, { type: 'text-delta', text: 'late' }, { type: 'usage', usage }]);
    expect(data.slice(1)).toEqual([JSON.stringify({ error: { message: 'Overloaded', type: 'overloaded_error', param: null, code: null } }), '[DONE]']);
  });

  it('finish is written once; end() is idempotent', () => {
    const encoder = createOpenAIStreamEncoder({ model: 'm' });
    expect(encoder.encode({ type: 'finish', finishReason: 'length' })).toContain('"finish_reason":"length"');
    expect(encoder.encode({ type: 'finish', finishReason: 'stop' })).toBe('');
    expect(encoder.end()).toBe('data: [DONE]\n\n');
    expect(encoder.end()).toBe('');
  });
});

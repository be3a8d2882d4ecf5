import { describe, expect, it } from 'vitest';
import type { SseEvent } from '../shared/sse.js';
import { fixtureEvents, fixtureJson } from './__fixtures__/fixtures.js';
import { createOpenAIResponsesStreamTap, createOpenAIStreamTap, isUsageOnlyChunk, readOpenAIEmbeddingsUsage, readOpenAIResponsesUsage, readOpenAIUsage } from './openai-usage-tap.js';

const zero = { inputTokens: 0, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: 0, reasoningTokens: 0 };
const data = (text: string): SseEvent => ({ event: undefined, id: undefined, data: text });

describe('whole-body usage readers', () => {
  it('chat completion bodies', () => {
    expect(readOpenAIUsage(fixtureJson('chat-completion-cached.json'))).toEqual({ usage: { ...zero, inputTokens: 86, cacheReadTokens: 1920, outputTokens: 300 }, servedModel: 'gpt-5.6-sol' });
    expect(readOpenAIUsage(fixtureJson('deepseek-reasoner.json')).usage).toEqual({ ...zero, inputTokens: 2000, cacheReadTokens: 1000, outputTokens: 500, reasoningTokens: 380 });
    expect(readOpenAIUsage({ model: 'm', choices: [] })).toEqual({ usage: null, servedModel: 'm' });
    expect(readOpenAIUsage(null)).toEqual({ usage: null, servedModel: null });
  });

  it('embeddings bodies: prompt_tokens are input tokens', () => {
    expect(readOpenAIEmbeddingsUsage(fixtureJson('embeddings.json'))).toEqual({ usage: { ...zero, inputTokens: 8 }, servedModel: 'text-embedding-ada-002' });
  });

  it('responses bodies', () => {
    expect(readOpenAIResponsesUsage(fixtureJson('responses.json'))).toEqual({ usage: { ...zero, inputTokens: 36, outputTokens: 87 }, servedModel: 'gpt-4.1-2025-04-14' });
  });
});

describe('isUsageOnlyChunk', () => {
  it('matches the include_usage chunk only', () => {
    const events = fixtureEvents('chat-stream-usage.sse');
    expect(events.map(isUsageOnlyChunk)).toEqual([false, false, false, true, false]);
  });

  it('tolerates spaces, and ignores text that merely mentions the fields', () => {
    expect(isUsageOnlyChunk(data('{"id": "x", "choices": [ ], "usage": {"prompt_tokens": 1}}'))).toBe(true);
    expect(isUsageOnlyChunk(data('{"choices":[{"index":0,"delta":{"content":"\\"choices\\":[] and \\"usage\\":{"}}],"usage":null}'))).toBe(false);
    expect(isUsageOnlyChunk(data('{"choices":[],"prompt_filter_results":[]}'))).toBe(false);
    expect(isUsageOnlyChunk(data('[DONE]'))).toBe(false);
  });
});

describe('createOpenAIStreamTap', () => {
  it('reads usage, model and finish from the tools transcript without parsing ordinary chunks', () => {
    const tap = createOpenAIStreamTap();
    for (const event of fixtureEvents('chat-stream-tools.sse')) tap.observe(event);
    expect(tap.result()).toEqual({
      usage: { ...zero, inputTokens: 86, cacheReadTokens: 1920, outputTokens: 300, reasoningTokens: 128 },
      servedModel: 'gpt-4.1-2025-04-14',
      outputText: '{"location":"Paris, France"}',
      finished: true,
    });
  });

  it('usage on the finishing chunk (DeepSeek) and reasoning in the output text', () => {
    const tap = createOpenAIStreamTap();
    for (const event of fixtureEvents('deepseek-reasoner-stream.sse')) tap.observe(event);
    const result = tap.result();
    expect(result.usage).toEqual({ ...zero, inputTokens: 2000, cacheReadTokens: 1000, outputTokens: 500, reasoningTokens: 380 });
    expect(result.outputText).toBe('Compare the tenths: 1 < 8.9.11 is smaller.');
  });

  it('an aborted stream: no usage, not finished, the text so far', () => {
    const tap = createOpenAIStreamTap();
    for (const event of fixtureEvents('chat-stream-usage.sse').slice(0, 2)) tap.observe(event);
    expect(tap.result()).toEqual({ usage: null, servedModel: 'gpt-3.5-turbo-0125', outputText: '2', finished: false });
  });

  it('the API reference stream without usage: finished, usage null', () => {
    const tap = createOpenAIStreamTap();
    for (const event of fixtureEvents('chat-stream.sse')) tap.observe(event);
    expect(tap.result()).toEqual({ usage: null, servedModel: 'gpt-4o-mini', outputText: 'Hello', finished: true });
  });
});

describe('createOpenAIResponsesStreamTap', () => {
  it('usage from response.completed, model from response.created, text from deltas', () => {
    const tap = createOpenAIResponsesStreamTap();
    for (const event of fixtureEvents('responses-stream.sse')) tap.observe(event);
    expect(tap.result()).toEqual({
      usage: { ...zero, inputTokens: 37, outputTokens: 11 },
      servedModel: 'gpt-4.1-2025-04-14',
      outputText: 'Hi there! How can I assist you today?',
      finished: true,
    });
  });

  it('without event: lines, and with cached and reasoning tokens on response.incomplete', () => {
    const tap = createOpenAIResponsesStreamTap();
    tap.observe(data('{"type":"response.created","response":{"model":"o3","usage":null}}'));
    tap.observe(data('{"type":"response.reasoning_summary_text.delta","delta":"Thinking."}'));
    tap.observe(
      data(
        '{"type":"response.incomplete","response":{"model":"o3-2025-04-16","usage":{"input_tokens":75,"input_tokens_details":{"cached_tokens":64},"output_tokens":1186,"output_tokens_details":{"reasoning_tokens":1024},"total_tokens":1261}}}',
      ),
    );
    expect(tap.result()).toEqual({
      usage: { ...zero, inputTokens: 11, cacheReadTokens: 64, outputTokens: 1186, reasoningTokens: 1024 },
      servedModel: 'o3-2025-04-16',
      outputText: 'Thinking.',
      finished: true,
    });
  });

  it('an aborted responses stream: no usage, the model from response.created', () => {
    const tap = createOpenAIResponsesStreamTap();
    for (const event of fixtureEvents('responses-stream.sse').slice(0, 5)) tap.observe(event);
    expect(tap.result()).toEqual({ usage: null, servedModel: 'gpt-4.1-2025-04-14', outputText: 'Hi', finished: false });
  });
});

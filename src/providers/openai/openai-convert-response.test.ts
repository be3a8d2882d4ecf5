import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../spec/errors.js';
import { fixtureJson } from './__fixtures__/fixtures.js';
import { fromOpenAIResponse } from './openai-convert-response.js';

const zero = { inputTokens: 0, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: 0, reasoningTokens: 0 };

describe('fromOpenAIResponse', () => {
  it('the API reference default example', () => {
    expect(fromOpenAIResponse(fixtureJson('chat-completion.json'))).toEqual({
      id: 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT',
      model: 'gpt-4.1-2025-04-14',
      created: 1741569952,
      content: [{ type: 'text', text: 'Hello! How can I assist you today?' }],
      finishReason: 'stop',
      usage: { ...zero, inputTokens: 19, outputTokens: 10 },
    });
  });

  it('the API reference function example: content null, one tool call', () => {
    const response = fromOpenAIResponse(fixtureJson('chat-completion-tools.json'));
    expect(response.content).toEqual([{ type: 'tool-call', id: 'call_abc123', name: 'get_current_weather', arguments: '{\n"location": "Boston, MA"\n}' }]);
    expect(response.finishReason).toBe('tool-calls');
    expect(response.usage).toEqual({ ...zero, inputTokens: 82, outputTokens: 17 });
  });

  it('cached usage', () => {
    expect(fromOpenAIResponse(fixtureJson('chat-completion-cached.json')).usage).toEqual({ ...zero, inputTokens: 86, cacheReadTokens: 1920, outputTokens: 300 });
  });

  it('reasoning usage', () => {
    expect(fromOpenAIResponse(fixtureJson('chat-completion-reasoning.json')).usage).toEqual({ ...zero, inputTokens: 400, outputTokens: 600, reasoningTokens: 500 });
  });

  it('DeepSeek reasoner: reasoning_content first, cache hit/miss usage', () => {
    const response = fromOpenAIResponse(fixtureJson('deepseek-reasoner.json'));
    expect(response.content).toEqual([
      { type: 'reasoning', text: 'Compare the tenths: 1 is less than 8.' },
      { type: 'text', text: '9.11 is smaller than 9.8.' },
    ]);
    expect(response.usage).toEqual({ ...zero, inputTokens: 2000, cacheReadTokens: 1000, outputTokens: 500, reasoningTokens: 380 });
  });

  it('a refusal with no content becomes text with finish reason refusal', () => {
    const response = fromOpenAIResponse({
      id: 'x',
      model: 'gpt-4o',
      created: 1,
      choices: [{ index: 0, message: { role: 'assistant', content: null, refusal: "I'm sorry, I can't help with that." }, finish_reason: 'stop' }],
    });
    expect(response.content).toEqual([{ type: 'text', text: "I'm sorry, I can't help with that." }]);
    expect(response.finishReason).toBe('refusal');
    expect(response.usage).toEqual(zero);
  });

  it('finish reasons, a vLLM stop_reason and Magistral thinking parts', () => {
    const body = (finish: string, extra: Record<string, unknown> = {}) => ({ choices: [{ message: { content: 'x' }, finish_reason: finish, ...extra }] });
    expect(fromOpenAIResponse(body('length')).finishReason).toBe('length');
    expect(fromOpenAIResponse(body('content_filter')).finishReason).toBe('content-filter');
    expect(fromOpenAIResponse(body('function_call')).finishReason).toBe('tool-calls');
    expect(fromOpenAIResponse(body('weird')).finishReason).toBe('other');
    const stopped = fromOpenAIResponse(body('stop', { stop_reason: '###' }));
    expect(stopped.finishReason).toBe('stop-sequence');
    expect(stopped.stopSequence).toBe('###');
    const magistral = fromOpenAIResponse({
      choices: [{ message: { content: [{ type: 'thinking', thinking: [{ type: 'text', text: 'hmm' }] }, { type: 'text', text: 'yes' }] }, finish_reason: 'stop' }],
    });
    expect(magistral.content).toEqual([
      { type: 'reasoning', text: 'hmm' },
      { type: 'text', text: 'yes' },
    ]);
  });

  it('a body that is not a chat completion → upstream_bad_response (with the error message when there is one)', () => {
    const fail = (json: unknown) => {
      try {
        fromOpenAIResponse(json);
      } catch (error) {
        return error;
      }
      return null;
    };
    const error = fail({ error: { message: 'Provider returned error', code: 502 } });
    expect(GatewayError.isInstance(error) && error.code).toBe('upstream_bad_response');
    expect(error instanceof Error && error.message).toContain('Provider returned error');
    const empty = fail({ id: 'x', choices: [] });
    expect(GatewayError.isInstance(empty) && empty.code).toBe('upstream_bad_response');
    expect(GatewayError.isInstance(fail('text')) ).toBe(true);
  });
});

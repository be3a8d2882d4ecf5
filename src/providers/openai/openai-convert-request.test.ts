import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../spec/canonical.js';
import { compatiblePresets } from '../openai-compatible/openai-compatible-quirks.js';
import { effortForBudget, toOpenAIRequest } from './openai-convert-request.js';
import { thrownGatewayError } from '../../../test/support/thrown.js';

const base: ChatRequest = { model: 'public-name', messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }], stream: false, includeUsage: false };

describe('toOpenAIRequest', () => {
  it('a minimal request: upstream model, system first, single text part as a string', () => {
    expect(toOpenAIRequest({ ...base, system: 'Be brief.' }, { upstreamModel: 'gpt-4o' })).toEqual({
      path: '/chat/completions',
      body: {
        model: 'gpt-4o',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hi' },
        ],
      },
    });
  });

  it('a full conversation: images, tool calls, tool results one per message, reasoning dropped', () => {
    const request: ChatRequest = {
      ...base,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in these?' },
            { type: 'image', url: 'https://example.com/a.png' },
            { type: 'image', data: 'iVBORw0KGgo=', mediaType: 'image/png' },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'Let me look.', signature: 'sig' },
            { type: 'text', text: 'Checking.' },
            { type: 'tool-call', id: 'call_1', name: 'lookup', arguments: '{"q":"a"}' },
            { type: 'tool-call', id: 'call_2', name: 'lookup', arguments: '{"q":"b"}' },
          ],
        },
        {
          role: 'tool',
          content: [
            { type: 'tool-result', toolCallId: 'call_1', content: 'A cat.' },
            { type: 'tool-result', toolCallId: 'call_2', content: 'failed', isError: true },
          ],
        },
        { role: 'system', content: 'Answer in French.' },
        { role: 'assistant', content: [{ type: 'reasoning', text: 'only thinking' }] },
      ],
    };
    expect(toOpenAIRequest(request, { upstreamModel: 'gpt-4o' }).body.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is in these?' },
          { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
        ],
      },
      {
        role: 'assistant',
        content: 'Checking.',
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"a"}' } },
          { id: 'call_2', type: 'function', function: { name: 'lookup', arguments: '{"q":"b"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: 'A cat.' },
      { role: 'tool', tool_call_id: 'call_2', content: 'failed' },
      { role: 'system', content: 'Answer in French.' },
      { role: 'assistant', content: '' },
    ]);
  });

  it('an assistant message of only tool calls has content null', () => {
    const body = toOpenAIRequest({ ...base, messages: [{ role: 'assistant', content: [{ type: 'tool-call', id: 'c', name: 'f', arguments: '{}' }] }] }, { upstreamModel: 'm' }).body;
    expect(body.messages).toEqual([{ role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] }]);
  });

  it('parameters: tools, tool choice, sampling, stop, seed, response format, reasoning effort, user', () => {
    const body = toOpenAIRequest(
      {
        ...base,
        tools: [{ name: 'lookup', description: 'Look up', parameters: { type: 'object', properties: {} }, strict: true }],
        toolChoice: { name: 'lookup' },
        parallelToolCalls: false,
        maxOutputTokens: 256,
        temperature: 0.2,
        topP: 0.9,
        stop: ['END'],
        seed: 7,
        responseFormat: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true },
        reasoning: { effort: 'minimal' },
        user: 'user-1',
      },
      { upstreamModel: 'gpt-5' },
    ).body;
    expect(body).toMatchObject({
      tools: [{ type: 'function', function: { name: 'lookup', description: 'Look up', parameters: { type: 'object', properties: {} }, strict: true } }],
      tool_choice: { type: 'function', function: { name: 'lookup' } },
      parallel_tool_calls: false,
      max_completion_tokens: 256,
      temperature: 0.2,
      top_p: 0.9,
      stop: ['END'],
      seed: 7,
      response_format: { type: 'json_schema', json_schema: { name: 'out', schema: { type: 'object' }, strict: true } },
      reasoning_effort: 'minimal',
      user: 'user-1',
    });
    expect(body).not.toHaveProperty('max_tokens');
  });

  it('tool_choice and parallel_tool_calls are not sent without tools (OpenAI rejects them)', () => {
    const body = toOpenAIRequest({ ...base, toolChoice: 'none', parallelToolCalls: true }, { upstreamModel: 'm' }).body;
    expect(body).not.toHaveProperty('tool_choice');
    expect(body).not.toHaveProperty('parallel_tool_calls');
  });

  it('a thinking budget becomes an effort band; an explicit effort wins', () => {
    expect(effortForBudget(1024)).toBe('low');
    expect(effortForBudget(2048)).toBe('low');
    expect(effortForBudget(8192)).toBe('medium');
    expect(effortForBudget(32_000)).toBe('high');
    expect(toOpenAIRequest({ ...base, reasoning: { budgetTokens: 4000 } }, { upstreamModel: 'o3' }).body.reasoning_effort).toBe('medium');
    expect(toOpenAIRequest({ ...base, reasoning: { effort: 'high', budgetTokens: 1024 } }, { upstreamModel: 'o3' }).body.reasoning_effort).toBe('high');
  });

  it('streaming always asks for usage', () => {
    const body = toOpenAIRequest({ ...base, stream: true, includeUsage: false }, { upstreamModel: 'gpt-4o' }).body;
    expect(body.stream).toBe(true);
    expect(body.stream_options).toEqual({ include_usage: true });
  });

  it('OpenAI-compatible quirks: token field, no stream_options for a host that rejects it, no user', () => {
    const mistral = compatiblePresets.mistral?.quirks;
    const groq = compatiblePresets.groq?.quirks;
    const request: ChatRequest = { ...base, stream: true, maxOutputTokens: 100, user: 'u' };
    const toMistral = toOpenAIRequest(request, { upstreamModel: 'mistral-large-latest', ...(mistral ? { quirks: mistral } : {}) }).body;
    expect(toMistral.max_tokens).toBe(100);
    expect(toMistral).not.toHaveProperty('stream_options');
    expect(toMistral).not.toHaveProperty('user');
    const toGroq = toOpenAIRequest(request, { upstreamModel: 'llama-3.3-70b-versatile', ...(groq ? { quirks: groq } : {}) }).body;
    expect(toGroq.max_completion_tokens).toBe(100);
    expect(toGroq.stream_options).toEqual({ include_usage: true });
  });

  it('what OpenAI cannot express is untranslatable, named in canonical terms', () => {
    const topK = thrownGatewayError(() => toOpenAIRequest({ ...base, topK: 40 }, { upstreamModel: 'm' }));
    expect(topK?.code).toBe('untranslatable');
    expect(topK?.param).toBe('topK');
    const image = thrownGatewayError(() => toOpenAIRequest({ ...base, messages: [{ role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'image', data: 'xx' }] }] }, { upstreamModel: 'm' }));
    expect(image?.code).toBe('untranslatable');
    expect(image?.param).toBe('messages[0].content[1]');
  });
});

import { countChatCompletionTokens, countTokens as countChatWithGptTokenizer } from 'gpt-tokenizer/model/gpt-4o';
import { describe, expect, it } from 'vitest';
import type { ChatRequest, ToolDefinition } from '../spec/canonical.js';
import { countChatTokens } from './count-chat-tokens.js';
import { countTextTokens } from './count-text-tokens.js';
import { estimateTokens, type EstimateFamily } from './estimate-tokens.js';

const request = (parts: Partial<ChatRequest>): ChatRequest => ({ model: 'public-name', messages: [], stream: false, includeUsage: false, ...parts });
const user = (text: string) => ({ role: 'user' as const, content: [{ type: 'text' as const, text }] });
const tokens = (text: string) => countTextTokens(text, 'gpt-4o').tokens;

const conversation = request({
  system: 'You are a terse assistant.',
  messages: [user('What is the capital of France?'), { role: 'assistant', content: [{ type: 'text', text: 'Paris.' }] }, user('And of Italy?')],
});

const weather: ToolDefinition = {
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: {
    type: 'object',
    properties: {
      city: { type: 'string', description: 'City name' },
      unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
      days: { type: 'integer' },
      tags: { type: 'array', items: { type: 'string' } },
    },
    required: ['city'],
  },
};

describe('countChatTokens for OpenAI models', () => {
  it('uses 3 tokens per message + role + content, and 3 to prime the reply', () => {
    const expected =
      3 + [['system', 'You are a terse assistant.'], ['user', 'What is the capital of France?'], ['assistant', 'Paris.'], ['user', 'And of Italy?']]
        .map(([role = '', content = '']) => 3 + tokens(role) + tokens(content))
        .reduce((a, b) => a + b, 0);
    expect(countChatTokens(conversation, 'gpt-4o')).toEqual({ tokens: expected, exact: true });
    expect(expected).toBe(38);
  });

  it('agrees with gpt-tokenizer’s own chat encoding for gpt-4o', () => {
    const chat = [
      { role: 'system', content: 'You are a terse assistant.' },
      { role: 'user', content: 'What is the capital of France?' },
      { role: 'assistant', content: 'Paris.' },
      { role: 'user', content: 'And of Italy?' },
    ];
    expect(countChatTokens(conversation, 'gpt-4o').tokens).toBe(countChatWithGptTokenizer(chat));
  });

  it('counts tool definitions and tool calls like gpt-tokenizer’s function-calling estimate, flagged inexact', () => {
    const withTools = request({ system: 'Be brief.', messages: [user('Weather in Oslo?')], tools: [weather] });
    const expected = countChatCompletionTokens?.({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Weather in Oslo?' },
      ],
      functions: [
        {
          name: 'get_weather',
          description: 'Current weather for a city',
          parameters: {
            type: 'object',
            properties: {
              city: { type: 'string', description: 'City name' },
              unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
              days: { type: 'integer' },
              tags: { type: 'array', items: { type: 'string' } },
            },
            required: ['city'],
          },
        },
      ],
    });
    expect(countChatTokens(withTools, 'gpt-4o')).toEqual({ tokens: expected, exact: false });

    const call = request({
      messages: [
        user('Weather in Oslo?'),
        { role: 'assistant', content: [{ type: 'tool-call', id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' }] },
        { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call_1', content: '{"temp_c":3}' }] },
      ],
    });
    const framing = 3 + (3 + 1 + tokens('Weather in Oslo?')) + (3 + 1 + tokens('get_weather') + tokens('{"city":"Oslo"}') + 3) + (3 + 1 + tokens('{"temp_c":3}'));
    expect(countChatTokens(call, 'gpt-4o')).toEqual({ tokens: framing, exact: true });
  });

  it('adds tool_choice overheads and an assumed size per image', () => {
    const base = countChatTokens(request({ messages: [user('hi')], tools: [weather] }), 'gpt-4o').tokens;
    expect(countChatTokens(request({ messages: [user('hi')], tools: [weather], toolChoice: 'none' }), 'gpt-4o').tokens).toBe(base + 1);
    expect(countChatTokens(request({ messages: [user('hi')], tools: [weather], toolChoice: { name: 'get_weather' } }), 'gpt-4o').tokens).toBe(base + tokens('get_weather') + 4);
    const image = request({ messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }, { type: 'image', url: 'https://example.com/a.png' }] }] });
    expect(countChatTokens(image, 'gpt-4o')).toEqual({ tokens: countChatTokens(request({ messages: [user('hi')] }), 'gpt-4o').tokens + 765, exact: false });
  });

  it('uses the model’s encoding (cl100k for gpt-4)', () => {
    const chinese = request({ messages: [user('港口小镇在这个季节第一个寒冷的早晨慢慢醒来。')] });
    expect(countChatTokens(chinese, 'gpt-4').tokens - countChatTokens(chinese, 'gpt-4o').tokens).toBe(34 - 20);
  });
});

describe('countChatTokens for other models', () => {
  it('estimates with the same framing and the model family’s weights', () => {
    const texts = ['You are a terse assistant.', 'What is the capital of France?', 'Paris.', 'And of Italy?'];
    const expected = (family: EstimateFamily) => 3 + texts.reduce((sum, text) => sum + 3 + estimateTokens(text, family), 0);
    expect(countChatTokens(conversation, 'claude-sonnet-4-5')).toEqual({ tokens: expected('anthropic'), exact: false });
    expect(countChatTokens(conversation, 'gemini-2.5-flash')).toEqual({ tokens: expected('gemini'), exact: false });
    expect(countChatTokens(conversation, 'llama-3.3-70b-versatile')).toEqual({ tokens: expected('o200k'), exact: false });
    expect(countChatTokens(conversation, 'house-model', { providerFamily: 'google' })).toEqual({ tokens: expected('gemini'), exact: false });
    const chinese = request({ messages: [user('港口小镇在这个季节第一个寒冷的早晨慢慢醒来。')] });
    expect(countChatTokens(chinese, 'claude-sonnet-4-5').tokens).toBeGreaterThan(countChatTokens(chinese, 'gemini-2.5-flash').tokens);
  });

  it('adds Anthropic’s tool-use system prompt (346 auto, 313 forced) for Claude only', () => {
    const definitionsJson = JSON.stringify([{ name: weather.name, description: weather.description, input_schema: weather.parameters }]);
    const plain = countChatTokens(request({ messages: [user('hi')] }), 'claude-sonnet-4-5').tokens;
    const definitions = estimateTokens(definitionsJson, 'anthropic');
    expect(countChatTokens(request({ messages: [user('hi')], tools: [weather] }), 'claude-sonnet-4-5').tokens).toBe(plain + definitions + 346);
    expect(countChatTokens(request({ messages: [user('hi')], tools: [weather], toolChoice: 'required' }), 'claude-sonnet-4-5').tokens).toBe(plain + definitions + 313);
    const geminiPlain = countChatTokens(request({ messages: [user('hi')] }), 'gemini-2.5-flash').tokens;
    expect(countChatTokens(request({ messages: [user('hi')], tools: [weather] }), 'gemini-2.5-flash').tokens).toBe(geminiPlain + estimateTokens(definitionsJson, 'gemini'));
  });

  it('leaves reasoning out of the prompt count', () => {
    const thinking = request({ messages: [user('hi'), { role: 'assistant', content: [{ type: 'reasoning', text: 'long private thoughts '.repeat(50) }, { type: 'text', text: 'Hello' }] }] });
    const without = request({ messages: [user('hi'), { role: 'assistant', content: [{ type: 'text', text: 'Hello' }] }] });
    expect(countChatTokens(thinking, 'claude-sonnet-4-5')).toEqual(countChatTokens(without, 'claude-sonnet-4-5'));
  });
});

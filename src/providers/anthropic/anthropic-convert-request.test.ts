import { describe, expect, it } from 'vitest';
import type { ChatMessage, ChatRequest } from '../../spec/canonical.js';
import type { GatewayError } from '../../spec/errors.js';
import { sniffImageType } from './anthropic-convert-messages.js';
import { defaultMaxTokensFor, toAnthropicRequest } from './anthropic-convert-request.js';
import { thrownGatewayError } from '../../../test/support/thrown.js';

const base: ChatRequest = { model: 'public', messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }], stream: false, includeUsage: false };
const convert = (request: Partial<ChatRequest>, upstreamModel = 'claude-sonnet-4-5') => toAnthropicRequest({ ...base, ...request }, { upstreamModel });
const body = (request: Partial<ChatRequest>, upstreamModel?: string) => convert(request, upstreamModel).body;

const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

describe('toAnthropicRequest', () => {
  it('builds POST /v1/messages with the upstream model, a default max_tokens and the system prompt', () => {
    expect(convert({ system: 'Be brief.', stream: true })).toEqual({
      path: '/v1/messages',
      body: { model: 'claude-sonnet-4-5', max_tokens: 16384, system: 'Be brief.', messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }], stream: true },
    });
  });

  it('chooses the default max_tokens per model family, and keeps an explicit limit', () => {
    expect(defaultMaxTokensFor('claude-3-haiku-20240307')).toBe(4096);
    expect(defaultMaxTokensFor('claude-3-5-sonnet-20241022')).toBe(8192);
    expect(defaultMaxTokensFor('claude-3-7-sonnet-latest')).toBe(16384);
    expect(defaultMaxTokensFor('claude-opus-4-1-20250805')).toBe(16384);
    expect(defaultMaxTokensFor('my-finetune')).toBe(4096);
    expect(body({ maxOutputTokens: 300 }).max_tokens).toBe(300);
    expect(toAnthropicRequest(base, { upstreamModel: 'x', defaultMaxTokens: 1000 }).body.max_tokens).toBe(1000);
  });

  it('appends mid-conversation system messages to system and merges consecutive same-role turns', () => {
    const messages: ChatMessage[] = [
      { role: 'user', content: [{ type: 'text', text: 'A' }] },
      { role: 'system', content: 'Now answer in French.' },
      { role: 'user', content: [{ type: 'text', text: 'B' }] },
      { role: 'assistant', content: [{ type: 'text', text: '' }] },
      { role: 'user', content: [{ type: 'text', text: 'C' }] },
    ];
    expect(body({ system: 'Be brief.', messages })).toMatchObject({
      system: 'Be brief.\n\nNow answer in French.',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'A' }, { type: 'text', text: 'B' }, { type: 'text', text: 'C' }] }],
    });
  });

  it('sends tool calls as tool_use with an input object, and tool results as a user turn of tool_result blocks first', () => {
    const messages: ChatMessage[] = [
      { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'Checking.' }, { type: 'tool-call', id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }, { type: 'tool-call', id: 'call_2', name: 'now', arguments: '' }] },
      { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call_1', content: '18°C' }] },
      { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call_2', content: 'boom', isError: true }] },
      { role: 'user', content: [{ type: 'text', text: 'Thanks' }] },
    ];
    expect(body({ messages }).messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'call_2', name: 'now', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'call_1', content: '18°C' },
          { type: 'tool_result', tool_use_id: 'call_2', content: 'boom', is_error: true },
          { type: 'text', text: 'Thanks' },
        ],
      },
    ]);
  });

  it('rejects tool arguments that are not a JSON object, naming the canonical field', () => {
    const messages: ChatMessage[] = [{ role: 'assistant', content: [{ type: 'tool-call', id: 'c', name: 'f', arguments: '{"a":' }] }];
    expect(thrownGatewayError(() => convert({ messages }))).toMatchObject({ code: 'untranslatable', param: 'messages[0].content[0].arguments' });
    const array: ChatMessage[] = [{ role: 'assistant', content: [{ type: 'tool-call', id: 'c', name: 'f', arguments: '[1]' }] }];
    expect(thrownGatewayError(() => convert({ messages: array })).param).toBe('messages[0].content[0].arguments');
  });

  it('sends signed reasoning back as thinking, redacted reasoning as redacted_thinking, and drops unsigned reasoning', () => {
    const messages: ChatMessage[] = [
      {
        role: 'assistant',
        content: [
          { type: 'reasoning', text: 'Let me think.', signature: 'sig' },
          { type: 'reasoning', text: '', redactedData: 'opaque' },
          { type: 'reasoning', text: 'DeepSeek thoughts' },
          { type: 'text', text: 'Answer.' },
        ],
      },
    ];
    expect(body({ messages }).messages).toEqual([
      { role: 'assistant', content: [{ type: 'thinking', thinking: 'Let me think.', signature: 'sig' }, { type: 'redacted_thinking', data: 'opaque' }, { type: 'text', text: 'Answer.' }] },
    ]);
  });

  it('sends images as base64 (data or data: URL, media type sniffed when missing) or url sources', () => {
    const messages: ChatMessage[] = [
      {
        role: 'user',
        content: [
          { type: 'image', data: png },
          { type: 'image', url: `data:image/png;base64,${png}` },
          { type: 'image', url: 'https://example.com/cat.jpg' },
        ],
      },
    ];
    expect(body({ messages }).messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: png } },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: png } },
          { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
        ],
      },
    ]);
    expect(sniffImageType('/9j/4AAQSkZJRg')).toBe('image/jpeg');
    expect(sniffImageType('R0lGODlhAQABAAAAACw=')).toBe('image/gif');
    expect(sniffImageType(Buffer.from('RIFF\0\0\0\0WEBPVP8 ').toString('base64'))).toBe('image/webp');
  });

  it('rejects images Anthropic cannot take', () => {
    const image = (part: ChatMessage): GatewayError => thrownGatewayError(() => convert({ messages: [part] }));
    expect(image({ role: 'user', content: [{ type: 'text', text: 'x' }, { type: 'image', data: 'AAAA' }] }).param).toBe('messages[0].content[1]');
    expect(image({ role: 'user', content: [{ type: 'image', data: png, mediaType: 'image/bmp' }] }).message).toContain('image/bmp');
    expect(image({ role: 'user', content: [{ type: 'image', url: 'ftp://example.com/a.png' }] }).code).toBe('untranslatable');
  });

  it('maps tools, tool_choice and parallelToolCalls', () => {
    const tools = [
      { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }, strict: true },
      { name: 'now', parameters: {} },
    ];
    expect(body({ tools, toolChoice: 'required', parallelToolCalls: false })).toMatchObject({
      tools: [
        { name: 'get_weather', description: 'Weather', input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }, strict: true },
        { name: 'now', input_schema: { type: 'object' } },
      ],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
    });
    expect(body({ tools, toolChoice: 'auto' }).tool_choice).toEqual({ type: 'auto' });
    expect(body({ tools, toolChoice: 'none', parallelToolCalls: false }).tool_choice).toEqual({ type: 'none' });
    expect(body({ tools, toolChoice: { name: 'now' } }).tool_choice).toEqual({ type: 'tool', name: 'now' });
    expect(body({ tools, parallelToolCalls: false }).tool_choice).toEqual({ type: 'auto', disable_parallel_tool_use: true });
    expect(body({ tools, parallelToolCalls: true })).not.toHaveProperty('tool_choice');
    expect(body({ toolChoice: 'required' })).not.toHaveProperty('tool_choice');
  });

  it('maps sampling, stop sequences, the end user and json_schema output', () => {
    const schema = { type: 'object', properties: { a: { type: 'string' } }, required: ['a'], additionalProperties: false };
    expect(body({ temperature: 1.5, topP: 0.9, topK: 40, stop: ['END'], seed: 7, user: 'u-1', responseFormat: { type: 'json_schema', name: 'out', schema, strict: true } })).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 16384,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      temperature: 1,
      top_p: 0.9,
      top_k: 40,
      stop_sequences: ['END'],
      metadata: { user_id: 'u-1' },
      output_config: { format: { type: 'json_schema', schema } },
    });
    expect(body({ responseFormat: { type: 'text' } })).not.toHaveProperty('output_config');
    expect(thrownGatewayError(() => convert({ responseFormat: { type: 'json_object' } }))).toMatchObject({ code: 'untranslatable', param: 'responseFormat' });
  });

  it('maps reasoning to a thinking budget that fits under max_tokens', () => {
    expect(body({ reasoning: { budgetTokens: 10000 } })).toMatchObject({ max_tokens: 16384, thinking: { type: 'enabled', budget_tokens: 10000 } });
    expect(body({ reasoning: { budgetTokens: 30000 } })).toMatchObject({ max_tokens: 34096, thinking: { type: 'enabled', budget_tokens: 30000 } });
    expect(body({ reasoning: { effort: 'low' } })).toMatchObject({ thinking: { type: 'enabled', budget_tokens: 2048 } });
    expect(body({ reasoning: { effort: 'medium' } }, 'claude-3-haiku')).toMatchObject({ max_tokens: 12288, thinking: { budget_tokens: 8192 } });
    expect(body({ reasoning: { effort: 'high' }, maxOutputTokens: 5000 })).toMatchObject({ max_tokens: 5000, thinking: { budget_tokens: 4999 } });
    expect(body({ reasoning: { effort: 'minimal' } })).toMatchObject({ thinking: { budget_tokens: 1024 } });
    expect(body({ reasoning: { budgetTokens: 500 } })).toMatchObject({ thinking: { budget_tokens: 1024 } });
    expect(body({ reasoning: { effort: 'high' }, maxOutputTokens: 800 })).not.toHaveProperty('thinking');
    expect(body({ reasoning: { budgetTokens: 0 } })).not.toHaveProperty('thinking');
    expect(body({ reasoning: {} })).not.toHaveProperty('thinking');
  });
});

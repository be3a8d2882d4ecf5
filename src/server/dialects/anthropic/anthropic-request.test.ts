import { describe, expect, it } from 'vitest';
import { anthropicChatToCanonical, parseAnthropicChatBody } from './anthropic-request.js';
import { thrownGatewayError } from '../../../../test/support/thrown.js';

const hello = { model: 'claude-sonnet-4-5', max_tokens: 1024, messages: [{ role: 'user', content: 'Hello, Claude' }] };
const canonical = (body: Record<string, unknown>) => anthropicChatToCanonical(parseAnthropicChatBody({ ...hello, ...body }));

describe('parseAnthropicChatBody', () => {
  it('accepts the minimal request and lets unknown top-level fields through', () => {
    expect(parseAnthropicChatBody({ ...hello, service_tier: 'auto', inference_geo: 'us' })).toMatchObject({ ...hello, service_tier: 'auto', inference_geo: 'us' });
  });

  it('requires max_tokens as the API does', () => {
    const { max_tokens: _dropped, ...body } = hello;
    expect(thrownGatewayError(() => parseAnthropicChatBody(body))).toMatchObject({ code: 'invalid_request', param: 'max_tokens', message: 'max_tokens: Field required' });
    expect(thrownGatewayError(() => parseAnthropicChatBody({ ...hello, max_tokens: 1.5 })).message).toBe('max_tokens: expected integer');
  });

  it('names the path of the first problem', () => {
    expect(thrownGatewayError(() => parseAnthropicChatBody({ ...hello, messages: [{ role: 'user', content: 'x' }, { role: 'user', content: 3 }] })).message).toBe('messages[1].content: expected string or array');
    expect(thrownGatewayError(() => parseAnthropicChatBody({ ...hello, messages: [{ role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text' }] }] })).message).toBe('messages[0].content[1].text: Field required');
    expect(thrownGatewayError(() => parseAnthropicChatBody({ ...hello, messages: [{ role: 'robot', content: 'x' }] })).param).toBe('messages[0].role');
    expect(thrownGatewayError(() => parseAnthropicChatBody({ ...hello, tools: [{ name: 'f' }] })).message).toBe('tools[0].input_schema: Field required');
    expect(thrownGatewayError(() => parseAnthropicChatBody({ ...hello, model: '' })).param).toBe('model');
    expect(thrownGatewayError(() => parseAnthropicChatBody([])).code).toBe('invalid_request');
  });

  it('accepts cache_control on system, blocks and tools (passed through untouched)', () => {
    const body = {
      ...hello,
      system: [{ type: 'text', text: 'Long stable prompt.', cache_control: { type: 'ephemeral', ttl: '1h' } }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi', cache_control: { type: 'ephemeral' } }] }],
      tools: [{ name: 'f', input_schema: { type: 'object' }, cache_control: { type: 'ephemeral' } }],
    };
    expect(parseAnthropicChatBody(body)).toEqual(body);
  });
});


describe('anthropicChatToCanonical', () => {
  it('maps the basic fields', () => {
    expect(
      canonical({ system: 'Be brief.', stream: true, temperature: 0.2, top_p: 0.9, top_k: 5, stop_sequences: ['END'], metadata: { user_id: 'u-1' } }),
    ).toEqual({
      model: 'claude-sonnet-4-5',
      system: 'Be brief.',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello, Claude' }] }],
      stream: true,
      includeUsage: true,
      maxOutputTokens: 1024,
      temperature: 0.2,
      topP: 0.9,
      topK: 5,
      stop: ['END'],
      user: 'u-1',
    });
  });

  it('joins system text blocks and drops cache_control; system turns inside messages stay in place', () => {
    const request = canonical({
      system: [{ type: 'text', text: 'A', cache_control: { type: 'ephemeral' } }, { type: 'text', text: 'B' }],
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'system', content: 'Now in French.' },
      ],
    });
    expect(request.system).toBe('A\n\nB');
    expect(request.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
      { role: 'system', content: 'Now in French.' },
    ]);
  });

  it('splits tool results out of a user turn (first) and keeps the rest as a user message', () => {
    const request = canonical({
      messages: [
        { role: 'user', content: 'Weather?' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'Need the tool.', signature: 'sig' },
            { type: 'redacted_thinking', data: 'opaque' },
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: '18' }, { type: 'text', text: '°C' }] },
            { type: 'tool_result', tool_use_id: 'toolu_2', content: 'boom', is_error: true },
            { type: 'tool_result', tool_use_id: 'toolu_3' },
            { type: 'text', text: 'Thanks' },
          ],
        },
      ],
    });
    expect(request.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'reasoning', text: 'Need the tool.', signature: 'sig' },
          { type: 'reasoning', text: '', redactedData: 'opaque' },
          { type: 'text', text: 'Checking.' },
          { type: 'tool-call', id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
        ],
      },
      {
        role: 'tool',
        content: [
          { type: 'tool-result', toolCallId: 'toolu_1', content: '18\n°C' },
          { type: 'tool-result', toolCallId: 'toolu_2', content: 'boom', isError: true },
          { type: 'tool-result', toolCallId: 'toolu_3', content: '' },
        ],
      },
      { role: 'user', content: [{ type: 'text', text: 'Thanks' }] },
    ]);
  });

  it('maps images (base64 and url)', () => {
    const request = canonical({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/4AAQSkZJRg==' } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
          ],
        },
      ],
    });
    expect(request.messages[0]).toEqual({ role: 'user', content: [{ type: 'image', data: '/9j/4AAQSkZJRg==', mediaType: 'image/jpeg' }, { type: 'image', url: 'https://example.com/a.png' }] });
  });

  it('maps tools and tool_choice (disable_parallel_tool_use → parallelToolCalls false)', () => {
    const request = canonical({
      tools: [{ name: 'get_weather', description: 'Weather', input_schema: { type: 'object', properties: {} }, strict: true, cache_control: { type: 'ephemeral' } }, { type: 'custom', name: 'now', input_schema: { type: 'object' } }],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
    });
    expect(request).toMatchObject({
      tools: [{ name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: {} }, strict: true }, { name: 'now', parameters: { type: 'object' } }],
      toolChoice: 'required',
      parallelToolCalls: false,
    });
    expect(canonical({ tool_choice: { type: 'tool', name: 'now' } })).toMatchObject({ toolChoice: { name: 'now' } });
    expect(canonical({ tool_choice: { type: 'none' } }).toolChoice).toBe('none');
    expect(canonical({ tool_choice: { type: 'auto' } })).not.toHaveProperty('parallelToolCalls');
  });

  it('maps thinking, effort and the json_schema output format', () => {
    expect(canonical({ thinking: { type: 'enabled', budget_tokens: 2048 } }).reasoning).toEqual({ budgetTokens: 2048 });
    expect(canonical({ thinking: { type: 'adaptive' }, output_config: { effort: 'max' } }).reasoning).toEqual({ effort: 'high' });
    expect(canonical({ thinking: { type: 'adaptive', display: 'omitted' } }).reasoning).toEqual({});
    expect(canonical({ thinking: { type: 'disabled' } })).not.toHaveProperty('reasoning');
    expect(canonical({ output_config: { format: { type: 'json_schema', schema: { type: 'object' } } } }).responseFormat).toEqual({ type: 'json_schema', name: 'response', schema: { type: 'object' } });
    expect(thrownGatewayError(() => canonical({ output_config: { effort: 'turbo' } }))).toMatchObject({ code: 'untranslatable', param: 'output_config.effort' });
  });

  it('rejects what another provider cannot carry, naming the field', () => {
    const untranslatable = (body: Record<string, unknown>) => thrownGatewayError(() => canonical(body));
    expect(untranslatable({ tools: [{ type: 'web_search_20250305', name: 'web_search', max_uses: 5 }] })).toMatchObject({ code: 'untranslatable', param: 'tools[0]' });
    expect(untranslatable({ messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' } }] }] }).param).toBe('messages[0].content[0]');
    expect(untranslatable({ messages: [{ role: 'user', content: [{ type: 'search_result', source: 's', title: 't', content: [] }] }] }).param).toBe('messages[0].content[0]');
    expect(
      untranslatable({ messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBOR' } }] }] }] }).param,
    ).toBe('messages[0].content[0].content[0]');
    expect(untranslatable({ messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'file', file_id: 'file_1' } }] }] }).param).toBe('messages[0].content[0].source');
    expect(untranslatable({ messages: [{ role: 'assistant', content: [{ type: 'server_tool_use', id: 's', name: 'web_search', input: {} }] }] }).param).toBe('messages[0].content[0]');
    expect(untranslatable({ mcp_servers: [{ type: 'url', url: 'https://mcp.example.com', name: 'x' }] }).param).toBe('mcp_servers');
    expect(untranslatable({ container: 'container_1' }).param).toBe('container');
  });
});

import { describe, expect, it } from 'vitest';
import { openaiChatToCanonical, parseOpenAIChatBody } from './openai-request.js';
import { thrownGatewayError } from '../../../../test/support/thrown.js';

const toCanonical = (body: unknown) => openaiChatToCanonical(parseOpenAIChatBody(body));
const hello = { model: 'gpt-4o', messages: [{ role: 'user', content: 'Hello!' }] };

describe('parseOpenAIChatBody', () => {
  it('accepts the API reference request and unknown top-level fields', () => {
    const body = parseOpenAIChatBody({
      model: 'gpt-5.6-sol',
      messages: [
        { role: 'developer', content: 'You are a helpful assistant.' },
        { role: 'user', content: 'Hello!' },
      ],
      prompt_cache_key: 'k',
      some_future_field: { a: 1 },
    });
    expect(body.model).toBe('gpt-5.6-sol');
    expect(body.some_future_field).toEqual({ a: 1 });
  });

  it('names the path of the first problem', () => {
    const cases: [unknown, string, string][] = [
      [{ messages: [] }, 'model', 'model: expected a non-empty string'],
      [{ model: 'm', messages: 'hi' }, 'messages', 'messages: expected array'],
      [{ model: 'm', messages: [{ role: 'user', content: 'a' }, { role: 'user', content: 5 }] }, 'messages[1].content', 'messages[1].content: expected string or array'],
      [{ model: 'm', messages: [{ role: 'robot', content: 'a' }] }, 'messages[0].role', 'messages[0].role: expected role system, developer, user, assistant, tool or function'],
      [{ model: 'm', messages: [{ role: 'user', content: [{ type: 'video' }] }] }, 'messages[0].content[0].type', 'messages[0].content[0].type: expected a content part of type text, image_url, input_audio or file'],
      [{ model: 'm', messages: [{ role: 'tool', content: 'x' }] }, 'messages[0].tool_call_id', 'messages[0].tool_call_id: expected string'],
      [{ model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text' }] }] }, 'messages[0].content[1].text', 'messages[0].content[1].text: expected string'],
      [{ ...hello, stream: 'yes' }, 'stream', 'stream: expected boolean'],
      [{ ...hello, max_tokens: 1.5 }, 'max_tokens', 'max_tokens: expected integer'],
      [{ ...hello, stop: 3 }, 'stop', 'stop: expected string or array of strings'],
    ];
    for (const [body, param, message] of cases) {
      const error = thrownGatewayError(() => parseOpenAIChatBody(body));
      expect(error.code).toBe('invalid_request');
      expect(error.param).toBe(param);
      expect(error.message).toBe(message);
    }
    expect(thrownGatewayError(() => parseOpenAIChatBody([])).code).toBe('invalid_request');
  });
});

describe('openaiChatToCanonical', () => {
  it('system and developer messages at the start become system; later ones stay in place', () => {
    const request = toCanonical({
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
        { role: 'user', content: 'Hello!' },
        { role: 'system', content: 'Now in German.' },
      ],
    });
    expect(request.system).toBe('You are terse.\n\nAnswer in French.');
    expect(request.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Hello!' }] },
      { role: 'system', content: 'Now in German.' },
    ]);
  });

  it('images: URLs kept, data URLs split into media type and base64', () => {
    const request = toCanonical({
      model: 'gpt-4o',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in this image?' },
            { type: 'image_url', image_url: { url: 'https://upload.wikimedia.org/a.jpg', detail: 'low' } },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          ],
        },
      ],
    });
    expect(request.messages[0]?.content).toEqual([
      { type: 'text', text: 'What is in this image?' },
      { type: 'image', url: 'https://upload.wikimedia.org/a.jpg' },
      { type: 'image', data: 'iVBORw0KGgo=', mediaType: 'image/png' },
    ]);
  });

  it('tool calls and consecutive tool results (one canonical tool message)', () => {
    const request = toCanonical({
      model: 'gpt-4o',
      messages: [
        { role: 'user', content: 'Weather in Paris and Rome?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } },
            { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Rome"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '18C' },
        { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: '24C' }] },
      ],
    });
    expect(request.messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: [
          { type: 'tool-call', id: 'call_1', name: 'get_weather', arguments: '{"location":"Paris"}' },
          { type: 'tool-call', id: 'call_2', name: 'get_weather', arguments: '{"location":"Rome"}' },
        ],
      },
      {
        role: 'tool',
        content: [
          { type: 'tool-result', toolCallId: 'call_1', content: '18C' },
          { type: 'tool-result', toolCallId: 'call_2', content: '24C' },
        ],
      },
    ]);
  });

  it('parameters', () => {
    const request = toCanonical({
      ...hello,
      stream: true,
      stream_options: { include_usage: true },
      tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object' }, strict: true } }, { type: 'function', function: { name: 'noargs' } }],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      parallel_tool_calls: false,
      response_format: { type: 'json_schema', json_schema: { name: 'w', schema: { type: 'object' }, strict: true } },
      max_tokens: 50,
      max_completion_tokens: 100,
      temperature: 0.5,
      top_p: 0.8,
      stop: 'END',
      seed: 3,
      user: 'user-1234',
      reasoning_effort: 'low',
      n: 1,
      logprobs: false,
      frequency_penalty: 0,
      metadata: { team: 'a' },
      store: true,
      service_tier: 'flex',
    });
    expect(request).toEqual({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello!' }] }],
      stream: true,
      includeUsage: true,
      tools: [
        { name: 'get_weather', description: 'Weather', parameters: { type: 'object' }, strict: true },
        { name: 'noargs', parameters: { type: 'object', properties: {} } },
      ],
      toolChoice: { name: 'get_weather' },
      parallelToolCalls: false,
      responseFormat: { type: 'json_schema', name: 'w', schema: { type: 'object' }, strict: true },
      maxOutputTokens: 100,
      temperature: 0.5,
      topP: 0.8,
      stop: ['END'],
      seed: 3,
      user: 'user-1234',
      reasoning: { effort: 'low' },
    });
    expect(toCanonical({ ...hello, max_tokens: 50 }).maxOutputTokens).toBe(50);
    expect(toCanonical({ ...hello, response_format: { type: 'json_object' } }).responseFormat).toEqual({ type: 'json_object' });
    expect(toCanonical({ ...hello, tool_choice: 'required' }).toolChoice).toBe('required');
  });

  it('reasoning_effort: none → no reasoning, xhigh → high, unknown → untranslatable', () => {
    expect(toCanonical({ ...hello, reasoning_effort: 'none' }).reasoning).toBeUndefined();
    expect(toCanonical({ ...hello, reasoning_effort: 'xhigh' }).reasoning).toEqual({ effort: 'high' });
    expect(thrownGatewayError(() => toCanonical({ ...hello, reasoning_effort: 'ultra' })).param).toBe('reasoning_effort');
  });

  it('untranslatable features name the field', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ...hello, n: 2 }, 'n'],
      [{ ...hello, logprobs: true }, 'logprobs'],
      [{ ...hello, top_logprobs: 2 }, 'top_logprobs'],
      [{ ...hello, modalities: ['text', 'audio'], audio: { voice: 'alloy', format: 'wav' } }, 'audio'],
      [{ ...hello, modalities: ['text', 'audio'] }, 'modalities'],
      [{ ...hello, prediction: { type: 'content', content: 'x' } }, 'prediction'],
      [{ ...hello, presence_penalty: 0.5 }, 'presence_penalty'],
      [{ ...hello, logit_bias: { '50256': -100 } }, 'logit_bias'],
      [{ ...hello, functions: [{ name: 'f' }] }, 'functions'],
      [{ ...hello, tools: [{ type: 'custom', custom: { name: 'grammar' } }] }, 'tools[0]'],
      [{ ...hello, tools: [{ type: 'function', function: { name: 'f' } }], tool_choice: { type: 'allowed_tools', allowed_tools: {} } }, 'tool_choice'],
      [{ model: 'm', messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'x', format: 'wav' } }] }] }, 'messages[0].content[0]'],
      [{ model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'file', file: { file_id: 'f' } }] }] }, 'messages[0].content[1]'],
      [{ model: 'm', messages: [{ role: 'function', name: 'f', content: '1' }] }, 'messages[0].role'],
      [{ model: 'm', messages: [{ role: 'assistant', content: null, function_call: { name: 'f', arguments: '{}' } }] }, 'messages[0].function_call'],
      [{ model: 'm', messages: [{ role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'custom', custom: { name: 'g', input: 'x' } }] }] }, 'messages[0].tool_calls[0]'],
    ];
    for (const [body, param] of cases) {
      const error = thrownGatewayError(() => toCanonical(body));
      expect(error.code, param).toBe('untranslatable');
      expect(error.param, param).toBe(param);
    }
  });
});


import { describe, expect, it } from 'vitest';
import type { ChatMessage, ChatRequest } from '../../spec/canonical.js';
import { toGeminiRequest } from './gemini-convert-request.js';
import { thrownGatewayError } from '../../../test/support/thrown.js';

const base = (overrides: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'public-model',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }],
  stream: false,
  includeUsage: false,
  ...overrides,
});

const convert = (overrides: Partial<ChatRequest> = {}) => toGeminiRequest(base(overrides), { upstreamModel: 'gemini-2.5-flash' });

/** Runs `fn` and returns the GatewayError it throws (failing the test if it throws something else or nothing). */
const weatherCall: ChatMessage = {
  role: 'assistant',
  content: [
    { type: 'tool-call', id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}' },
    { type: 'tool-call', id: 'call_b', name: 'get_time', arguments: '' },
  ],
};

describe('toGeminiRequest: path and messages', () => {
  it('picks generateContent or streamGenerateContent?alt=sse and accepts a "models/" prefix', () => {
    expect(convert().path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(toGeminiRequest(base({ stream: true }), { upstreamModel: 'models/gemini-2.5-pro' }).path).toBe(
      '/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse',
    );
  });

  it('sends the system prompt and later system messages as systemInstruction, the rest as user/model contents', () => {
    const { body } = convert({
      system: 'Be brief.',
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
        { role: 'assistant', content: [{ type: 'text', text: 'Hello!' }] },
        { role: 'system', content: 'Answer in French.' },
        { role: 'user', content: [{ type: 'text', text: 'How are you?' }, { type: 'text', text: '' }] },
      ],
    });
    expect(body).toEqual({
      systemInstruction: { parts: [{ text: 'Be brief.' }, { text: 'Answer in French.' }] },
      contents: [
        { role: 'user', parts: [{ text: 'Hi' }] },
        { role: 'model', parts: [{ text: 'Hello!' }] },
        { role: 'user', parts: [{ text: 'How are you?' }] },
      ],
    });
  });

  it('sends images as inlineData (base64, data: URL) or fileData (https URL)', () => {
    const { body } = convert({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', data: 'iVBORw0KGgoAAAANSUhEUg', mediaType: 'image/png' },
            { type: 'image', data: '/9j/4AAQSkZJRg' },
            { type: 'image', url: 'data:image/webp;base64,UklGRiQAAABXRUJQ' },
            { type: 'image', url: 'https://example.com/photos/cat.JPG?size=large' },
            { type: 'image', url: 'https://example.com/render?id=7' },
          ],
        },
      ],
    });
    expect(body.contents).toEqual([
      {
        role: 'user',
        parts: [
          { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgoAAAANSUhEUg' } },
          { inlineData: { mimeType: 'image/jpeg', data: '/9j/4AAQSkZJRg' } },
          { inlineData: { mimeType: 'image/webp', data: 'UklGRiQAAABXRUJQ' } },
          { fileData: { mimeType: 'image/jpeg', fileUri: 'https://example.com/photos/cat.JPG?size=large' } },
          { fileData: { fileUri: 'https://example.com/render?id=7' } },
        ],
      },
    ]);
  });

  it('rejects images Gemini cannot take, naming the part', () => {
    const image = (part: object) => () =>
      convert({ messages: [{ role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'image', ...part }] }] });
    expect(thrownGatewayError(image({ url: 'http://example.com/a.png' }))).toMatchObject({ code: 'untranslatable', param: 'messages[0].content[1]' });
    expect(thrownGatewayError(image({ url: 'ftp://example.com/a.png' })).param).toBe('messages[0].content[1]');
    expect(thrownGatewayError(image({ url: 'data:text/plain,hello' })).param).toBe('messages[0].content[1]');
    expect(thrownGatewayError(image({ data: 'AAAA' })).message).toContain('media type');
  });

  it('sends tool calls as functionCall (args object) and tool results as functionResponse named after their call', () => {
    const conversation = base({
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Weather and time in Paris?' }] },
        weatherCall,
        { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call_a', content: '{"temp_c":21}' }] },
        { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call_b', content: 'clock offline', isError: true }] },
        { role: 'user', content: [{ type: 'text', text: 'Thanks' }] },
      ],
    });
    const { body } = toGeminiRequest(conversation, { upstreamModel: 'gemini-3-pro-preview' });
    expect(body.contents).toEqual([
      { role: 'user', parts: [{ text: 'Weather and time in Paris?' }] },
      {
        role: 'model',
        parts: [
          { functionCall: { id: 'call_a', name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'skip_thought_signature_validator' },
          { functionCall: { id: 'call_b', name: 'get_time', args: {} } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { id: 'call_a', name: 'get_weather', response: { output: '{"temp_c":21}' } } },
          { functionResponse: { id: 'call_b', name: 'get_time', response: { error: 'clock offline' } } },
        ],
      },
      { role: 'user', parts: [{ text: 'Thanks' }] },
    ]);
    // Gemini 1.x / 2.x do not validate signatures: no bypass value is sent to them.
    const older = toGeminiRequest(conversation, { upstreamModel: 'models/gemini-2.5-flash' }).body.contents;
    expect(older).toEqual(
      expect.arrayContaining([
        {
          role: 'model',
          parts: [
            { functionCall: { id: 'call_a', name: 'get_weather', args: { city: 'Paris' } } },
            { functionCall: { id: 'call_b', name: 'get_time', args: {} } },
          ],
        },
      ]),
    );
  });

  it('sends the bypass signature only to models that validate signatures', () => {
    const firstCall = (upstreamModel: string) =>
      toGeminiRequest(base({ messages: [weatherCall] }), { upstreamModel }).body.contents;
    const signed = [{ role: 'model', parts: [expect.objectContaining({ thoughtSignature: 'skip_thought_signature_validator' }), expect.anything()] }];
    expect(firstCall('gemini-flash-latest')).toEqual(signed);
    expect(firstCall('gemini-3.5-flash')).toEqual(signed);
    expect(firstCall('gemma-3-27b-it')).not.toEqual(signed);
    expect(firstCall('gemini-1.5-pro')).not.toEqual(signed);
  });

  it('puts a reasoning signature on the next part and drops reasoning text', () => {
    const { body } = convert({
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Go' }] },
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'Thinking about it…' },
            { type: 'text', text: 'Calling the tool.' },
            { type: 'reasoning', text: '', signature: 'SIG_CALL' },
            { type: 'tool-call', id: 'c1', name: 'lookup', arguments: '{"q":1}' },
            { type: 'reasoning', text: '', redactedData: 'opaque' },
            { type: 'reasoning', text: '', signature: 'SIG_TAIL' },
          ],
        },
      ],
    });
    expect(body.contents).toEqual([
      { role: 'user', parts: [{ text: 'Go' }] },
      {
        role: 'model',
        parts: [
          { text: 'Calling the tool.' },
          { functionCall: { id: 'c1', name: 'lookup', args: { q: 1 } }, thoughtSignature: 'SIG_CALL' },
          { text: '', thoughtSignature: 'SIG_TAIL' },
        ],
      },
    ]);
  });

  it('finds the function name from the most recent call with that id (ids repeat across turns)', () => {
    const turn = (name: string): ChatMessage[] => [
      { role: 'assistant', content: [{ type: 'tool-call', id: 'call_0', name, arguments: '{}' }] },
      { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call_0', content: 'ok' }] },
    ];
    const { body } = convert({ messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }, ...turn('first'), ...turn('second')] });
    expect(body.contents).toMatchObject([
      {},
      {},
      { parts: [{ functionResponse: { name: 'first' } }] },
      {},
      { parts: [{ functionResponse: { name: 'second' } }] },
    ]);
  });

  it('rejects a tool result with no earlier call, and arguments that are not a JSON object', () => {
    const orphan = thrownGatewayError(() =>
      convert({
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'x' }] },
          { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'nope', content: 'r' }] },
        ],
      }),
    );
    expect(orphan).toMatchObject({ code: 'untranslatable', param: 'messages[1].content[0].toolCallId', status: 400 });
    const badArgs = (text: string) =>
      thrownGatewayError(() => convert({ messages: [{ role: 'assistant', content: [{ type: 'tool-call', id: 'c', name: 'f', arguments: text }] }] }));
    expect(badArgs('{"a":').param).toBe('messages[0].content[0].arguments');
    expect(badArgs('[1,2]').param).toBe('messages[0].content[0].arguments');
    expect(badArgs('"text"').code).toBe('untranslatable');
  });
});

describe('toGeminiRequest: tools and generation config', () => {
  const tools: ChatRequest['tools'] = [
    {
      name: 'get_weather',
      description: 'Current weather',
      parameters: { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      strict: true,
    },
    { name: 'get_time', parameters: { type: 'object', properties: {}, additionalProperties: false } },
  ];

  it('declares functions with parametersJsonSchema and leaves it unset for parameterless functions', () => {
    expect(convert({ tools }).body.tools).toEqual([
      {
        functionDeclarations: [
          { name: 'get_weather', description: 'Current weather', parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
          { name: 'get_time' },
        ],
      },
    ]);
  });

  it('maps tool choice to functionCallingConfig', () => {
    const config = (toolChoice: ChatRequest['toolChoice']) => convert({ tools, toolChoice }).body.toolConfig;
    expect(config('auto')).toEqual({ functionCallingConfig: { mode: 'AUTO' } });
    expect(config('none')).toEqual({ functionCallingConfig: { mode: 'NONE' } });
    expect(config('required')).toEqual({ functionCallingConfig: { mode: 'ANY' } });
    expect(config({ name: 'get_time' })).toEqual({ functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_time'] } });
    expect(convert({ toolChoice: 'auto' }).body).not.toHaveProperty('toolConfig');
  });

  it('fills generationConfig from sampling, limits, stop, seed, response format and reasoning', () => {
    expect(
      convert({
        maxOutputTokens: 1000,
        temperature: 0.2,
        topP: 0.9,
        topK: 40,
        stop: ['END'],
        seed: 7,
        responseFormat: { type: 'json_schema', name: 'answer', schema: { type: 'object', properties: { n: { type: 'integer' } } }, strict: true },
        reasoning: { budgetTokens: 2048 },
        user: 'end-user-1',
        parallelToolCalls: false,
      }).body.generationConfig,
    ).toEqual({
      maxOutputTokens: 1000,
      temperature: 0.2,
      topP: 0.9,
      topK: 40,
      stopSequences: ['END'],
      seed: 7,
      responseMimeType: 'application/json',
      responseJsonSchema: { type: 'object', properties: { n: { type: 'integer' } } },
      thinkingConfig: { thinkingBudget: 2048, includeThoughts: true },
    });
    expect(convert().body).not.toHaveProperty('generationConfig');
  });

  it('maps response formats and reasoning effort', () => {
    const config = (overrides: Partial<ChatRequest>) => convert(overrides).body.generationConfig;
    expect(config({ responseFormat: { type: 'json_object' } })).toEqual({ responseMimeType: 'application/json' });
    expect(config({ responseFormat: { type: 'text' } })).toBeUndefined();
    expect(config({ reasoning: { effort: 'minimal' } })).toEqual({ thinkingConfig: { thinkingBudget: 512, includeThoughts: true } });
    expect(config({ reasoning: { effort: 'low' } })).toEqual({ thinkingConfig: { thinkingBudget: 1024, includeThoughts: true } });
    expect(config({ reasoning: { effort: 'medium' } })).toEqual({ thinkingConfig: { thinkingBudget: 8192, includeThoughts: true } });
    expect(config({ reasoning: { effort: 'high' } })).toEqual({ thinkingConfig: { thinkingBudget: 24576, includeThoughts: true } });
    expect(config({ reasoning: { budgetTokens: 0 } })).toEqual({ thinkingConfig: { thinkingBudget: 0, includeThoughts: false } });
    expect(config({ reasoning: {} })).toEqual({ thinkingConfig: { includeThoughts: true } });
  });

  it('rejects more than five stop sequences', () => {
    expect(thrownGatewayError(() => convert({ stop: ['a', 'b', 'c', 'd', 'e', 'f'] }))).toMatchObject({ code: 'untranslatable', param: 'stop' });
  });
});

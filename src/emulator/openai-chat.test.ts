import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, json, openAiAuth, post, prompt, sseEvents, ssePayloads } from './emulator-test-helpers.js';
import { startEmulator, type RunningEmulator } from './index.js';

let emulator: RunningEmulator;
const chat = (body: Record<string, unknown>, headers: Record<string, string> = openAiAuth) =>
  post(`${emulator.url}/v1/chat/completions`, { model: 'gpt-4o', ...body }, headers);
const user = (content: unknown) => ({ messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content }] });

beforeAll(async () => {
  emulator = await startEmulator({ now: () => 1_700_000_000_000 });
});
afterAll(async () => {
  await emulator.close();
});

describe('POST /v1/chat/completions (non-streaming)', () => {
  it('returns a chat.completion with a deterministic default reply and OpenAI headers', async () => {
    const result = await chat(user('What is the capital of France and why is it there at all'));
    expect(result.status).toBe(200);
    expect(result.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{32}$/);
    const body = json(result.text);
    expect(body.id).toMatch(/^chatcmpl-[A-Za-z0-9]{29}$/);
    expect(body).toMatchObject({ object: 'chat.completion', created: 1_700_000_000, model: 'gpt-4o', service_tier: 'default' });
    expect(body.system_fingerprint).toMatch(/^fp_[0-9a-f]{10}$/);
    expect(at(body, 'choices', 0)).toEqual({
      index: 0,
      message: {
        role: 'assistant',
        content: 'Emulated reply to: What is the capital of France and why',
        refusal: null,
        annotations: [],
      },
      logprobs: null,
      finish_reason: 'stop',
    });
    expect(Object.keys(at(body, 'usage') as object)).toEqual([
      'prompt_tokens',
      'completion_tokens',
      'total_tokens',
      'prompt_tokens_details',
      'completion_tokens_details',
    ]);
  });

  it('renders directive usage with OpenAI semantics (prompt includes cached and cache writes)', async () => {
    const usage = { input: 100, cache_read: 400, cache_write_5m: 20, cache_write_1h: 30, output: 50, reasoning: 10 };
    const body = json((await chat(user(prompt({ reply: 'ok', usage })))).text);
    expect(body.usage).toEqual({
      prompt_tokens: 550,
      completion_tokens: 50,
      total_tokens: 600,
      prompt_tokens_details: { cached_tokens: 400, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 10, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    });
  });

  it('reads the directive from text parts of the last user message and reports the overridden model', async () => {
    const content = [{ type: 'text', text: 'hi' }, { type: 'text', text: prompt({ reply: 'From parts', model: 'gpt-4o-2024-08-06' }) }];
    const body = json((await chat(user(content))).text);
    expect(at(body, 'choices', 0, 'message', 'content')).toBe('From parts');
    expect(body.model).toBe('gpt-4o-2024-08-06');
  });

  it('returns parallel tool calls with deterministic ids and finish_reason tool_calls', async () => {
    const directive = { tool_calls: [{ name: 'get_weather', arguments: { city: 'Paris' } }, { name: 'get_time', arguments: { tz: 'CET' } }] };
    const first = json((await chat(user(prompt(directive)))).text);
    const second = json((await chat(user(prompt(directive)))).text);
    const message = at(first, 'choices', 0, 'message');
    expect(at(message, 'content')).toBeNull();
    expect(at(message, 'tool_calls')).toEqual([
      { id: expect.stringMatching(/^call_[A-Za-z0-9]{24}$/), type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
      { id: expect.stringMatching(/^call_/), type: 'function', function: { name: 'get_time', arguments: '{"tz":"CET"}' } },
    ]);
    expect(at(second, 'choices', 0, 'message', 'tool_calls', 0, 'id')).toBe(at(message, 'tool_calls', 0, 'id'));
    expect(at(first, 'choices', 0, 'finish_reason')).toBe('tool_calls');
  });

  it('truncates to max_completion_tokens with finish_reason length, and honours finish overrides', async () => {
    const long = prompt({ reply: 'one two three four five six seven eight nine ten' });
    const cut = json((await chat({ ...user(long), max_completion_tokens: 3 })).text);
    expect(at(cut, 'choices', 0, 'message', 'content')).toBe('one two three');
    expect(at(cut, 'choices', 0, 'finish_reason')).toBe('length');
    expect(at(cut, 'usage', 'completion_tokens')).toBe(3);
    const filtered = json((await chat(user(prompt({ reply: 'x', finish: 'content_filter' })))).text);
    expect(at(filtered, 'choices', 0, 'finish_reason')).toBe('content_filter');
  });

  it('answers JSON for response_format json_object / json_schema and for a json directive', async () => {
    const schema = { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } };
    const defaulted = json((await chat({ ...user('Give me JSON'), response_format: schema })).text);
    expect(json(String(at(defaulted, 'choices', 0, 'message', 'content')))).toEqual({ reply: 'Emulated reply to: Give me JSON' });
    const scripted = json((await chat({ ...user(prompt({ json: { a: [1, 2] } })), response_format: { type: 'json_object' } })).text);
    expect(at(scripted, 'choices', 0, 'message', 'content')).toBe('{"a":[1,2]}');
  });
});

describe('POST /v1/chat/completions (streaming)', () => {
  it('without include_usage sends no usage field and no usage chunk, then [DONE]', async () => {
    const result = await chat({ ...user(prompt({ reply: 'Hello big world' })), stream: true });
    expect(result.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const events = sseEvents(result.text);
    expect(events.every((event) => event.event === undefined)).toBe(true);
    expect(events.at(-1)?.data).toBe('[DONE]');
    const chunks = ssePayloads(result.text);
    expect(chunks.every((chunk) => !('usage' in chunk) && chunk.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks.map((chunk) => at(chunk, 'choices', 0, 'delta'))).toEqual([
      { role: 'assistant', content: '', refusal: null },
      { content: 'Hello ' },
      { content: 'big ' },
      { content: 'world' },
      {},
    ]);
    expect(chunks.map((chunk) => at(chunk, 'choices', 0, 'finish_reason'))).toEqual([null, null, null, null, 'stop']);
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
  });

  it('with include_usage every chunk has usage null and a final choices:[] chunk carries usage', async () => {
    const usage = { input: 7, cache_read: 3, output: 5 };
    const result = await chat({ ...user(prompt({ reply: 'Hi there', usage })), stream: true, stream_options: { include_usage: true } });
    const chunks = ssePayloads(result.text);
    const last = chunks.at(-1);
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
    expect(last?.choices).toEqual([]);
    expect(at(last, 'usage', 'prompt_tokens')).toBe(10);
    expect(at(last, 'usage', 'prompt_tokens_details', 'cached_tokens')).toBe(3);
    expect(at(last, 'usage', 'completion_tokens')).toBe(5);
    expect(sseEvents(result.text).at(-1)?.data).toBe('[DONE]');
  });

  it('streams parallel tool calls as indexed deltas: id, type and name first, arguments in pieces', async () => {
    const args = { city: 'Paris', days: 3, units: 'metric' };
    const directive = { tool_calls: [{ name: 'forecast', arguments: args }, { name: 'noop', arguments: {} }] };
    const chunks = ssePayloads((await chat({ ...user(prompt(directive)), stream: true })).text);
    expect(at(chunks[0], 'choices', 0, 'delta')).toEqual({ role: 'assistant', content: null, refusal: null });
    const deltas = chunks.flatMap((chunk) => (at(chunk, 'choices', 0, 'delta', 'tool_calls') as unknown[] | undefined) ?? []);
    const first = deltas.filter((delta) => at(delta, 'index') === 0);
    expect(first[0]).toMatchObject({ index: 0, id: expect.stringMatching(/^call_/), type: 'function', function: { name: 'forecast', arguments: '' } });
    expect(first.length).toBeGreaterThan(2);
    expect(first.slice(1).every((delta) => at(delta, 'id') === undefined && at(delta, 'function', 'name') === undefined)).toBe(true);
    expect(first.map((delta) => at(delta, 'function', 'arguments')).join('')).toBe(JSON.stringify(args));
    expect(deltas.some((delta) => at(delta, 'index') === 1 && at(delta, 'function', 'name') === 'noop')).toBe(true);
    expect(at(chunks.at(-1), 'choices', 0, 'finish_reason')).toBe('tool_calls');
  });

  it('sends an in-stream error chunk after n content chunks and ends without [DONE]', async () => {
    const directive = { reply: 'a b c d e', stream_error_after: 2 };
    const result = await chat({ ...user(prompt(directive)), stream: true });
    const events = sseEvents(result.text);
    const chunks = ssePayloads(result.text);
    expect(result.status).toBe(200);
    expect(chunks.map((chunk) => at(chunk, 'choices', 0, 'delta', 'content'))).toEqual(['', 'a ', 'b ', undefined]);
    expect(chunks.at(-1)).toEqual({ error: { message: expect.any(String), type: 'server_error', param: null, code: null } });
    expect(events.some((event) => event.data === '[DONE]')).toBe(false);
  });

  it('destroys the socket after n content chunks for disconnect_after', async () => {
    const response = await fetch(`${emulator.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...openAiAuth },
      body: JSON.stringify({ model: 'gpt-4o', stream: true, ...user(prompt({ reply: 'a b c d', disconnect_after: 1 })) }),
    });
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow();
  });
});

describe('chat completions errors', () => {
  it('401 with OpenAI error body when the bearer key is missing or empty', async () => {
    for (const headers of [{}, { authorization: 'Bearer ' }] as Array<Record<string, string>>) {
      const result = await chat(user('hi'), headers);
      expect(result.status).toBe(401);
      expect(json(result.text)).toEqual({
        error: { message: expect.stringContaining("You didn't provide an API key"), type: 'invalid_request_error', param: null, code: null },
      });
    }
  });

  it('400 for malformed JSON and for an invalid directive', async () => {
    const malformed = await post(`${emulator.url}/v1/chat/completions`, '{"model": ', openAiAuth);
    expect(malformed.status).toBe(400);
    expect(at(json(malformed.text), 'error', 'message')).toContain('could not parse the JSON body');
    const invalid = await chat(user('hi [[emu:{"reply": oops}]]'));
    expect(invalid.status).toBe(400);
    expect(at(json(invalid.text), 'error', 'type')).toBe('invalid_request_error');
    expect(at(json(invalid.text), 'error', 'message')).toContain('Invalid emulator directive');
    const unknownField = await chat(user(prompt({ replies: 'x' })));
    expect(unknownField.status).toBe(400);
  });

  it('scripted errors use OpenAI types per status and send retry-after', async () => {
    const limited = await chat(user(prompt({ error: { status: 429, retry_after: 7 } })));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(json(limited.text)).toMatchObject({ error: { type: 'requests', code: 'rate_limit_exceeded', param: null } });
    const failed = await chat(user(prompt({ error: { status: 500, message: 'boom' } })));
    expect(json(failed.text)).toEqual({ error: { message: 'boom', type: 'server_error', param: null, code: null } });
  });

  it('waits latency_ms before responding', async () => {
    const started = performance.now();
    await chat(user(prompt({ latency_ms: 120 })));
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
  });
});

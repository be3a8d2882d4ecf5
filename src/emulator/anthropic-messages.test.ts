import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anthropicAuth, at, json, post, prompt, sseEvents, ssePayloads } from './emulator-test-helpers.js';
import { startEmulator, type RunningEmulator } from './index.js';

let emulator: RunningEmulator;
const messages = (body: Record<string, unknown>, headers: Record<string, string> = anthropicAuth) =>
  post(`${emulator.url}/v1/messages`, { model: 'claude-sonnet-4-5', max_tokens: 1024, ...body }, headers);
const user = (content: unknown) => ({ system: 'Be brief.', messages: [{ role: 'user', content }] });

beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator.close();
});

describe('POST /v1/messages (non-streaming)', () => {
  it('returns a message with Anthropic usage semantics (input excludes cache reads and writes)', async () => {
    const usage = { input: 20, cache_read: 300, cache_write_5m: 40, cache_write_1h: 60, output: 25 };
    const result = await messages(user(prompt({ reply: 'Bonjour', usage })));
    expect(result.status).toBe(200);
    expect(result.headers.get('request-id')).toMatch(/^req_011C/);
    const body = json(result.text);
    expect(body.id).toMatch(/^msg_01[1-9A-HJ-NP-Za-km-z]{22}$/);
    expect(body).toEqual({
      id: body.id,
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [{ type: 'text', text: 'Bonjour' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: {
        input_tokens: 20,
        cache_creation_input_tokens: 100,
        cache_read_input_tokens: 300,
        cache_creation: { ephemeral_5m_input_tokens: 40, ephemeral_1h_input_tokens: 60 },
        output_tokens: 25,
        service_tier: 'standard',
      },
    });
  });

  it('returns thinking (with signature), text and tool_use blocks with stop_reason tool_use', async () => {
    const directive = { thinking: 'Let me think', reply: 'Checking', tool_calls: [{ name: 'weather', arguments: { city: 'Oslo' } }] };
    const body = json((await messages(user([{ type: 'text', text: prompt(directive) }]))).text);
    expect(body.content).toEqual([
      { type: 'thinking', thinking: 'Let me think', signature: expect.any(String) },
      { type: 'text', text: 'Checking' },
      { type: 'tool_use', id: expect.stringMatching(/^toolu_01/), name: 'weather', input: { city: 'Oslo' } },
    ]);
    expect(body.stop_reason).toBe('tool_use');
  });

  it('maps max_tokens truncation and finish overrides to Anthropic stop reasons', async () => {
    const cut = json((await messages({ ...user(prompt({ reply: 'one two three four' })), max_tokens: 2 })).text);
    expect(cut.stop_reason).toBe('max_tokens');
    expect(at(cut, 'content', 0, 'text')).toBe('one two');
    const stopped = json((await messages({ ...user(prompt({ finish: 'stop_sequence' })), stop_sequences: ['END'] })).text);
    expect(stopped).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: 'END' });
  });

  it('accepts Authorization: Bearer as well as x-api-key', async () => {
    const result = await messages(user('hi'), { authorization: 'Bearer sk-ant', 'anthropic-version': '2026-10-21' });
    expect(result.status).toBe(200);
  });
});

describe('POST /v1/messages (streaming)', () => {
  it('sends every event type in order, each with an event: line, and cumulative usage in message_delta', async () => {
    const directive = { thinking: 'Hmm ok', reply: 'Hi there', tool_calls: [{ name: 'lookup', arguments: { query: 'a long query text' } }], usage: { input: 11, cache_read: 5, output: 42 } };
    const result = await messages({ ...user(prompt(directive)), stream: true });
    expect(result.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const events = sseEvents(result.text);
    const payloads = ssePayloads(result.text);
    expect(events.every((event, index) => event.event === payloads[index]?.type)).toBe(true);
    const shape = payloads.map((payload) => {
      const delta = at(payload, 'delta', 'type');
      return typeof delta === 'string' ? `${String(payload.type)}:${delta}` : String(payload.type);
    });
    expect(shape).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta:thinking_delta',
      'content_block_delta:thinking_delta',
      'content_block_delta:signature_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta:text_delta',
      'content_block_delta:text_delta',
      'content_block_stop',
      'content_block_start',
      ...Array.from({ length: shape.length - 15 }, () => 'content_block_delta:input_json_delta'),
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(at(payloads[0], 'message', 'usage')).toEqual({
      input_tokens: 11,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 5,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
      output_tokens: 1,
      service_tier: 'standard',
    });
    expect(at(payloads[1], 'content_block')).toEqual({ type: 'thinking', thinking: '', signature: '' });
    const toolStart = payloads.filter((payload) => payload.type === 'content_block_start')[2];
    expect(at(toolStart, 'content_block')).toEqual({ type: 'tool_use', id: expect.stringMatching(/^toolu_/), name: 'lookup', input: {} });
    const partial = payloads.filter((payload) => at(payload, 'delta', 'type') === 'input_json_delta').map((payload) => at(payload, 'delta', 'partial_json'));
    expect(partial.join('')).toBe(JSON.stringify({ query: 'a long query text' }));
    const messageDelta = payloads.at(-2);
    expect(messageDelta).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      usage: { input_tokens: 11, cache_creation_input_tokens: 0, cache_read_input_tokens: 5, output_tokens: 42 },
    });
  });

  it('ends with event: error (overloaded_error by default) after n content chunks', async () => {
    const result = await messages({ ...user(prompt({ reply: 'a b c d', stream_error_after: 2 })), stream: true });
    const events = sseEvents(result.text);
    expect(events.at(-1)?.event).toBe('error');
    expect(json(events.at(-1)?.data ?? '')).toEqual({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
    expect(events.filter((event) => event.event === 'content_block_delta')).toHaveLength(2);
    expect(events.some((event) => event.event === 'message_stop')).toBe(false);
  });
});

describe('Anthropic errors and count_tokens', () => {
  it('401 authentication_error with request_id when no key is sent', async () => {
    const result = await messages(user('hi'), { 'anthropic-version': '2023-06-01' });
    expect(result.status).toBe(401);
    expect(json(result.text)).toEqual({
      type: 'error',
      error: { type: 'authentication_error', message: 'x-api-key header is required' },
      request_id: expect.stringMatching(/^req_/),
    });
  });

  it('400 invalid_request_error without anthropic-version, and for a missing max_tokens', async () => {
    const noVersion = await messages(user('hi'), { 'x-api-key': 'k' });
    expect(noVersion.status).toBe(400);
    expect(json(noVersion.text)).toMatchObject({ error: { type: 'invalid_request_error', message: 'anthropic-version: header is required' } });
    const noMax = await post(`${emulator.url}/v1/messages`, { model: 'claude', messages: [] }, anthropicAuth);
    expect(noMax.status).toBe(400);
    expect(at(json(noMax.text), 'error', 'message')).toBe('max_tokens: Field required');
  });

  it('scripted errors use Anthropic types: 429 rate_limit_error with retry-after, 529 overloaded_error', async () => {
    const limited = await messages(user(prompt({ error: { status: 429, retry_after: 3 } })));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    expect(at(json(limited.text), 'error', 'type')).toBe('rate_limit_error');
    const overloaded = await messages(user(prompt({ error: { status: 529 } })));
    expect(overloaded.status).toBe(529);
    expect(at(json(overloaded.text), 'error')).toEqual({ type: 'overloaded_error', message: 'Overloaded' });
  });

  it('count_tokens returns {input_tokens} matching the input usage of a message', async () => {
    const body = user('Count these words please');
    const counted = json((await post(`${emulator.url}/v1/messages/count_tokens`, { model: 'claude', ...body }, anthropicAuth)).text);
    const answered = json((await messages(body)).text);
    expect(Object.keys(counted)).toEqual(['input_tokens']);
    expect(counted.input_tokens).toBe(at(answered, 'usage', 'input_tokens'));
  });
});

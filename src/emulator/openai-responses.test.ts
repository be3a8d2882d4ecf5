import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, json, openAiAuth, post, prompt, sseEvents, ssePayloads } from './emulator-test-helpers.js';
import { startEmulator, type RunningEmulator } from './index.js';

let emulator: RunningEmulator;
const responses = (body: Record<string, unknown>) => post(`${emulator.url}/v1/responses`, { model: 'gpt-5', ...body }, openAiAuth);

beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator.close();
});

describe('POST /v1/responses', () => {
  it('returns a response object with a message item and Responses usage', async () => {
    const usage = { input: 90, cache_read: 10, output: 30, reasoning: 12 };
    const body = json((await responses({ input: prompt({ reply: 'Hi there', usage }), instructions: 'Be kind.' })).text);
    expect(body.id).toMatch(/^resp_[0-9a-f]{48}$/);
    expect(body).toMatchObject({ object: 'response', status: 'completed', model: 'gpt-5', instructions: 'Be kind.', error: null });
    const output = body.output as unknown[];
    expect(output.map((item) => at(item, 'type'))).toEqual(['reasoning', 'message']);
    expect(at(output[1], 'id')).toMatch(/^msg_[0-9a-f]{48}$/);
    expect(at(output[1], 'content')).toEqual([{ type: 'output_text', annotations: [], logprobs: [], text: 'Hi there' }]);
    expect(body.usage).toEqual({
      input_tokens: 100,
      input_tokens_details: { cached_tokens: 10 },
      output_tokens: 30,
      output_tokens_details: { reasoning_tokens: 12 },
      total_tokens: 130,
    });
  });

  it('reads the directive from the last user item of an input array and returns function_call items', async () => {
    const input = [
      { role: 'user', content: 'first' },
      { role: 'assistant', content: 'ok' },
      { role: 'user', content: [{ type: 'input_text', text: prompt({ tool_calls: [{ name: 'lookup', arguments: { q: 'x' } }] }) }] },
    ];
    const body = json((await responses({ input })).text);
    expect(body.output).toEqual([
      { id: expect.stringMatching(/^fc_/), type: 'function_call', status: 'completed', arguments: '{"q":"x"}', call_id: expect.stringMatching(/^call_/), name: 'lookup' },
    ]);
  });

  it('marks a max_output_tokens cut as incomplete', async () => {
    const body = json((await responses({ input: prompt({ reply: 'alpha beta gamma delta' }), max_output_tokens: 2 })).text);
    expect(body.status).toBe('incomplete');
    expect(body.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(body.max_output_tokens).toBe(2);
  });

  it('streams the documented event sequence with increasing sequence_number', async () => {
    const result = await responses({ input: prompt({ reply: 'Hello big world' }), stream: true });
    const events = sseEvents(result.text);
    const payloads = ssePayloads(result.text);
    expect(events.map((event) => event.event)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(payloads.map((payload) => payload.type)).toEqual(events.map((event) => event.event));
    expect(payloads.map((payload) => payload.sequence_number)).toEqual(payloads.map((_, index) => index));
    expect(at(payloads[0], 'response', 'status')).toBe('in_progress');
    expect(at(payloads[0], 'response', 'usage')).toBeNull();
    const deltas = payloads.filter((payload) => payload.type === 'response.output_text.delta').map((payload) => payload.delta);
    expect(deltas).toEqual(['Hello ', 'big ', 'world']);
    expect(at(payloads.at(-1), 'response', 'usage', 'output_tokens')).toBeGreaterThan(0);
    expect(at(payloads.at(-1), 'response', 'output', 0, 'content', 0, 'text')).toBe('Hello big world');
  });

  it('streams function call arguments as deltas and an error event for stream_error_after', async () => {
    const args = { query: 'weather in Paris tomorrow' };
    const streamed = ssePayloads((await responses({ input: prompt({ tool_calls: [{ name: 'search', arguments: args }] }), stream: true })).text);
    const pieces = streamed.filter((payload) => payload.type === 'response.function_call_arguments.delta').map((payload) => payload.delta);
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join('')).toBe(JSON.stringify(args));
    expect(streamed.find((payload) => payload.type === 'response.function_call_arguments.done')).toMatchObject({ name: 'search', arguments: JSON.stringify(args) });
    const failed = await responses({ input: prompt({ reply: 'a b c', stream_error_after: 1 }), stream: true });
    const events = sseEvents(failed.text);
    expect(events.at(-1)?.event).toBe('error');
    expect(json(events.at(-1)?.data ?? '')).toMatchObject({ type: 'error', code: 'server_error', param: null, sequence_number: events.length - 1 });
  });
});

describe('POST /v1/embeddings', () => {
  const embed = (body: Record<string, unknown>) => post(`${emulator.url}/v1/embeddings`, body, openAiAuth);

  it('returns deterministic unit vectors of 1536 dims by default with usage', async () => {
    const first = json((await embed({ model: 'text-embedding-3-small', input: 'hello world' })).text);
    const again = json((await embed({ model: 'text-embedding-3-small', input: 'hello world' })).text);
    const vector = at(first, 'data', 0, 'embedding') as number[];
    expect(first).toMatchObject({ object: 'list', model: 'text-embedding-3-small', usage: { prompt_tokens: 2, total_tokens: 2 } });
    expect(at(first, 'data', 0, 'object')).toBe('embedding');
    expect(vector).toHaveLength(1536);
    expect(Math.hypot(...vector)).toBeCloseTo(1, 4);
    expect(at(again, 'data', 0, 'embedding')).toEqual(vector);
  });

  it('encodes base64 as little-endian float32 equal to the float output, honours dimensions', async () => {
    const floats = json((await embed({ model: 'text-embedding-3-large', input: ['a', 'b'], dimensions: 8 })).text);
    const base64 = json((await embed({ model: 'text-embedding-3-large', input: ['a', 'b'], dimensions: 8, encoding_format: 'base64' })).text);
    const buffer = Buffer.from(String(at(base64, 'data', 1, 'embedding')), 'base64');
    const decoded = Array.from({ length: buffer.length / 4 }, (_, i) => buffer.readFloatLE(i * 4));
    expect(decoded).toEqual(at(floats, 'data', 1, 'embedding'));
    expect(decoded).toHaveLength(8);
    expect(at(floats, 'data', 1, 'index')).toBe(1);
  });

  it('accepts token arrays and counts their tokens', async () => {
    const single = json((await embed({ model: 'text-embedding-3-small', input: [1, 2, 3] })).text);
    expect((single.data as unknown[]).length).toBe(1);
    expect(at(single, 'usage', 'prompt_tokens')).toBe(3);
    const many = json((await embed({ model: 'text-embedding-3-small', input: [[1, 2], [3, 4, 5]] })).text);
    expect((many.data as unknown[]).length).toBe(2);
    expect(at(many, 'usage', 'total_tokens')).toBe(5);
  });
});

describe('GET /v1/models', () => {
  it('lists models in OpenAI shape and requires auth', async () => {
    const listed = await fetch(`${emulator.url}/v1/models`, { headers: openAiAuth });
    const body = json(await listed.text());
    expect(body.object).toBe('list');
    expect(at(body, 'data', 0)).toEqual({ id: 'gpt-4o', object: 'model', created: expect.any(Number), owned_by: 'system' });
    const one = json(await (await fetch(`${emulator.url}/v1/models/gpt-4o-mini`, { headers: openAiAuth })).text());
    expect(one.id).toBe('gpt-4o-mini');
    expect((await fetch(`${emulator.url}/v1/models`)).status).toBe(401);
  });
});

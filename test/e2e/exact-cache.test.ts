/**
 * The exact response cache end to end: the real `openai` and `@anthropic-ai/sdk` clients, the gateway with
 * cache.exact enabled and two virtual keys, the emulator upstream. Prices (bundled): gpt-4o-mini $0.15 input / $0.60
 * output per Mtok.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emu, startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let openai: OpenAI;
let tenantB: OpenAI;
let anthropic: Anthropic;
let counter = 0;

beforeAll(async () => {
  stack = await startStack({
    env: { CACHE_KEY_A: 'jv-cache-tenant-a', CACHE_KEY_B: 'jv-cache-tenant-b' },
    config: {
      server: { host: '127.0.0.1', port: 0, auth: 'keys' },
      keys: [
        { name: 'a', secret_env: 'CACHE_KEY_A', team: 'one' },
        { name: 'b', secret_env: 'CACHE_KEY_B', team: 'one' },
      ],
      // @anthropic-ai/sdk 1.x has no `temperature`: Anthropic calls sample by default, so their feature caches sampled calls.
      cache: { exact: { enabled: true, rules: [{ feature: 'no-cache', enabled: false }, { feature: 'anthropic-cached', sampled: 'cache' }] } },
    },
  });
  openai = new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: 'jv-cache-tenant-a', maxRetries: 0 });
  tenantB = new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: 'jv-cache-tenant-b', maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: stack.anthropicBaseUrl, apiKey: 'jv-cache-tenant-a', maxRetries: 0, defaultHeaders: { 'x-jevons-feature': 'anthropic-cached' } });
});
afterAll(() => stack.close());

/** A question no other test asks, so every test starts on an empty cache. */
const fresh = (extra: Record<string, unknown> = {}): string => `Question ${++counter} ${emu({ reply: `Answer number ${counter}, in several words.`, usage: { input: 1_000, output: 100 }, ...extra })}`;
const upstreamCalls = () => stack.emulator.requests.length;

function chat(content: string, extra: Partial<OpenAI.ChatCompletionCreateParamsNonStreaming> = {}): OpenAI.ChatCompletionCreateParamsNonStreaming {
  return { model: 'gpt-4o-mini', temperature: 0, messages: [{ role: 'user', content }], ...extra };
}

describe('exact cache, OpenAI dialect', () => {
  it('answers the second identical request from the cache, at no cost', async () => {
    const body = chat(fresh());
    const first = await openai.chat.completions.create(body).withResponse();
    expect(first.response.headers.get('x-jevons-cache')).toBe('miss');
    const before = upstreamCalls();
    const second = await openai.chat.completions.create(body).withResponse();
    expect(upstreamCalls()).toBe(before);
    expect(second.response.headers.get('x-jevons-cache')).toBe('hit');
    expect(second.response.headers.get('x-jevons-cache-age')).toBe('0');
    expect(second.response.headers.get('x-jevons-cost-usd')).toBe('0');
    expect(second.data.choices[0]?.message.content).toBe(first.data.choices[0]?.message.content);
    expect(second.data.usage).toEqual(first.data.usage);
  });

  it('misses on any change of an output-determining field, hits despite attribution changes', async () => {
    const base = chat(fresh());
    await openai.chat.completions.create(base);
    const variants: Array<Partial<OpenAI.ChatCompletionCreateParamsNonStreaming>> = [
      { messages: [{ role: 'system', content: 'Be brief.' }, ...base.messages] },
      { model: 'gpt-4.1-mini' },
      { max_tokens: 500 },
      { seed: 7 },
      { stop: ['END'] },
      { top_p: 0.5 },
      { response_format: { type: 'json_object' } },
      { tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: {} } } }] },
    ];
    for (const variant of variants) {
      const { response } = await openai.chat.completions.create({ ...base, ...variant }).withResponse();
      expect(response.headers.get('x-jevons-cache'), JSON.stringify(variant)).toBe('miss');
    }
    for (const same of [{ user: 'someone-else' }, { metadata: { run: 'x' } }, { store: false }]) {
      const { response } = await openai.chat.completions.create({ ...base, ...same }).withResponse();
      expect(response.headers.get('x-jevons-cache'), JSON.stringify(same)).toBe('hit');
    }
    const { response } = await openai.chat.completions.create(base, { headers: { 'x-jevons-feature': 'another-feature' } }).withResponse();
    expect(response.headers.get('x-jevons-cache')).toBe('hit');
  });

  it('keeps tenants apart: another key misses', async () => {
    const body = chat(fresh());
    await openai.chat.completions.create(body);
    const { response } = await tenantB.chat.completions.create(body).withResponse();
    expect(response.headers.get('x-jevons-cache')).toBe('miss');
  });

  it('bypasses sampled requests (no temperature, or temperature > 0) by default, and calls turned off by a rule', async () => {
    const content = fresh();
    for (const body of [{ model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content }] }, chat(content, { temperature: 0.7 })]) {
      await openai.chat.completions.create(body);
      const { response } = await openai.chat.completions.create(body).withResponse();
      expect(response.headers.get('x-jevons-cache')).toBe('bypass');
    }
    const off = chat(fresh());
    await openai.chat.completions.create(off, { headers: { 'x-jevons-feature': 'no-cache' } });
    const { response } = await openai.chat.completions.create(off, { headers: { 'x-jevons-feature': 'no-cache' } }).withResponse();
    expect(response.headers.get('x-jevons-cache')).toBe('bypass');
  });

  it('replays a cached answer as a stream the SDK parses, with usage when asked', async () => {
    const body = chat(fresh({ reply: 'A reply long enough to be cut into more than one replayed delta: '.repeat(3) }));
    const original = await openai.chat.completions.create(body);
    const before = upstreamCalls();
    const stream = await openai.chat.completions.create({ ...body, stream: true, stream_options: { include_usage: true } });
    let text = '';
    let deltas = 0;
    let usage: OpenAI.CompletionUsage | null | undefined;
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      if (choice?.delta.content) {
        text += choice.delta.content;
        deltas++;
      }
      finish ??= choice?.finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(upstreamCalls()).toBe(before);
    expect(text).toBe(original.choices[0]?.message.content);
    expect(deltas).toBeGreaterThan(1);
    expect(finish).toBe('stop');
    expect(usage).toMatchObject({ prompt_tokens: 1_000, completion_tokens: 100 });
  });

  it('stores a streamed answer (forward path) and serves it to a non-stream request, tool calls included', async () => {
    const body = chat(fresh({ reply: 'Looking it up.', tool_calls: [{ name: 'lookup', arguments: { id: 'Z-9' } }] }), {
      tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { id: { type: 'string' } } } } }],
    });
    const stream = await openai.chat.completions.create({ ...body, stream: true });
    for await (const chunk of stream) void chunk;
    const { data, response } = await openai.chat.completions.create(body).withResponse();
    expect(response.headers.get('x-jevons-cache')).toBe('hit');
    expect(data.choices[0]?.finish_reason).toBe('tool_calls');
    expect(data.choices[0]?.message.content).toBe('Looking it up.');
    expect(data.choices[0]?.message.tool_calls?.[0]).toMatchObject({ type: 'function', function: { name: 'lookup', arguments: '{"id":"Z-9"}' } });
  });

  it('caches a translated call (OpenAI dialect to an Anthropic model)', async () => {
    const body = chat(fresh(), { model: 'claude-haiku-4-5', max_tokens: 300 });
    const stream = await openai.chat.completions.create({ ...body, stream: true });
    for await (const chunk of stream) void chunk;
    const { data, response } = await openai.chat.completions.create(body).withResponse();
    expect(response.headers.get('x-jevons-cache')).toBe('hit');
    expect(data.choices[0]?.message.content).toContain('Answer number');
  });
});

describe('exact cache, Anthropic dialect', () => {
  it('replays a cached answer as a stream the Anthropic SDK parses, thinking and tool use included', async () => {
    const body: Anthropic.MessageCreateParamsNonStreaming = {
      model: 'claude-haiku-4-5',
      max_tokens: 500,
      tools: [{ name: 'lookup', input_schema: { type: 'object', properties: { id: { type: 'string' } } } }],
      messages: [{ role: 'user', content: fresh({ thinking: 'Let me think.', reply: 'Checking.', tool_calls: [{ name: 'lookup', arguments: { id: 'Z-9' } }] }) }],
    };
    const original = await anthropic.messages.create(body);
    const before = upstreamCalls();
    const message = await anthropic.messages.stream(body).finalMessage();
    expect(upstreamCalls()).toBe(before);
    expect(message.content.map((block) => block.type)).toEqual(original.content.map((block) => block.type));
    expect(message.content).toEqual(original.content.map((block) => expect.objectContaining(block.type === 'text' ? { text: block.text } : block.type === 'tool_use' ? { name: block.name, input: block.input } : { type: block.type })));
    expect(message.stop_reason).toBe('tool_use');
    expect(message.usage).toMatchObject({ input_tokens: 1_000, output_tokens: 100 });
  });

  it('stores a streamed answer and serves it as JSON; cache_control and metadata do not change the key', async () => {
    const content = fresh();
    const body: Anthropic.MessageCreateParamsNonStreaming = { model: 'claude-haiku-4-5', max_tokens: 300, messages: [{ role: 'user', content: [{ type: 'text', text: content }] }] };
    const streamed = await anthropic.messages.stream(body).finalMessage();
    const { data, response } = await anthropic.messages
      .create({ ...body, metadata: { user_id: 'u-2' }, messages: [{ role: 'user', content: [{ type: 'text', text: content, cache_control: { type: 'ephemeral' } }] }] })
      .withResponse();
    expect(response.headers.get('x-jevons-cache')).toBe('hit');
    expect(data.content).toEqual([expect.objectContaining({ type: 'text', text: (streamed.content[0] as Anthropic.TextBlock).text })]);
  });
});

describe('the x-jevons-cache request header', () => {
  it('skip neither reads nor writes; refresh writes without reading', async () => {
    const body = chat(fresh());
    const skipped = await openai.chat.completions.create(body, { headers: { 'x-jevons-cache': 'skip' } }).withResponse();
    expect(skipped.response.headers.get('x-jevons-cache')).toBe('bypass');
    const first = await openai.chat.completions.create(body).withResponse();
    expect(first.response.headers.get('x-jevons-cache')).toBe('miss');
    const before = upstreamCalls();
    const refreshed = await openai.chat.completions.create(body, { headers: { 'x-jevons-cache': 'refresh' } }).withResponse();
    expect(refreshed.response.headers.get('x-jevons-cache')).toBe('refresh');
    expect(upstreamCalls()).toBe(before + 1);
    const skippedAgain = await openai.chat.completions.create(body, { headers: { 'x-jevons-cache': 'skip' } }).withResponse();
    expect(skippedAgain.response.headers.get('x-jevons-cache')).toBe('bypass');
    expect(upstreamCalls()).toBe(before + 2);
  });

  it('only answers from the cache, or fails with a 412 in the caller dialect without calling upstream', async () => {
    const body = chat(fresh());
    const before = upstreamCalls();
    const error = await openai.chat.completions.create(body, { headers: { 'x-jevons-cache': 'only' } }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error).toMatchObject({ status: 412, code: 'cache_miss', param: 'x-jevons-cache' });
    const anthropicError = await anthropic.messages
      .create({ model: 'claude-haiku-4-5', max_tokens: 100, messages: [{ role: 'user', content: fresh() }] }, { headers: { 'x-jevons-cache': 'only' } })
      .catch((caught: unknown) => caught);
    expect(anthropicError).toMatchObject({ status: 412, error: { type: 'error', error: { type: 'invalid_request_error' } } });
    expect(upstreamCalls()).toBe(before);
    await openai.chat.completions.create(body);
    const { response } = await openai.chat.completions.create(body, { headers: { 'x-jevons-cache': 'only' } }).withResponse();
    expect(response.headers.get('x-jevons-cache')).toBe('hit');
  });

  it('rejects an unknown value with a 400 naming the header', async () => {
    const error = await openai.chat.completions.create(chat(fresh()), { headers: { 'x-jevons-cache': 'sometimes' } }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 400, param: 'x-jevons-cache' });
    expect(String((error as Error).message)).toContain('x-jevons-cache');
  });
});

describe('accounting of a hit', () => {
  it('records one attempt served by the exact cache: no billed tokens, cost 0, cost_uncached_usd = the original cost', async () => {
    const body = chat(fresh());
    const first = await openai.chat.completions.create(body).withResponse();
    const second = await openai.chat.completions.create({ ...body, stream: true }).withResponse();
    for await (const chunk of second.data) void chunk;
    const [original] = await stack.rowsOf(first.response.headers.get('x-jevons-request-id') ?? '');
    const rows = await stack.rowsOf(second.response.headers.get('x-jevons-request-id') ?? '');
    expect(original).toMatchObject({ cacheSource: null, inputTokens: 1_000, outputTokens: 100 });
    // 1000 x 0.15 + 100 x 0.60, per million.
    expect(original?.costTotalUsd).toBeCloseTo(0.00021, 12);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      cacheSource: 'exact',
      status: 200,
      streamed: true,
      provider: 'openai',
      requestedModel: 'gpt-4o-mini',
      inputTokens: 0,
      outputTokens: 0,
      costTotalUsd: 0,
      costUncachedUsd: original?.costTotalUsd,
      priceRef: original?.priceRef,
      attribution: expect.objectContaining({ keyId: 'config:a', team: 'one' }),
    });
  });
});

/**
 * The real `openai` SDK against the gateway and the emulator: every case asserts the ledger row exactly (tokens by
 * kind and cost). Expected costs are computed by hand from the bundled prices:
 *   gpt-4o-mini: $0.15 input, $0.075 cache read, $0.60 output per Mtok
 *   claude-sonnet-4-5: $3 input, $0.30 read, $3.75 write 5m, $6 write 1h, $15 output (≤ 200k input)
 *   gemini-2.5-flash: $0.30 input, $0.03 cache read, $2.50 output
 *   text-embedding-3-small: $0.02 input
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emu, startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let client: OpenAI;

beforeAll(async () => {
  stack = await startStack();
  client = new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: 'unused', maxRetries: 0, defaultHeaders: { 'x-jevons-feature': 'e2e-openai', 'x-jevons-customer': 'acme' } });
});
afterAll(() => stack.close());

describe('openai SDK → OpenAI upstream (fast path)', () => {
  it('meters a non-streamed chat with cached tokens exactly and returns the cost header', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', user: 'u-42', messages: [{ role: 'user', content: `Hi ${emu({ reply: 'Hello there', usage: { input: 100, cache_read: 1024, output: 20 } })}` }] })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe('Hello there');
    expect(data.usage).toMatchObject({ prompt_tokens: 1124, completion_tokens: 20, prompt_tokens_details: { cached_tokens: 1024 } });
    const requestId = response.headers.get('x-jevons-request-id') ?? '';
    expect(response.headers.get('x-jevons-cost-usd')).toBe('0.0001038');
    expect(Number(response.headers.get('x-jevons-overhead-ms'))).toBeGreaterThanOrEqual(0);
    const [row] = await stack.rowsOf(requestId);
    expect(row).toMatchObject({
      dialect: 'openai', endpoint: 'chat', provider: 'openai', requestedModel: 'gpt-4o-mini', status: 200, errorCode: null,
      streamed: false, clientAborted: false, usageEstimated: false,
      inputTokens: 100, cacheReadTokens: 1024, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: 20, reasoningTokens: 0,
      attribution: expect.objectContaining({ feature: 'e2e-openai', customer: 'acme', user: 'u-42' }),
    });
    expect(row?.costInputUsd).toBeCloseTo(0.000015, 12);
    expect(row?.costCacheReadUsd).toBeCloseTo(0.0000768, 12);
    expect(row?.costOutputUsd).toBeCloseTo(0.000012, 12);
    expect(row?.costTotalUsd).toBeCloseTo(0.0001038, 12);
    expect(row?.priceRef).toContain('gpt-4o-mini');
  });

  it('asks upstream for stream usage when the client did not, and hides that chunk from the client', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: `Stream ${emu({ reply: 'one two three four', usage: { input: 40, output: 4 } })}` }] });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('one two three four');
    expect(chunks.every((chunk) => chunk.choices.length > 0)).toBe(true);
    const upstream = stack.emulator.requests.at(-1)?.body as { stream_options?: { include_usage?: boolean } };
    expect(upstream.stream_options?.include_usage).toBe(true);
    const row = await stack.lastRow();
    expect(row).toMatchObject({ streamed: true, inputTokens: 40, outputTokens: 4, usageEstimated: false, status: 200 });
    expect(row.costTotalUsd).toBeCloseTo((40 * 0.15 + 4 * 0.6) / 1e6, 12);
    expect(row.firstByteAt).not.toBeNull();
  });

  it('passes the usage chunk through when the client asked for it', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: `Usage ${emu({ usage: { input: 12, cache_read: 0, output: 7 } })}` }] });
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) if (chunk.usage) usage = chunk.usage;
    expect(usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 7 });
    expect(await stack.lastRow()).toMatchObject({ inputTokens: 12, outputTokens: 7 });
  });

  it('streams parallel tool calls with argument deltas', async () => {
    const stream = client.chat.completions.stream({
      model: 'gpt-4o',
      tools: [
        { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } },
        { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: { zone: { type: 'string' } } } } },
      ],
      messages: [{ role: 'user', content: `Weather and time ${emu({ tool_calls: [{ name: 'get_weather', arguments: { city: 'Paris' } }, { name: 'get_time', arguments: { zone: 'Europe/Paris' } }], usage: { input: 80, output: 30 } })}` }],
    });
    const final = await stream.finalChatCompletion();
    const calls = final.choices[0]?.message.tool_calls ?? [];
    expect(calls.map((call) => call.type === 'function' && [call.function.name, JSON.parse(call.function.arguments)])).toEqual([
      ['get_weather', { city: 'Paris' }],
      ['get_time', { zone: 'Europe/Paris' }],
    ]);
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
    const row = await stack.lastRow();
    expect(row).toMatchObject({ requestedModel: 'gpt-4o', inputTokens: 80, outputTokens: 30 });
    expect(row.costTotalUsd).toBeCloseTo((80 * 2.5 + 30 * 10) / 1e6, 12);
  });

  it('returns structured output for a json_schema response format', async () => {
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      response_format: { type: 'json_schema', json_schema: { name: 'city', strict: true, schema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'], additionalProperties: false } } },
      messages: [{ role: 'user', content: `Capital of France ${emu({ json: { name: 'Paris' } })}` }],
    });
    expect(JSON.parse(completion.choices[0]?.message.content ?? '')).toEqual({ name: 'Paris' });
  });

  it('meters embeddings (the SDK asks for base64 by default)', async () => {
    const { data, response } = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['alpha beta', 'gamma'] }).withResponse();
    expect(data.data).toHaveLength(2);
    expect(data.data[0]?.embedding.length).toBeGreaterThan(0);
    const [row] = await stack.rowsOf(response.headers.get('x-jevons-request-id') ?? '');
    expect(row).toMatchObject({ endpoint: 'embeddings', inputTokens: data.usage.prompt_tokens, outputTokens: 0, usageEstimated: false });
    expect(row?.costTotalUsd).toBeCloseTo((data.usage.prompt_tokens * 0.02) / 1e6, 12);
  });

  it('passes an upstream 429 through with its body, retry-after and a ledger row', async () => {
    const error = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `Busy ${emu({ error: { status: 429, retry_after: 7 } })}` }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const rateLimit = error as InstanceType<typeof OpenAI.RateLimitError>;
    expect(rateLimit.headers?.get('retry-after')).toBe('7');
    const row = await stack.lastRow();
    expect(row).toMatchObject({ status: 429, errorCode: 'upstream_rate_limited', inputTokens: 0, outputTokens: 0, costTotalUsd: 0, usageEstimated: false });
  });

  it('meters an aborted stream from what was generated, flagged as estimated', async () => {
    const controller = new AbortController();
    const words = Array.from({ length: 400 }, (_, index) => `word${index}`).join(' ');
    const stream = await client.chat.completions.create(
      { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: `Long ${emu({ reply: words, chunk_delay_ms: 5 })}` }] },
      { signal: controller.signal },
    );
    let received = 0;
    try {
      for await (const chunk of stream) {
        received += chunk.choices[0]?.delta.content ? 1 : 0;
        if (received === 5) controller.abort();
      }
    } catch {
      // The SDK may end the iteration or throw on abort; either way the gateway saw the client go.
    }
    expect(received).toBeLessThan(50);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const row = await stack.lastRow();
    expect(row).toMatchObject({ streamed: true, clientAborted: true, usageEstimated: true, errorCode: 'client_aborted' });
    expect(row.inputTokens).toBeGreaterThan(0);
    expect(row.outputTokens).toBeGreaterThanOrEqual(5);
    expect(row.outputTokens).toBeLessThan(400);
    expect(row.costTotalUsd).toBeGreaterThan(0);
  });
});

describe('openai SDK → Anthropic and Gemini upstreams (translated)', () => {
  it('translates a chat to Claude and meters cache reads and both cache-write durations', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'claude-sonnet-4-5', max_tokens: 300, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: `Hi ${emu({ reply: 'Hi!', usage: { input: 50, cache_read: 2000, cache_write_5m: 1000, cache_write_1h: 500, output: 100 } })}` }] })
      .withResponse();
    expect(data.object).toBe('chat.completion');
    expect(data.model).toBe('claude-sonnet-4-5');
    expect(data.choices[0]?.message.content).toBe('Hi!');
    expect(data.choices[0]?.finish_reason).toBe('stop');
    expect(data.usage).toMatchObject({ prompt_tokens: 3550, completion_tokens: 100, prompt_tokens_details: { cached_tokens: 2000 } });
    const upstream = stack.emulator.requests.at(-1);
    expect(upstream?.path).toBe('/v1/messages');
    expect(upstream?.body).toMatchObject({ model: 'claude-sonnet-4-5', max_tokens: 300, system: 'Be brief.' });
    const [row] = await stack.rowsOf(response.headers.get('x-jevons-request-id') ?? '');
    expect(row).toMatchObject({ provider: 'anthropic', inputTokens: 50, cacheReadTokens: 2000, cacheWrite5mTokens: 1000, cacheWrite1hTokens: 500, outputTokens: 100 });
    expect(row?.costInputUsd).toBeCloseTo(0.00015, 12);
    expect(row?.costCacheReadUsd).toBeCloseTo(0.0006, 12);
    expect(row?.costCacheWriteUsd).toBeCloseTo(0.00675, 12);
    expect(row?.costOutputUsd).toBeCloseTo(0.0015, 12);
    expect(row?.costTotalUsd).toBeCloseTo(0.009, 12);
    expect(response.headers.get('x-jevons-cost-usd')).toBe('0.009');
  });

  it('streams from Claude as OpenAI chunks, tools included', async () => {
    const stream = client.chat.completions.stream({
      model: 'claude-sonnet-4-5',
      stream_options: { include_usage: true },
      tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { id: { type: 'string' } } } } }],
      messages: [{ role: 'user', content: `Find ${emu({ reply: 'Looking it up.', tool_calls: [{ name: 'lookup', arguments: { id: 'A-1' } }], usage: { input: 30, output: 12 } })}` }],
    });
    const final = await stream.finalChatCompletion();
    const message = final.choices[0]?.message;
    expect(message?.content).toBe('Looking it up.');
    const call = message?.tool_calls?.[0];
    expect(call?.type === 'function' && [call.function.name, JSON.parse(call.function.arguments)]).toEqual(['lookup', { id: 'A-1' }]);
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
    expect(final.usage).toMatchObject({ prompt_tokens: 30, completion_tokens: 12 });
    expect(await stack.lastRow()).toMatchObject({ provider: 'anthropic', streamed: true, inputTokens: 30, outputTokens: 12, usageEstimated: false });
  });

  it('translates to Gemini: thoughts are billed as output, cached content is inside the prompt count', async () => {
    const completion = await client.chat.completions.create({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: `Think ${emu({ reply: 'Done.', thinking: 'hmm', usage: { input: 200, cache_read: 100, output: 300, reasoning: 120 } })}` }] });
    expect(completion.choices[0]?.message.content).toBe('Done.');
    expect(completion.usage).toMatchObject({ prompt_tokens: 300, completion_tokens: 300, prompt_tokens_details: { cached_tokens: 100 }, completion_tokens_details: { reasoning_tokens: 120 } });
    const row = await stack.lastRow();
    expect(row).toMatchObject({ provider: 'gemini', inputTokens: 200, cacheReadTokens: 100, outputTokens: 300, reasoningTokens: 120 });
    expect(row.costTotalUsd).toBeCloseTo(0.000813, 12);
  });

  it('rejects what cannot be translated with a 400 naming the field', async () => {
    const error = await client.chat.completions.create({ model: 'claude-sonnet-4-5', n: 2, messages: [{ role: 'user', content: 'hi' }] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).message).toContain('n');
  });
});

/**
 * The real `@anthropic-ai/sdk` against the gateway and the emulator. Prices used (bundled):
 *   claude-sonnet-4-5: $3 input, $0.30 read, $3.75 write 5m, $6 write 1h, $15 output per Mtok
 *   claude-haiku-4-5: $1 input, $0.10 read, $1.25 write 5m, $2 write 1h, $5 output
 *   gpt-4o-mini: $0.15 input, $0.075 cache read, $0.60 output
 */
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emu, startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let client: Anthropic;

beforeAll(async () => {
  stack = await startStack();
  client = new Anthropic({ baseURL: stack.anthropicBaseUrl, apiKey: 'unused', maxRetries: 0, defaultHeaders: { 'x-jevons-feature': 'e2e-anthropic', 'x-jevons-tags': 'team=search, env=test' } });
});
afterAll(() => stack.close());

describe('@anthropic-ai/sdk → Anthropic upstream (fast path)', () => {
  it('forwards cache_control untouched and meters input excluding cache reads and writes', async () => {
    const { data, response } = await client.messages
      .create({
        model: 'claude-sonnet-4-5',
        max_tokens: 200,
        metadata: { user_id: 'user-7' },
        system: [{ type: 'text', text: 'A long stable system prompt.', cache_control: { type: 'ephemeral', ttl: '1h' } }],
        messages: [{ role: 'user', content: [{ type: 'text', text: `Hi ${emu({ reply: 'Hello!', usage: { input: 50, cache_read: 2000, cache_write_5m: 1000, cache_write_1h: 500, output: 100 } })}`, cache_control: { type: 'ephemeral' } }] }],
      })
      .withResponse();
    expect(data.content).toEqual([{ type: 'text', text: 'Hello!', citations: null }].map((block) => expect.objectContaining({ type: block.type, text: block.text })));
    expect(data.usage).toMatchObject({ input_tokens: 50, cache_read_input_tokens: 2000, cache_creation_input_tokens: 1500, output_tokens: 100 });
    const sent = stack.emulator.requests.at(-1)?.body as { system: unknown; messages: Array<{ content: unknown }> };
    expect(sent.system).toEqual([{ type: 'text', text: 'A long stable system prompt.', cache_control: { type: 'ephemeral', ttl: '1h' } }]);
    expect(JSON.stringify(sent.messages[0]?.content)).toContain('"cache_control":{"type":"ephemeral"}');
    const [row] = await stack.rowsOf(response.headers.get('x-jevons-request-id') ?? '');
    expect(row).toMatchObject({
      dialect: 'anthropic', endpoint: 'messages', provider: 'anthropic', status: 200,
      inputTokens: 50, cacheReadTokens: 2000, cacheWrite5mTokens: 1000, cacheWrite1hTokens: 500, outputTokens: 100, usageEstimated: false,
      attribution: expect.objectContaining({ feature: 'e2e-anthropic', user: 'user-7', tags: { team: 'search', env: 'test' } }),
    });
    expect(row?.costTotalUsd).toBeCloseTo(0.009, 12);
    // Without the prompt cache all 3,550 prompt tokens are plain input: $3/Mtok x 3,550 + $15/Mtok x 100.
    expect(row?.costUncachedUsd).toBeCloseTo(0.01215, 12);
    expect(row?.cacheSource).toBeNull();
    expect(response.headers.get('x-jevons-cost-usd')).toBe('0.009');
  });

  it('streams every event type (thinking, text, tool_use) and meters the cumulative usage', async () => {
    const stream = client.messages.stream({
      model: 'claude-haiku-4-5',
      max_tokens: 500,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      tools: [{ name: 'lookup', input_schema: { type: 'object', properties: { id: { type: 'string' } } } }],
      messages: [{ role: 'user', content: `Go ${emu({ thinking: 'Let me think.', reply: 'Checking.', tool_calls: [{ name: 'lookup', arguments: { id: 'Z-9' } }], usage: { input: 120, cache_read: 300, output: 64 } })}` }],
    });
    const seen = new Set<string>();
    stream.on('streamEvent', (event) => seen.add(event.type));
    const message = await stream.finalMessage();
    expect(message.content.map((block) => block.type)).toEqual(['thinking', 'text', 'tool_use']);
    const toolUse = message.content.find((block) => block.type === 'tool_use');
    expect(toolUse && toolUse.type === 'tool_use' && toolUse.input).toEqual({ id: 'Z-9' });
    expect(message.stop_reason).toBe('tool_use');
    expect([...seen]).toEqual(expect.arrayContaining(['message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']));
    const row = await stack.lastRow();
    expect(row).toMatchObject({ streamed: true, inputTokens: 120, cacheReadTokens: 300, outputTokens: 64, usageEstimated: false });
    expect(row.costTotalUsd).toBeCloseTo((120 * 1 + 300 * 0.1 + 64 * 5) / 1e6, 12);
  });

  it('counts tokens through the upstream without billing', async () => {
    const result = await client.messages.countTokens({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'How many tokens is this?' }] });
    expect(result.input_tokens).toBeGreaterThan(0);
    expect(await stack.lastRow()).toMatchObject({ endpoint: 'count_tokens', costTotalUsd: null, inputTokens: 0 });
  });

  it('passes an overloaded (529) error through in Anthropic shape', async () => {
    const error = await client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: `x ${emu({ error: { status: 529 } })}` }] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect((error as InstanceType<typeof Anthropic.APIError>).status).toBe(529);
    expect(JSON.stringify((error as InstanceType<typeof Anthropic.APIError>).error)).toContain('overloaded_error');
    expect(await stack.lastRow()).toMatchObject({ status: 529, errorCode: 'upstream_server_error' });
  });
});

describe('@anthropic-ai/sdk → OpenAI upstream (translated)', () => {
  it('translates a message to gpt-4o-mini and back, usage mapped to Anthropic semantics', async () => {
    const message = await client.messages.create({ model: 'gpt-4o-mini', max_tokens: 100, system: 'Be brief.', messages: [{ role: 'user', content: `Hi ${emu({ reply: 'Hey.', usage: { input: 100, cache_read: 1024, output: 20 } })}` }] });
    expect(message.type).toBe('message');
    expect(message.model).toBe('gpt-4o-mini');
    expect(message.content[0]).toMatchObject({ type: 'text', text: 'Hey.' });
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage).toMatchObject({ input_tokens: 100, cache_read_input_tokens: 1024, output_tokens: 20 });
    const sent = stack.emulator.requests.at(-1);
    expect(sent?.path).toBe('/v1/chat/completions');
    expect((sent?.body as { messages: unknown[] }).messages[0]).toEqual({ role: 'system', content: 'Be brief.' });
    const row = await stack.lastRow();
    expect(row).toMatchObject({ dialect: 'anthropic', provider: 'openai', inputTokens: 100, cacheReadTokens: 1024, outputTokens: 20 });
    expect(row.costTotalUsd).toBeCloseTo(0.0001038, 12);
  });

  it('streams an OpenAI tool call back as Anthropic tool_use events', async () => {
    const stream = client.messages.stream({
      model: 'gpt-4o-mini',
      max_tokens: 100,
      tools: [{ name: 'lookup', input_schema: { type: 'object', properties: { id: { type: 'string' } } } }],
      messages: [{ role: 'user', content: `Find ${emu({ tool_calls: [{ name: 'lookup', arguments: { id: 'Q-2' } }], usage: { input: 33, output: 9 } })}` }],
    });
    const message = await stream.finalMessage();
    const toolUse = message.content.find((block) => block.type === 'tool_use');
    expect(toolUse && toolUse.type === 'tool_use' && [toolUse.name, toolUse.input]).toEqual(['lookup', { id: 'Q-2' }]);
    expect(message.stop_reason).toBe('tool_use');
    expect(message.usage).toMatchObject({ output_tokens: 9 });
    expect(await stack.lastRow()).toMatchObject({ provider: 'openai', streamed: true, inputTokens: 33, outputTokens: 9, usageEstimated: false });
  });

  it('renders an upstream OpenAI 429 as an Anthropic rate_limit_error', async () => {
    const error = await client.messages.create({ model: 'gpt-4o-mini', max_tokens: 10, messages: [{ role: 'user', content: `x ${emu({ error: { status: 429, retry_after: 3 } })}` }] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    expect(JSON.stringify((error as InstanceType<typeof Anthropic.APIError>).error)).toContain('rate_limit_error');
  });

  it('counts tokens locally for a model whose provider has no count endpoint', async () => {
    const result = await client.messages.countTokens({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello world' }] });
    expect(result.input_tokens).toBeGreaterThan(0);
  });
});

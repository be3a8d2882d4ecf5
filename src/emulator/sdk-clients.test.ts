/** The official SDKs parse the emulator's wire output: the strongest check that the shapes are faithful. */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prompt } from './emulator-test-helpers.js';
import { startEmulator, type RunningEmulator } from './index.js';

let emulator: RunningEmulator;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  emulator = await startEmulator();
  openai = new OpenAI({ apiKey: 'sk-test', baseURL: `${emulator.url}/v1`, maxRetries: 0 });
  anthropic = new Anthropic({ apiKey: 'sk-ant-test', baseURL: emulator.url, maxRetries: 0 });
});
afterAll(async () => {
  await emulator.close();
});

describe('openai SDK', () => {
  it('streams a chat completion with tool calls and usage', async () => {
    const directive = { reply: 'Calling', tool_calls: [{ name: 'f', arguments: { x: 'long enough value' } }], usage: { input: 12, output: 9 } };
    const stream = await openai.chat.completions.create({
      model: 'gpt-4o',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: prompt(directive) }],
    });
    let text = '';
    let args = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      args += chunk.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? '';
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe('Calling');
    expect(JSON.parse(args)).toEqual({ x: 'long enough value' });
    expect(usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 9 });
  });

  it('decodes base64 embeddings (the SDK default) and reads Responses streams', async () => {
    const embedding = await openai.embeddings.create({ model: 'text-embedding-3-small', input: 'hi', dimensions: 4 });
    expect(embedding.data[0]?.embedding).toHaveLength(4);
    const stream = await openai.responses.create({ model: 'gpt-5', input: prompt({ reply: 'Hello world' }), stream: true });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types.at(-1)).toBe('response.completed');
    const final = await openai.responses.create({ model: 'gpt-5', input: prompt({ reply: 'Hello world' }) });
    expect(final.output_text).toBe('Hello world');
  });

  it('surfaces scripted errors as typed SDK errors', async () => {
    const failing = openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: prompt({ error: { status: 429 } }) }] });
    await expect(failing).rejects.toBeInstanceOf(OpenAI.RateLimitError);
  });
});

describe('@anthropic-ai/sdk', () => {
  it('accumulates a streamed message with thinking and tool use', async () => {
    const directive = { thinking: 'Think first', reply: 'Sure', tool_calls: [{ name: 'lookup', arguments: { id: 42 } }], usage: { input: 5, cache_read: 7, output: 11 } };
    const stream = anthropic.messages.stream({ model: 'claude-test-model', max_tokens: 512, messages: [{ role: 'user', content: prompt(directive) }] });
    const message = await stream.finalMessage();
    expect(message.content.map((block) => block.type)).toEqual(['thinking', 'text', 'tool_use']);
    expect(message.content[2]).toMatchObject({ type: 'tool_use', name: 'lookup', input: { id: 42 } });
    expect(message.stop_reason).toBe('tool_use');
    expect(message.usage).toMatchObject({ input_tokens: 5, cache_read_input_tokens: 7, output_tokens: 11 });
  });

  it('surfaces overloaded errors and counts tokens', async () => {
    const failing = anthropic.messages.create({ model: 'claude', max_tokens: 10, messages: [{ role: 'user', content: prompt({ error: { status: 529 } }) }] });
    await expect(failing).rejects.toMatchObject({ status: 529 });
    const counted = await anthropic.messages.countTokens({ model: 'claude', messages: [{ role: 'user', content: 'hello' }] });
    expect(counted.input_tokens).toBeGreaterThan(0);
  });
});

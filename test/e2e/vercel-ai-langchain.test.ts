/**
 * Vercel `ai` (with @ai-sdk/openai and @ai-sdk/anthropic) and LangChain's ChatOpenAI against the gateway: the clients
 * most apps use, each asserting the ledger row the call produced.
 */
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { ChatOpenAI } from '@langchain/openai';
import { generateText, jsonSchema, streamText, tool } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emu, startStack, type Stack } from '../support/stack.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

describe('Vercel ai', () => {
  it('generateText over chat completions (provider.chat) with a tool call', async () => {
    const openai = createOpenAI({ baseURL: stack.openaiBaseUrl, apiKey: 'unused', headers: { 'x-jevons-feature': 'vercel' } });
    const result = await generateText({
      model: openai.chat('gpt-4o-mini'),
      tools: { weather: tool({ description: 'weather', inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }) }) },
      prompt: `Weather? ${emu({ tool_calls: [{ name: 'weather', arguments: { city: 'Oslo' } }], usage: { input: 60, output: 15 } })}`,
    });
    expect(result.toolCalls.map((call) => [call.toolName, call.input])).toEqual([['weather', { city: 'Oslo' }]]);
    expect(result.usage.inputTokens).toBe(60);
    expect(await stack.lastRow()).toMatchObject({ endpoint: 'chat', inputTokens: 60, outputTokens: 15, attribution: expect.objectContaining({ feature: 'vercel' }) });
  });

  it('streamText over the Responses API (provider(model)) is passed through and metered', async () => {
    const openai = createOpenAI({ baseURL: stack.openaiBaseUrl, apiKey: 'unused' });
    const result = streamText({ model: openai('gpt-4o-mini'), prompt: `Say hi ${emu({ reply: 'hi from responses', usage: { input: 21, cache_read: 0, output: 3, reasoning: 0 } })}` });
    let text = '';
    for await (const delta of result.textStream) text += delta;
    expect(text).toBe('hi from responses');
    const row = await stack.lastRow();
    expect(row).toMatchObject({ endpoint: 'responses', streamed: true, inputTokens: 21, outputTokens: 3, usageEstimated: false });
    expect(row.costTotalUsd).toBeCloseTo((21 * 0.15 + 3 * 0.6) / 1e6, 12);
  });

  it('@ai-sdk/anthropic streams from Claude with its own anthropic-version forwarded', async () => {
    const anthropic = createAnthropic({ baseURL: `${stack.anthropicBaseUrl}/v1`, apiKey: 'unused' });
    const result = streamText({ model: anthropic('claude-haiku-4-5'), prompt: `Hello ${emu({ reply: 'Hello back', usage: { input: 10, cache_write_5m: 2048, output: 2 } })}` });
    let text = '';
    for await (const delta of result.textStream) text += delta;
    expect(text).toBe('Hello back');
    expect(stack.emulator.requests.at(-1)?.headers['anthropic-version']).toBe('2023-06-01');
    const row = await stack.lastRow();
    expect(row).toMatchObject({ provider: 'anthropic', inputTokens: 10, cacheWrite5mTokens: 2048, outputTokens: 2 });
    expect(row.costTotalUsd).toBeCloseTo((10 * 1 + 2048 * 1.25 + 2 * 5) / 1e6, 12);
  });

  it('@ai-sdk/anthropic generateText against an OpenAI model (translated)', async () => {
    const anthropic = createAnthropic({ baseURL: `${stack.anthropicBaseUrl}/v1`, apiKey: 'unused' });
    const result = await generateText({ model: anthropic('gpt-4o-mini'), prompt: `Hi ${emu({ reply: 'translated', usage: { input: 9, output: 1 } })}` });
    expect(result.text).toBe('translated');
    expect(await stack.lastRow()).toMatchObject({ dialect: 'anthropic', provider: 'openai', inputTokens: 9, outputTokens: 1 });
  });
});

describe('LangChain ChatOpenAI', () => {
  it('invokes and streams through the gateway', async () => {
    const model = new ChatOpenAI({ model: 'gpt-4o-mini', apiKey: 'unused', configuration: { baseURL: stack.openaiBaseUrl }, maxRetries: 0 });
    const message = await model.invoke(`Hi ${emu({ reply: 'from langchain', usage: { input: 14, output: 2 } })}`);
    expect(message.content).toBe('from langchain');
    expect(await stack.lastRow()).toMatchObject({ inputTokens: 14, outputTokens: 2, streamed: false });
    let streamed = '';
    for await (const chunk of await model.stream(`Stream ${emu({ reply: 'a b c', usage: { input: 8, output: 3 } })}`)) streamed += String(chunk.content);
    expect(streamed).toBe('a b c');
    expect(await stack.lastRow()).toMatchObject({ inputTokens: 8, outputTokens: 3, streamed: true, usageEstimated: false });
  });
});

/**
 * Agent circuit breakers end to end: the real `openai` and `@anthropic-ai/sdk` clients play an agent stuck in a loop
 * (the same tool call answered the same way, sent turn by turn as agents do) against the gateway and the emulator.
 * The loop is refused with a 429 breaker error in the caller's dialect, streaming and not, and the trip is recorded.
 */
import { readFileSync } from 'node:fs';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;
const logs: string[] = [];

const fixture = (name: string): { messages: unknown[] } & Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../../src/policies/breakers/__fixtures__/${name}`, import.meta.url), 'utf8')) as { messages: unknown[] } & Record<string, unknown>;

beforeAll(async () => {
  stack = await startStack({
    logs,
    config: {
      breakers: [
        { name: 'agent-loops', loops: { repeated_tool_call: 3 } },
      ],
    },
  });
});
afterAll(() => stack.close());

/** Governance events the gateway logged for a session. */
const eventsOf = (session: string) =>
  logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => typeof entry.event === 'string' && entry.session === session);

const openai = (session: string) => new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: 'unused', maxRetries: 0, defaultHeaders: { 'x-jevons-session': session } });
const anthropic = (session: string) => new Anthropic({ baseURL: stack.anthropicBaseUrl, apiKey: 'unused', maxRetries: 0, defaultHeaders: { 'x-jevons-session': session } });

describe.each([false, true])('breakers, stream: %s', (stream) => {
  it('openai: an agent repeating the same tool call is served, then refused with breaker_open', async () => {
    const session = `oa-loop-${String(stream)}`;
    const client = openai(session);
    const body = fixture('openai-repeated-tool-call.json');
    const send = async (count: number) => {
      const params = { model: 'gpt-4o-mini', tools: body.tools, messages: body.messages.slice(0, count) } as OpenAI.ChatCompletionCreateParamsNonStreaming;
      if (!stream) return client.chat.completions.create(params);
      const chunks = [];
      for await (const chunk of await client.chat.completions.create({ ...params, stream: true })) chunks.push(chunk);
      return chunks;
    };
    // system + user, then one and two rounds of get_weather: served.
    for (const count of [2, 4, 6]) await send(count);
    const error = await send(8).then(() => null, (thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    const apiError = error as InstanceType<typeof OpenAI.APIError>;
    expect(apiError.status).toBe(429);
    expect(apiError.headers?.get('retry-after')).toBe('900');
    expect(apiError.error).toMatchObject({
      type: 'rate_limit_error', code: 'breaker_open',
      message: expect.stringContaining(`Circuit breaker "agent-loops" is open for session "${session}": tool "get_weather" called 3 times`),
      jevons: { breaker: 'agent-loops', session, kind: 'repeated_tool_call', tool: 'get_weather' },
    });
    // Tripped: the next request of the session is refused as well, before anything is sent upstream.
    const upstreamBefore = stack.emulator.requests.length;
    await expect(send(2)).rejects.toMatchObject({ status: 429 });
    expect(stack.emulator.requests.length).toBe(upstreamBefore);
    const events = eventsOf(session);
    expect(events.map((event) => event.event)).toEqual(['breaker_trip', 'breaker_trip']);
    expect(events[0]).toMatchObject({ name: 'agent-loops', level: 'warn', costUsd: expect.any(Number) });
    expect(events[0]?.costUsd).toBeGreaterThan(0);
  });

  it('anthropic: the same loop in the Anthropic dialect is refused with a rate_limit_error naming the breaker', async () => {
    const session = `an-loop-${String(stream)}`;
    const client = anthropic(session);
    const body = fixture('anthropic-repeated-tool-call.json');
    const send = async (count: number) => {
      const params = { model: 'claude-sonnet-4-5', max_tokens: 256, system: body.system, tools: body.tools, messages: body.messages.slice(0, count) } as Anthropic.MessageCreateParamsNonStreaming;
      if (!stream) return client.messages.create(params);
      const events = [];
      for await (const event of await client.messages.create({ ...params, stream: true })) events.push(event);
      return events;
    };
    for (const count of [1, 3, 5]) await send(count);
    const error = await send(7).then(() => null, (thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    const apiError = error as InstanceType<typeof Anthropic.APIError>;
    expect(apiError.status).toBe(429);
    expect(apiError.error).toMatchObject({
      type: 'error',
      error: { type: 'rate_limit_error', message: expect.stringContaining('Circuit breaker "agent-loops"'), jevons: { breaker: 'agent-loops', session, kind: 'repeated_tool_call' } },
    });
    expect(eventsOf(session)).toEqual([expect.objectContaining({ event: 'breaker_trip', name: 'agent-loops', requestId: apiError.headers?.get('x-jevons-request-id') ?? expect.any(String) })]);
  });
});

describe('breakers: warn and legitimate sessions', () => {
  it('a legitimate long session (34 tool rounds, turn by turn) is never refused nor warned', async () => {
    const session = 'legit-1';
    const client = anthropic(session);
    const body = fixture('anthropic-legit-long-session.json');
    for (let count = 1; count <= body.messages.length; count += 2) {
      const { response } = await client.messages
        .create({ model: 'claude-sonnet-4-5', max_tokens: 256, system: body.system, tools: body.tools, messages: body.messages.slice(0, count) } as Anthropic.MessageCreateParamsNonStreaming)
        .withResponse();
      expect(response.headers.get('x-jevons-breaker-warning')).toBeNull();
    }
    expect(eventsOf(session)).toEqual([]);
  });

});

describe('breakers: action warn', () => {
  let warnStack: Stack;
  const warnLogs: string[] = [];
  beforeAll(async () => {
    warnStack = await startStack({ logs: warnLogs, config: { breakers: [{ name: 'watch', max_calls: 2, action: 'warn' }] } });
  });
  afterAll(() => warnStack.close());

  it.each([false, true])('serves past the limit and says why in x-jevons-breaker-warning (stream: %s)', async (stream) => {
    const session = `warned-${String(stream)}`;
    const client = new OpenAI({ baseURL: warnStack.openaiBaseUrl, apiKey: 'unused', maxRetries: 0, defaultHeaders: { 'x-jevons-session': session } });
    const ask = (index: number) => client.chat.completions.create({ model: 'gpt-4o-mini', stream, messages: [{ role: 'user', content: `Question ${index}: name a prime above ${index * 10}.` }] }).withResponse();
    for (const index of [1, 2]) expect((await ask(index)).response.headers.get('x-jevons-breaker-warning')).toBeNull();
    const { response } = await ask(3);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-jevons-breaker-warning')).toBe('watch: 2 calls in the session (max_calls 2)');
    const events = warnLogs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry.session === session);
    expect(events).toEqual([expect.objectContaining({ event: 'breaker_warn', name: 'watch', scope: `session=${session}` })]);
  });
});

describe('breakers: actions warn and shadow in the Anthropic dialect', () => {
  let otherStack: Stack;
  const otherLogs: string[] = [];
  beforeAll(async () => {
    otherStack = await startStack({
      logs: otherLogs,
      config: { breakers: [{ name: 'watch', max_calls: 2, action: 'warn' }, { name: 'dry-run', max_calls: 1, action: 'shadow' }] },
    });
  });
  afterAll(() => otherStack.close());

  it.each([false, true])('serves past both limits: warn says why in a header, shadow only records (stream: %s)', async (stream) => {
    const session = `anthropic-watched-${String(stream)}`;
    const client = new Anthropic({ baseURL: otherStack.anthropicBaseUrl, apiKey: 'unused', maxRetries: 0, defaultHeaders: { 'x-jevons-session': session } });
    const ask = async (index: number) => {
      const request = { model: 'claude-haiku-4-5', max_tokens: 50, messages: [{ role: 'user' as const, content: `Question ${index}: name a prime above ${index * 10}.` }] };
      if (!stream) return (await client.messages.create(request).withResponse()).response;
      const { data, response } = await client.messages.create({ ...request, stream: true }).withResponse();
      for await (const event of data) void event;
      return response;
    };
    for (const index of [1, 2]) expect((await ask(index)).headers.get('x-jevons-breaker-warning')).toBeNull();
    const response = await ask(3);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-jevons-breaker-warning')).toBe('watch: 2 calls in the session (max_calls 2)');
    const events = otherLogs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry.session === session);
    expect(events.filter((entry) => entry.event === 'breaker_warn')).toEqual([expect.objectContaining({ name: 'watch' })]);
    // The shadow breaker (max 1 call) caught calls 2 and 3 without a header or a refusal.
    expect(events.filter((entry) => entry.event === 'breaker_shadow')).toEqual([expect.objectContaining({ name: 'dry-run' }), expect.objectContaining({ name: 'dry-run' })]);
  });
});

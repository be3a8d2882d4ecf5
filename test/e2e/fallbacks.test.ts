/**
 * Fallbacks, retries and provider health end to end: the real `openai` and `@anthropic-ai/sdk` clients, the gateway's
 * dispatcher and attempt loop, the emulator injecting the failures (per-model directives, fail_times, resets), and a
 * test-only routing policy that sets the candidates (test/support/routing-stack.ts). Waits are recorded, not slept.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emu, routeHeader, startRoutingStack, type RoutingStack } from '../support/routing-stack.js';
import { startStack } from '../support/stack.js';

let stack: RoutingStack;
let openai: OpenAI;
let anthropic: Anthropic;
let counter = 0;

beforeAll(async () => {
  stack = await startRoutingStack({
    routing: {
      fallbacks: { max_attempts: 3, backoff_initial: '100ms', backoff_max: '1s', max_retry_after: '5s' },
      // High: these tests fail providers on purpose; the circuit has its own stack below.
      health: { failure_threshold: 1000 },
    },
    providers: (emulator) => [
      { name: 'openai', type: 'openai', base_url: `${emulator.url}/v1`, api_key: 'sk-emulated' },
      { name: 'anthropic', type: 'anthropic', base_url: emulator.url, api_key: 'sk-ant-emulated' },
      { name: 'slow', type: 'anthropic', base_url: emulator.url, api_key: 'sk-ant-emulated', timeouts: { first_byte_ms: 200 } },
      { name: 'down', type: 'openai', base_url: 'http://127.0.0.1:9/v1', api_key: 'sk-emulated', timeouts: { connect_ms: 1_000 } },
    ],
  });
  openai = new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: 'sk-test', maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: stack.anthropicBaseUrl, apiKey: 'sk-test', maxRetries: 0 });
});
afterAll(() => stack.close());

/** A prompt no other test sends, so fail_times counters never collide. */
const prompt = (directive: Record<string, unknown>) => `Question ${++counter} ${emu(directive)}`;
const upstreamModels = (from: number) => stack.emulator.requests.slice(from).map((request) => (request.body as { model?: string } | null)?.model ?? request.path);

async function openaiChat(candidates: Array<[string, string]>, directive: Record<string, unknown>, extra: Partial<OpenAI.ChatCompletionCreateParamsNonStreaming> = {}) {
  const [first] = candidates;
  return openai.chat.completions.create({ model: first?.[1] ?? 'gpt-4o-mini', messages: [{ role: 'user', content: prompt(directive) }], ...extra }, { headers: routeHeader(candidates) }).withResponse();
}

describe('fallback to the next candidate on each retryable error (openai SDK, same wire)', () => {
  const cases: Array<{ name: string; failure: Record<string, unknown>; reason: string; status: number }> = [
    { name: '429 with retry-after', failure: { error: { status: 429, retry_after: 2 } }, reason: 'rate_limited', status: 429 },
    { name: '500', failure: { error: { status: 500 } }, reason: 'server_error', status: 500 },
    { name: '502', failure: { error: { status: 502 } }, reason: 'server_error', status: 502 },
    { name: '503', failure: { error: { status: 503 } }, reason: 'server_error', status: 503 },
    { name: '504', failure: { error: { status: 504 } }, reason: 'server_error', status: 504 },
    { name: '408', failure: { error: { status: 408 } }, reason: 'timeout', status: 408 },
    { name: 'connection reset', failure: { reset: true }, reason: 'connection', status: 0 },
  ];
  for (const testCase of cases) {
    it(testCase.name, async () => {
      const from = stack.emulator.requests.length;
      const { data, response } = await openaiChat(
        [
          ['openai', 'gpt-4o-mini'],
          ['openai', 'gpt-4.1-mini'],
        ],
        { reply: 'from the fallback', usage: { input: 10, output: 3 }, models: { 'gpt-4o-mini': testCase.failure } },
      );
      expect(data.choices[0]?.message.content).toBe('from the fallback');
      expect(response.headers.get('x-jevons-attempts')).toBe('2');
      expect(response.headers.get('x-jevons-served-by')).toBe('openai/gpt-4.1-mini');
      expect(upstreamModels(from)).toEqual(['gpt-4o-mini', 'gpt-4.1-mini']);
      const call = await stack.callOf(response.headers.get('x-jevons-request-id'));
      expect(call.attempts.map((attempt) => [attempt.upstreamModel, attempt.status, attempt.followsReason ?? null])).toEqual([
        ['gpt-4o-mini', testCase.status, null],
        ['gpt-4.1-mini', 200, testCase.reason],
      ]);
      // A different candidate is tried at once, whatever retry-after the first one sent.
      expect(stack.waits).toEqual([]);
      // Both attempts are metered and linked by the request id; the refused one costs nothing.
      const rows = stack.rows.filter((row) => row.requestId === call.requestId);
      expect(rows.map((row) => [row.attempt, row.provider, row.status])).toEqual([
        [1, 'openai', testCase.status],
        [2, 'openai', 200],
      ]);
      expect(rows[0]).toMatchObject({ attempt: 1, status: testCase.status, outputTokens: 0 });
      expect(rows[1]).toMatchObject({ attempt: 2, status: 200, outputTokens: 3 });
    });
  }

  it('a first-byte timeout falls over to the next candidate', async () => {
    // The same model on a provider with a 200 ms first-byte limit, then on one without: the first request is slow.
    const { data, response } = await anthropic.messages
      .create(
        { model: 'claude-haiku-4-5', max_tokens: 20, messages: [{ role: 'user', content: prompt({ reply: 'not too late', latency_ms: 1_500, fail_times: 1 }) }] },
        { headers: routeHeader([['slow', 'claude-haiku-4-5'], ['anthropic', 'claude-haiku-4-5']]) },
      )
      .withResponse();
    expect(data.content[0]).toMatchObject({ type: 'text', text: 'not too late' });
    const call = await stack.callOf(response.headers.get('x-jevons-request-id'));
    expect(call.attempts.map((attempt) => [attempt.provider, attempt.errorCode, attempt.followsReason ?? null])).toEqual([
      ['slow', 'upstream_timeout', null],
      ['anthropic', null, 'timeout'],
    ]);
  });

  it('a refused connection falls over to the next candidate', async () => {
    const { data, response } = await openaiChat(
      [
        ['down', 'gpt-4o-mini'],
        ['openai', 'gpt-4o-mini'],
      ],
      { reply: 'reachable' },
    );
    expect(data.choices[0]?.message.content).toBe('reachable');
    const call = await stack.callOf(response.headers.get('x-jevons-request-id'));
    expect(call.attempts.map((attempt) => [attempt.provider, attempt.errorCode, attempt.followsReason ?? null])).toEqual([
      ['down', 'upstream_unreachable', null],
      ['openai', null, 'connection'],
    ]);
  });
});

describe('fallback with the anthropic SDK (across wires)', () => {
  for (const status of [429, 500, 502, 503, 504, 529]) {
    it(`${status} on Anthropic → the OpenAI candidate, answered in Anthropic shape`, async () => {
      const { data, response } = await anthropic.messages
        .create(
          { model: 'claude-haiku-4-5', max_tokens: 50, messages: [{ role: 'user', content: prompt({ reply: 'translated fallback', models: { 'claude-haiku-4-5': { error: { status, retry_after: 1 } } } }) }] },
          { headers: routeHeader([['anthropic', 'claude-haiku-4-5'], ['openai', 'gpt-4o-mini']]) },
        )
        .withResponse();
      expect(data.type).toBe('message');
      expect(data.content[0]).toMatchObject({ type: 'text', text: 'translated fallback' });
      expect(response.headers.get('x-jevons-served-by')).toBe('openai/gpt-4o-mini');
      const call = await stack.callOf(response.headers.get('x-jevons-request-id'));
      expect(call.attempts.map((attempt) => [attempt.provider, attempt.status, attempt.followsReason ?? null])).toEqual([
        ['anthropic', status, null],
        ['openai', 200, status === 429 ? 'rate_limited' : 'server_error'],
      ]);
    });
  }

  it('when every candidate fails the client gets the last failure in its own dialect', async () => {
    const error = await anthropic.messages
      .create(
        { model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user', content: prompt({ models: { 'claude-haiku-4-5': { error: { status: 529 } }, 'gpt-4o-mini': { error: { status: 503 } } } }) }] },
        { headers: routeHeader([['anthropic', 'claude-haiku-4-5'], ['openai', 'gpt-4o-mini']]) },
      )
      .catch((caught: unknown) => caught);
    // Three attempts: anthropic (529), openai (503), then anthropic again after a backoff: its 529 is the last word.
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect((error as InstanceType<typeof Anthropic.APIError>).status).toBe(529);
    expect(JSON.stringify((error as InstanceType<typeof Anthropic.APIError>).error)).toContain('overloaded_error');
    expect((error as InstanceType<typeof Anthropic.APIError>).headers?.get('x-jevons-attempts')).toBe('3');
  });
});

describe('never retried', () => {
  for (const status of [400, 401, 404, 413, 422]) {
    it(`${status} goes straight back to the caller, one attempt`, async () => {
      const from = stack.emulator.requests.length;
      const error = await openaiChat(
        [
          ['openai', 'gpt-4o-mini'],
          ['openai', 'gpt-4.1-mini'],
        ],
        { error: { status } },
      ).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OpenAI.APIError);
      expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(status);
      expect(stack.emulator.requests.length - from).toBe(1);
    });
  }
});

describe('retries on the same candidate: backoff, retry-after, max_attempts', () => {
  it('backs off exponentially with full jitter (jitter 0.5: 50 ms, then 100 ms)', async () => {
    stack.waits.length = 0;
    const { data, response } = await openaiChat([['openai', 'gpt-4o-mini']], { reply: 'third time', error: { status: 500 }, fail_times: 2 });
    expect(data.choices[0]?.message.content).toBe('third time');
    expect(response.headers.get('x-jevons-attempts')).toBe('3');
    expect(stack.waits).toEqual([50, 100]);
  });

  it('honours retry-after (seconds) on the only candidate', async () => {
    stack.waits.length = 0;
    const { data } = await openaiChat([['openai', 'gpt-4o-mini']], { reply: 'after the wait', error: { status: 429, retry_after: 2 }, fail_times: 1 });
    expect(data.choices[0]?.message.content).toBe('after the wait');
    expect(stack.waits).toEqual([2_000]);
  });

  it('a retry-after longer than max_retry_after is not waited for: the 429 goes back with its retry-after', async () => {
    stack.waits.length = 0;
    const from = stack.emulator.requests.length;
    const error = await openaiChat([['openai', 'gpt-4o-mini']], { error: { status: 429, retry_after: 30 }, fail_times: 1 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).headers?.get('retry-after')).toBe('30');
    expect(stack.waits).toEqual([]);
    expect(stack.emulator.requests.length - from).toBe(1);
  });

  it('stops at max_attempts and passes the last upstream error through unchanged', async () => {
    const from = stack.emulator.requests.length;
    const error = await openaiChat([['openai', 'gpt-4o-mini']], { error: { status: 503, message: 'still down' } }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect((error as InstanceType<typeof OpenAI.APIError>).message).toContain('still down');
    expect(stack.emulator.requests.length - from).toBe(3);
    const requestId = (error as InstanceType<typeof OpenAI.APIError>).headers?.get('x-jevons-request-id') ?? null;
    const call = await stack.callOf(requestId);
    expect(call.attempts.map((attempt) => attempt.followsReason ?? null)).toEqual([null, 'server_error', 'server_error']);
  });
});

describe('streaming', () => {
  it('fails over before the first byte: the stream comes from the fallback', async () => {
    const stream = await openai.chat.completions.create(
      { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: prompt({ reply: 'streamed from the fallback', models: { 'gpt-4o-mini': { error: { status: 503 } } } }) }] },
      { headers: routeHeader([['openai', 'gpt-4o-mini'], ['anthropic', 'claude-haiku-4-5']]) },
    );
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('streamed from the fallback');
  });

  it('never fails over after the first streamed byte: the stream ends as it did upstream', async () => {
    const from = stack.emulator.requests.length;
    const words = Array.from({ length: 40 }, (_, index) => `w${index}`).join(' ');
    const { data: stream, response } = await openai.chat.completions
      .create(
        { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: prompt({ reply: words, disconnect_after: 2 }) }] },
        { headers: routeHeader([['openai', 'gpt-4o-mini'], ['openai', 'gpt-4.1-mini']]) },
      )
      .withResponse();
    let text = '';
    const outcome = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    })().then(
      () => 'ended',
      () => 'errored',
    );
    expect(['ended', 'errored']).toContain(outcome);
    expect(text.length).toBeGreaterThan(0);
    expect(text).not.toBe(words);
    expect(upstreamModels(from)).toEqual(['gpt-4o-mini']);
    const call = await stack.callOf(response.headers.get('x-jevons-request-id'));
    expect(call.attempts).toHaveLength(1);
    expect(call.attempts[0]?.errorCode).toBe('upstream_stream_interrupted');
  });
});

describe('provider health circuit (injected clock)', () => {
  it('opens after failure_threshold failures, skips the provider, probes half-open after open_for, closes on success', async () => {
    const clock = { now: 1_000_000 };
    const health = await startRoutingStack({
      now: () => clock.now,
      routing: { health: { failure_threshold: 2, open_for: '30s' }, fallbacks: { max_attempts: 2 } },
      providers: (emulator) => [
        { name: 'flaky', type: 'openai', base_url: `${emulator.url}/v1`, api_key: 'sk-emulated' },
        { name: 'openai', type: 'openai', base_url: `${emulator.url}/v1`, api_key: 'sk-emulated' },
      ],
    });
    const client = new OpenAI({ baseURL: health.openaiBaseUrl, apiKey: 'sk-test', maxRetries: 0 });
    const candidates = routeHeader([['flaky', 'gpt-4o-mini'], ['openai', 'gpt-4.1-mini']]);
    const send = (directive: Record<string, unknown>) => client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt(directive) }] }, { headers: candidates }).withResponse();
    const failing = { reply: 'ok', models: { 'gpt-4o-mini': { error: { status: 503 } } } };
    const state = () => health.execution.health.snapshot().find((entry) => entry.provider === 'flaky')?.state;
    try {
      await send(failing);
      expect(state()).toBe('closed');
      await send(failing);
      expect(state()).toBe('open');
      // Open: the flaky provider is skipped, nothing is sent to it.
      const from = health.emulator.requests.length;
      const skipped = await send({ reply: 'served by the healthy one' });
      expect(skipped.data.choices[0]?.message.content).toBe('served by the healthy one');
      expect(health.emulator.requests.slice(from).map((request) => (request.body as { model: string }).model)).toEqual(['gpt-4.1-mini']);
      const call = await health.callOf(skipped.response.headers.get('x-jevons-request-id'));
      expect(call.attempts.map((attempt) => [attempt.provider, attempt.followsReason ?? null])).toEqual([['openai', 'circuit_open']]);
      // After open_for: one probe goes through; it fails → open again.
      clock.now += 30_000;
      await send(failing);
      expect(state()).toBe('open');
      // After another open_for: the probe succeeds → closed.
      clock.now += 30_000;
      const probe = await send({ reply: 'recovered' });
      expect(probe.response.headers.get('x-jevons-attempts')).toBe('1');
      expect(state()).toBe('closed');
    } finally {
      await health.close();
    }
  });
});

describe('wired in the gateway (startGateway): the router decides, the dispatcher fails over', () => {
  it('a tier request whose first model fails is served by the tier’s next model, both attempts in the ledger', async () => {
    const gateway = await startStack({ config: { routing: { tiers: [{ name: 'small', models: ['gpt-4o-mini', 'claude-haiku-4-5'] }], health: { failure_threshold: 100 } } } });
    try {
      const client = new OpenAI({ baseURL: gateway.openaiBaseUrl, apiKey: 'sk-test', maxRetries: 0, defaultHeaders: { 'x-jevons-tier': 'small' } });
      const { data, response } = await client.chat.completions
        .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt({ reply: 'from haiku', models: { 'gpt-4o-mini': { error: { status: 503 } } } }) }] })
        .withResponse();
      expect(data.choices[0]?.message.content).toBe('from haiku');
      expect(response.headers.get('x-jevons-attempts')).toBe('2');
      expect(response.headers.get('x-jevons-served-by')).toBe('anthropic/claude-haiku-4-5');
      const rows = await gateway.rowsOf(response.headers.get('x-jevons-request-id') ?? '');
      expect(rows.map((row) => [row.attempt, row.provider, row.status, row.followsReason])).toEqual([
        [1, 'openai', 503, null],
        [2, 'anthropic', 200, 'server_error'],
      ]);
    } finally {
      await gateway.close();
    }
  });
});

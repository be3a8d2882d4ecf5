/**
 * The total-time limit (`providers[].timeouts.total_ms`) in routing execution: an attempt whose total time runs out
 * before anything reached the client moves to the next candidate like a connect or first-byte timeout, whether the
 * limit fired before the upstream's headers (emulator latency) or while a non-streamed body was still arriving (a
 * stalling upstream below); once a streamed byte has reached the client it never does. The client going away still
 * ends the call. Real SDK clients, the real dispatcher and attempt loop (test/support/routing-stack.ts).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emu, routeHeader, startRoutingStack, type RoutingStack } from '../support/routing-stack.js';

const TOTAL_MS = 300;

let stack: RoutingStack;
let openai: OpenAI;
let stall: Server;
let stallUrl = '';
let stallRequests = 0;
let counter = 0;

beforeAll(async () => {
  // An upstream that answers 200 at once, sends the first bytes of its body, then stalls for 5 s: only the total-time
  // limit (or a short first-byte timeout, which undici also applies between body chunks) can end it. JSON for a
  // non-streamed request, SSE for a streamed one. A prompt containing CUT has its connection destroyed instead.
  stall = createServer((request, response) => {
    stallRequests += 1;
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      const streamed = (JSON.parse(body) as { stream?: boolean }).stream === true;
      if (body.includes('CUT')) {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write('{"id":"c1",', () => setTimeout(() => response.destroy(), 20));
        return;
      }
      const timer = setTimeout(() => response.end(streamed ? 'data: [DONE]\n\n' : '}'), 5_000);
      response.on('close', () => clearTimeout(timer));
      if (streamed) {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write(`data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta: { role: 'assistant', content: 'partial' }, finish_reason: null }] })}\n\n`);
      } else {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write('{"id":"c1","object":"chat.completion",');
      }
    });
  });
  await new Promise<void>((resolve) => stall.listen(0, '127.0.0.1', () => resolve()));
  stallUrl = `http://127.0.0.1:${(stall.address() as AddressInfo).port}/v1`;
  stack = await startRoutingStack({
    routing: { fallbacks: { max_attempts: 2, backoff_initial: '100ms', backoff_max: '1s' }, health: { failure_threshold: 1000 } },
    providers: (emulator) => [
      { name: 'openai', type: 'openai', base_url: `${emulator.url}/v1`, api_key: 'sk-emulated' },
      { name: 'anthropic', type: 'anthropic', base_url: emulator.url, api_key: 'sk-ant-emulated' },
      // The same emulator behind a short total-time limit (and the default, long first-byte timeout).
      { name: 'tight', type: 'openai', base_url: `${emulator.url}/v1`, api_key: 'sk-emulated', timeouts: { total_ms: TOTAL_MS } },
      { name: 'stall', type: 'openai', base_url: stallUrl, api_key: 'sk-emulated', timeouts: { total_ms: TOTAL_MS } },
      { name: 'idle', type: 'openai', base_url: stallUrl, api_key: 'sk-emulated', timeouts: { first_byte_ms: 200 } },
    ],
  });
  openai = new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: 'sk-test', maxRetries: 0 });
});
afterAll(async () => {
  await stack.close();
  stall.closeAllConnections();
  await new Promise<void>((resolve) => stall.close(() => resolve()));
});

const prompt = (directive: Record<string, unknown>) => `Question ${++counter} ${emu(directive)}`;
const slowFirst = (reply: string) => prompt({ reply, usage: { input: 12, output: 4 }, models: { 'gpt-4o-mini': { latency_ms: 1_500 } } });
const attemptsOf = async (requestId: string | null) =>
  (await stack.callOf(requestId)).attempts.map((attempt) => [attempt.provider, attempt.status, attempt.errorCode, attempt.followsReason ?? null]);

describe('total-time limit before the upstream answered', () => {
  it('a non-streamed call moves to the next candidate', async () => {
    const { data, response } = await openai.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: slowFirst('from the fallback') }] }, { headers: routeHeader([['tight', 'gpt-4o-mini'], ['openai', 'gpt-4.1-mini']]) })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe('from the fallback');
    expect(response.headers.get('x-jevons-attempts')).toBe('2');
    expect(response.headers.get('x-jevons-served-by')).toBe('openai/gpt-4.1-mini');
    expect(await attemptsOf(response.headers.get('x-jevons-request-id'))).toEqual([
      ['tight', 0, 'upstream_timeout', null],
      ['openai', 200, null, 'timeout'],
    ]);
    // Both attempts are metered; the one that timed out has no usage (nothing came back).
    const rows = stack.rows.filter((row) => row.requestId === response.headers.get('x-jevons-request-id'));
    expect(rows.map((row) => [row.attempt, row.provider, row.errorCode, row.outputTokens])).toEqual([
      [1, 'tight', 'upstream_timeout', 0],
      [2, 'openai', null, 4],
    ]);
  });

  it('a stream that has not started moves to the next candidate, across wires', async () => {
    const stream = await openai.chat.completions.create(
      { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: slowFirst('streamed by claude') }] },
      { headers: routeHeader([['tight', 'gpt-4o-mini'], ['anthropic', 'claude-haiku-4-5']]) },
    );
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('streamed by claude');
  });

  it('on the last attempt the caller gets a 504 naming the total time limit', async () => {
    stack.waits.length = 0;
    const from = stack.emulator.requests.length;
    const error = await openai.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt({ reply: 'never', latency_ms: 1_500 }) }] }, { headers: routeHeader([['tight', 'gpt-4o-mini']]) })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    const apiError = error as InstanceType<typeof OpenAI.APIError>;
    expect(apiError.status).toBe(504);
    expect(apiError.message).toContain(`total time limit of ${TOTAL_MS} ms`);
    // max_attempts 2 on one candidate: tried again after a backoff (jitter 0.5 of 100 ms), then given up.
    expect(stack.emulator.requests.length - from).toBe(2);
    expect(stack.waits).toEqual([50]);
    expect(await attemptsOf(apiError.headers?.get('x-jevons-request-id') ?? null)).toEqual([
      ['tight', 0, 'upstream_timeout', null],
      ['tight', 0, 'upstream_timeout', 'timeout'],
    ]);
  });
});

describe('total-time limit while a non-streamed body is arriving', () => {
  it('moves to the next candidate: nothing had reached the client', async () => {
    const { data, response } = await openai.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt({ reply: 'after the stall' }) }] }, { headers: routeHeader([['stall', 'gpt-4o-mini'], ['openai', 'gpt-4o-mini']]) })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe('after the stall');
    expect(await attemptsOf(response.headers.get('x-jevons-request-id'))).toEqual([
      ['stall', 200, 'upstream_timeout', null],
      ['openai', 200, null, 'timeout'],
    ]);
    // The provider that stalled counts as failing for its health circuit.
    const stalled = stack.execution.health.snapshot().find((entry) => entry.provider === 'stall');
    expect(stalled?.totalFailures).toBeGreaterThanOrEqual(1);
  });

  it('without a fallback the caller gets a 504 upstream timeout, not an internal error', async () => {
    const error = await openai.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] }, { headers: routeHeader([['stall', 'gpt-4o-mini']]) })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    const apiError = error as InstanceType<typeof OpenAI.APIError>;
    expect(apiError.status).toBe(504);
    expect(apiError.message).toContain(`Provider "stall"`);
    expect(apiError.message).toContain(`total time limit of ${TOTAL_MS} ms`);
    expect(await attemptsOf(apiError.headers?.get('x-jevons-request-id') ?? null)).toEqual([
      ['stall', 200, 'upstream_timeout', null],
      ['stall', 200, 'upstream_timeout', 'timeout'],
    ]);
  });

  it('a call without a routing decision gets the same 504 (one attempt)', async () => {
    const before = stallRequests;
    const response = await fetch(`${stack.openaiBaseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' },
      body: JSON.stringify({ model: 'stall/gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] }),
    });
    expect(response.status).toBe(504);
    const body = (await response.json()) as { error: { message: string } };
    expect(body.error.message).toContain(`total time limit of ${TOTAL_MS} ms`);
    expect(stallRequests - before).toBe(1);
    const call = await stack.callOf(response.headers.get('x-jevons-request-id'));
    expect(call.attempts.map((attempt) => [attempt.provider, attempt.errorCode])).toEqual([['stall', 'upstream_timeout']]);
  });
});

describe('other failures of a non-streamed body after the headers', () => {
  it('a body idle past the first-byte timeout moves to the next candidate (timeout)', async () => {
    const { data, response } = await openai.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt({ reply: 'not idle' }) }] }, { headers: routeHeader([['idle', 'gpt-4o-mini'], ['openai', 'gpt-4o-mini']]) })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe('not idle');
    expect(await attemptsOf(response.headers.get('x-jevons-request-id'))).toEqual([
      ['idle', 200, 'upstream_timeout', null],
      ['openai', 200, null, 'timeout'],
    ]);
  });

  it('a connection cut mid-body moves to the next candidate (connection)', async () => {
    const { data, response } = await openai.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt({ reply: 'CUT then served' }) }] }, { headers: routeHeader([['stall', 'gpt-4o-mini'], ['openai', 'gpt-4o-mini']]) })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe('CUT then served');
    expect(await attemptsOf(response.headers.get('x-jevons-request-id'))).toEqual([
      ['stall', 200, 'upstream_unreachable', null],
      ['openai', 200, null, 'connection'],
    ]);
  });
});

describe('total-time limit in a cascade (buffered attempts)', () => {
  it("moves to the tier's next candidate; the answer is then validated as usual", async () => {
    const cascade = await startRoutingStack({
      routing: { cascade: { validators: [{ type: 'not_empty' }], max_escalations: 1 }, health: { failure_threshold: 1000 } },
      providers: (emulator) => [
        { name: 'openai', type: 'openai', base_url: `${emulator.url}/v1`, api_key: 'sk-emulated' },
        { name: 'anthropic', type: 'anthropic', base_url: emulator.url, api_key: 'sk-ant-emulated' },
        { name: 'stall', type: 'openai', base_url: stallUrl, api_key: 'sk-emulated', timeouts: { total_ms: TOTAL_MS } },
      ],
    });
    try {
      const client = new OpenAI({ baseURL: cascade.openaiBaseUrl, apiKey: 'sk-test', maxRetries: 0 });
      const { data, response } = await client.chat.completions
        .create(
          { model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt({ reply: 'validated' }) }] },
          { headers: routeHeader([['stall', 'gpt-4o-mini'], ['openai', 'gpt-4o-mini']], [{ tier: 'large', candidates: [['anthropic', 'claude-sonnet-4-5']] }]) },
        )
        .withResponse();
      expect(data.choices[0]?.message.content).toBe('validated');
      expect(response.headers.get('x-jevons-cascade')).toBe('passed');
      const call = await cascade.callOf(response.headers.get('x-jevons-request-id'));
      expect(call.attempts.map((attempt) => [attempt.provider, attempt.errorCode, attempt.followsReason ?? null])).toEqual([
        ['stall', 'upstream_timeout', null],
        ['openai', null, 'timeout'],
      ]);
    } finally {
      await cascade.close();
    }
  });
});

describe('total-time limit after the first streamed byte', () => {
  it('never moves to another candidate: the stream ends as it was', async () => {
    const before = stallRequests;
    const from = stack.emulator.requests.length;
    const { data: stream, response } = await openai.chat.completions
      .create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'Hello' }] }, { headers: routeHeader([['stall', 'gpt-4o-mini'], ['openai', 'gpt-4o-mini']]) })
      .withResponse();
    let text = '';
    const outcome = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    })().then(
      () => 'ended',
      () => 'errored',
    );
    expect(['ended', 'errored']).toContain(outcome);
    expect(text).toBe('partial');
    expect(stallRequests - before).toBe(1);
    expect(stack.emulator.requests.length - from).toBe(0);
    const call = await stack.callOf(response.headers.get('x-jevons-request-id'));
    expect(call.attempts.map((attempt) => [attempt.provider, attempt.errorCode])).toEqual([['stall', 'upstream_stream_interrupted']]);
  });
});

describe('the client going away', () => {
  it('ends the call: no further candidate is tried', async () => {
    const from = stack.emulator.requests.length;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 150);
    const requestId = `${++counter}`;
    const outcome = await fetch(`${stack.openaiBaseUrl}/chat/completions`, {
      method: 'POST',
      signal: abort.signal,
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test', ...routeHeader([['tight', 'gpt-4o-mini'], ['openai', 'gpt-4.1-mini']]) },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: slowFirst(`gone ${requestId}`) }] }),
    }).then(
      () => 'answered',
      () => 'aborted',
    );
    clearTimeout(timer);
    expect(outcome).toBe('aborted');
    // Give the gateway the time the total limit would have taken, and more: still one attempt, nothing else sent.
    await new Promise((resolve) => setTimeout(resolve, TOTAL_MS * 2));
    expect(stack.emulator.requests.slice(from).map((request) => (request.body as { model?: string }).model)).toEqual(['gpt-4o-mini']);
    const call = [...stack.calls.values()].find((candidate) => JSON.stringify(candidate.body).includes(`gone ${requestId}`));
    expect(call?.attempts.map((attempt) => [attempt.provider, attempt.errorCode, attempt.clientAborted])).toEqual([['tight', 'client_aborted', true]]);
  });
});

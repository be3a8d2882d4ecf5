/**
 * Rate limits through the wired gateway with the real `openai` and `@anthropic-ai/sdk` clients (their own retries off):
 * the request over a limit gets a 429 in the caller's dialect with retry-after and OpenAI's rate-limit headers, streamed
 * or not; allowed responses carry the headers too; a tokens-per-minute reservation is settled to the tokens used.
 * Each case uses its own user, so its counters start empty.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emu, startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let openai: OpenAI;
let anthropic: Anthropic;
const logs: string[] = [];

beforeAll(async () => {
  stack = await startStack({
    logs,
    config: {
      rate_limits: [
        { name: 'per-user-rpm', scope: { user: '*', feature: 'rpm' }, requests_per_minute: 2 },
        { name: 'per-user-tpm', scope: { user: '*', feature: 'tpm' }, tokens_per_minute: 1_000 },
      ],
    },
  });
  openai = new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: 'unused', maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: stack.anthropicBaseUrl, apiKey: 'unused', maxRetries: 0 });
});
afterAll(() => stack.close());

const rpm = (user: string) => ({ headers: { 'x-jevons-user': user, 'x-jevons-feature': 'rpm' } });
const tpm = (user: string) => ({ headers: { 'x-jevons-user': user, 'x-jevons-feature': 'tpm' } });

interface Refused {
  status: number | undefined;
  headers: Headers;
  body: unknown;
}

async function refused(promise: Promise<unknown>): Promise<Refused> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OpenAI.APIError || error instanceof Anthropic.APIError) return { status: error.status, headers: error.headers as Headers, body: error.error };
    throw error;
  }
  throw new Error('expected a 429');
}

function expectRateLimited(result: Refused, user: string): void {
  expect(result.status).toBe(429);
  const retryAfter = Number(result.headers.get('retry-after'));
  // Two requests in the last minute: the third fits again when their weighted count drops to 1 (30-90 s later, up to
  // 120 s when the two straddle a window boundary).
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(120);
  expect(Number(result.headers.get('retry-after-ms'))).toBeGreaterThan((retryAfter - 1) * 1000);
  expect(result.headers.get('x-ratelimit-limit-requests')).toBe('2');
  expect(result.headers.get('x-ratelimit-remaining-requests')).toBe('0');
  expect(result.headers.get('x-ratelimit-reset-requests')).toMatch(/^\dm[\d.]+s$/);
  expect(JSON.stringify(result.body)).toContain(`Rate limit \\"per-user-rpm\\" (feature=rpm,user=${user}) reached`);
}

describe('openai SDK', () => {
  it('refuses the third non-streamed request in a minute with a 429 rate_limit_error, retry-after and headers', async () => {
    const body = { model: 'gpt-4o-mini', max_tokens: 10, messages: [{ role: 'user' as const, content: `Hi ${emu({ reply: 'ok', usage: { input: 5, output: 1 } })}` }] };
    const first = await openai.chat.completions.create(body, rpm('oa-plain')).withResponse();
    expect(first.response.headers.get('x-ratelimit-limit-requests')).toBe('2');
    expect(first.response.headers.get('x-ratelimit-remaining-requests')).toBe('1');
    await openai.chat.completions.create(body, rpm('oa-plain'));
    const result = await refused(openai.chat.completions.create(body, rpm('oa-plain')));
    expectRateLimited(result, 'oa-plain');
    expect(result.body).toMatchObject({ type: 'rate_limit_error', code: 'rate_limited', jevons: { rate_limit: 'per-user-rpm', limit: 'requests_per_minute', limit_value: 2 } });
    expect(logs.some((line) => line.includes('"event":"rate_limited"') && line.includes('user=oa-plain'))).toBe(true);
    // Another user is counted apart.
    await expect(openai.chat.completions.create(body, rpm('oa-other'))).resolves.toMatchObject({ object: 'chat.completion' });
  });

  it('refuses a streamed request the same way, before any chunk', async () => {
    const body = { model: 'gpt-4o-mini', max_tokens: 10, stream: true as const, messages: [{ role: 'user' as const, content: `Hi ${emu({ reply: 'one two', usage: { input: 5, output: 2 } })}` }] };
    for (let index = 0; index < 2; index += 1) {
      const stream = await openai.chat.completions.create(body, rpm('oa-stream'));
      for await (const chunk of stream) void chunk;
    }
    expectRateLimited(await refused(openai.chat.completions.create(body, rpm('oa-stream'))), 'oa-stream');
  });

  it('reserves the token estimate while a call runs and settles it to the tokens used', async () => {
    // max_tokens 900 + a short prompt reserves ~910 of 1,000 tokens while the slow first call runs.
    const slow = openai.chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 900, messages: [{ role: 'user', content: `Slow ${emu({ reply: 'ok', latency_ms: 400, usage: { input: 20, output: 5 } })}` }] }, tpm('oa-tokens'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = { model: 'gpt-4o-mini', max_tokens: 500, messages: [{ role: 'user' as const, content: `Fast ${emu({ reply: 'ok', usage: { input: 20, output: 5 } })}` }] };
    const result = await refused(openai.chat.completions.create(second, tpm('oa-tokens')));
    expect(result.status).toBe(429);
    expect(result.headers.get('x-ratelimit-limit-tokens')).toBe('1000');
    expect(Number(result.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(result.body).toMatchObject({ jevons: { rate_limit: 'per-user-tpm', limit: 'tokens_per_minute' } });
    await slow;
    // Settled to 25 tokens: the second call fits now.
    const { response } = await openai.chat.completions.create(second, tpm('oa-tokens')).withResponse();
    expect(Number(response.headers.get('x-ratelimit-remaining-tokens'))).toBeLessThan(1_000 - 25 - 500);
    expect(Number(response.headers.get('x-ratelimit-remaining-tokens'))).toBeGreaterThan(1_000 - 25 - 600);
  });
});

describe('@anthropic-ai/sdk', () => {
  it('refuses the third non-streamed request with a 429 rate_limit_error and retry-after', async () => {
    const body = { model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user' as const, content: `Hi ${emu({ reply: 'ok', usage: { input: 5, output: 1 } })}` }] };
    const first = await anthropic.messages.create(body, rpm('an-plain')).withResponse();
    expect(first.response.headers.get('x-ratelimit-remaining-requests')).toBe('1');
    await anthropic.messages.create(body, rpm('an-plain'));
    const result = await refused(anthropic.messages.create(body, rpm('an-plain')));
    expectRateLimited(result, 'an-plain');
    expect(result.body).toMatchObject({ type: 'error', error: { type: 'rate_limit_error', jevons: { rate_limit: 'per-user-rpm', scope: 'feature=rpm,user=an-plain' } } });
  });

  it('refuses a streamed request the same way', async () => {
    const body = { model: 'claude-haiku-4-5', max_tokens: 10, stream: true as const, messages: [{ role: 'user' as const, content: `Hi ${emu({ reply: 'one two', usage: { input: 5, output: 2 } })}` }] };
    for (let index = 0; index < 2; index += 1) {
      const stream = await anthropic.messages.create(body, rpm('an-stream'));
      for await (const event of stream) void event;
    }
    expectRateLimited(await refused(anthropic.messages.create(body, rpm('an-stream'))), 'an-stream');
  });

  it('is refused in its own dialect when the call goes to an OpenAI model', async () => {
    const body = { model: 'gpt-4o-mini', max_tokens: 10, messages: [{ role: 'user' as const, content: `Hi ${emu({ reply: 'ok', usage: { input: 5, output: 1 } })}` }] };
    await anthropic.messages.create(body, rpm('an-cross'));
    await anthropic.messages.create(body, rpm('an-cross'));
    const result = await refused(anthropic.messages.create(body, rpm('an-cross')));
    expectRateLimited(result, 'an-cross');
    expect(result.body).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
  });
});

/**
 * Budgets through the real SDKs, the gateway and the emulator: 500 concurrent calls against a small USD budget, a
 * restart mid-period, and every action (block, downgrade, cap, shadow) in both dialects, streaming and not.
 * Prices (per Mtok, genai-prices): gpt-4o $2.50 / $10, gpt-4o-mini $0.15 / $0.60, claude-sonnet-4-5 $3 / $15,
 * claude-haiku-4-5 $1 / $5.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/index.js';
import { resolveConfig } from '../../src/spec/config/load-config.js';
import { createLogger } from '../../src/server/logger.js';
import { startGateway, type RunningGateway } from '../../src/server/main.js';
import { emu, startStack, type Stack } from '../support/stack.js';

const budget = (name: string, team: string, rest: Record<string, unknown>) => ({ name, scope: { team }, period: 'monthly', ...rest });

let stack: Stack;
const logs: string[] = [];
const openaiFor = (team: string) => new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: 'unused', maxRetries: 0, defaultHeaders: { 'x-jevons-team': team } });
const anthropicFor = (team: string) => new Anthropic({ baseURL: stack.anthropicBaseUrl, apiKey: 'unused', maxRetries: 0, defaultHeaders: { 'x-jevons-team': team } });

beforeAll(async () => {
  stack = await startStack({
    logs,
    config: {
      budgets: [
        budget('load-usd', 'load', { limit_usd: 0.005 }),
        budget('blocked', 'blocked', { limit_usd: 0.000001 }),
        budget('down-openai', 'down-openai', { limit_usd: 0.002, action: 'downgrade', downgrade_to: 'gpt-4o-mini' }),
        budget('down-anthropic', 'down-anthropic', { limit_usd: 0.008, action: 'downgrade', downgrade_to: 'claude-haiku-4-5' }),
        budget('capped', 'capped', { limit_usd: 0.01, action: 'cap', cap_max_tokens: 5_000 }),
        budget('shadowed', 'shadowed', { limit_usd: 0.000001, action: 'shadow' }),
      ],
    },
  });
});
afterAll(() => stack.close());

const usage = emu({ reply: 'ok', usage: { input: 10, output: 50 } });
const requestId = (headers: Headers) => headers.get('x-jevons-request-id') ?? '';
const lastUpstreamBody = () => stack.emulator.requests.at(-1)?.body as Record<string, unknown>;

describe('500 concurrent requests against a small USD budget', () => {
  it('spends at most the limit plus the largest reservation; every refusal is the budget error', async () => {
    const client = openaiFor('load');
    const body = { model: 'gpt-4o-mini', max_tokens: 100, messages: [{ role: 'user' as const, content: `Count ${usage}` }] };
    const estimate = (await (await fetch(`${stack.gateway.url}/v1/jevons/estimate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as { worst_case_usd: number };
    expect(estimate.worst_case_usd).toBeGreaterThan(0);

    const outcomes = await Promise.allSettled(Array.from({ length: 500 }, () => client.chat.completions.create(body)));
    const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
    const served = outcomes.length - refused.length;
    expect(served).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    for (const outcome of refused) {
      const error = outcome.reason as InstanceType<typeof OpenAI.APIError>;
      expect(error).toBeInstanceOf(OpenAI.APIError);
      expect(error.status).toBe(429);
      expect(error.message).toContain('Budget "load-usd" for team=load is exhausted');
      expect(error.error).toMatchObject({ type: 'insufficient_quota', code: 'budget_exceeded', jevons: { budget: 'load-usd', limit: 0.005 } });
    }

    await stack.gateway.writer.flush();
    const [group] = await stack.gateway.ledger.usage({ groupBy: 'team' }).then((groups) => groups.filter((entry) => entry.group === 'load'));
    expect(group?.requests).toBe(served);
    expect(group?.costUsd ?? Infinity).toBeLessThanOrEqual(0.005 + estimate.worst_case_usd);
    // 10 input + 50 output tokens of gpt-4o-mini per call.
    expect(group?.costUsd).toBeCloseTo(served * (10 * 0.15 + 50 * 0.6) / 1e6, 12);

    // /metrics shows where the budget stands: the counted spend of the served calls against its limit.
    const text = await (await fetch(`${stack.gateway.url}/metrics`)).text();
    const gauge = (name: string): number => Number(text.split('\n').find((line) => line.startsWith(`${name}{budget="load-usd",scope="team=load",unit="usd"}`))?.split(' ').at(-1));
    expect(gauge('jevons_budget_limit')).toBe(0.005);
    expect(gauge('jevons_budget_spent')).toBeCloseTo(group?.costUsd ?? NaN, 12);
    expect(gauge('jevons_budget_utilization_ratio')).toBeCloseTo((group?.costUsd ?? NaN) / 0.005, 9);
  });
});

describe('block', () => {
  it('is a 429 in the OpenAI shape, streaming or not, naming the budget, limit, spent and reset', async () => {
    const client = openaiFor('blocked');
    for (const stream of [false, true]) {
      const error = await client.chat.completions.create({ model: 'gpt-4o-mini', stream, max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] }).then(() => null, (caught: unknown) => caught);
      expect(error).toBeInstanceOf(OpenAI.APIError);
      const apiError = error as InstanceType<typeof OpenAI.APIError>;
      expect(apiError.status).toBe(429);
      expect(apiError.headers?.get('retry-after')).toMatch(/^\d+$/);
      expect(apiError.headers?.get('x-jevons-budget')).toBe('blocked');
      expect(apiError.error).toMatchObject({ code: 'budget_exceeded', jevons: { budget: 'blocked', scope: 'team=blocked', limit: 0.000001, spent: 0, unit: 'usd', reset_at: expect.stringMatching(/^\d{4}-\d\d-01T00:00:00.000Z$/) } });
    }
  });

  it('is a 429 in the Anthropic shape, streaming or not', async () => {
    const client = anthropicFor('blocked');
    for (const stream of [false, true]) {
      const error = await client.messages.create({ model: 'claude-haiku-4-5', stream, max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] }).then(() => null, (caught: unknown) => caught);
      expect(error).toBeInstanceOf(Anthropic.APIError);
      const apiError = error as InstanceType<typeof Anthropic.APIError>;
      expect(apiError.status).toBe(429);
      expect(apiError.error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error', message: expect.stringContaining('Budget "blocked"'), jevons: { budget: 'blocked' } } });
    }
  });
});

describe('downgrade', () => {
  it('serves an OpenAI call with the cheaper model and says so, streaming or not', async () => {
    const client = openaiFor('down-openai');
    const plain = await client.chat.completions.create({ model: 'gpt-4o', max_tokens: 1_000, messages: [{ role: 'user', content: `Hi ${usage}` }] }).withResponse();
    expect(plain.response.headers.get('x-jevons-budget-downgraded')).toBe('down-openai -> gpt-4o-mini');
    expect(lastUpstreamBody().model).toBe('gpt-4o-mini');
    expect((await stack.rowsOf(requestId(plain.response.headers)))[0]).toMatchObject({ requestedModel: 'gpt-4o', servedModel: expect.stringMatching(/^gpt-4o-mini/) });

    const streamed = await client.chat.completions.create({ model: 'gpt-4o', stream: true, max_tokens: 1_000, messages: [{ role: 'user', content: `Hi ${usage}` }] }).withResponse();
    for await (const chunk of streamed.data) void chunk;
    expect(streamed.response.headers.get('x-jevons-budget-downgraded')).toBe('down-openai -> gpt-4o-mini');
    expect(lastUpstreamBody().model).toBe('gpt-4o-mini');
  });

  it('serves an Anthropic call with the cheaper model, streaming or not', async () => {
    const client = anthropicFor('down-anthropic');
    const plain = await client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 1_000, messages: [{ role: 'user', content: `Hi ${usage}` }] }).withResponse();
    expect(plain.response.headers.get('x-jevons-budget-downgraded')).toBe('down-anthropic -> claude-haiku-4-5');
    expect(lastUpstreamBody().model).toBe('claude-haiku-4-5');

    const streamed = await client.messages.create({ model: 'claude-sonnet-4-5', stream: true, max_tokens: 1_000, messages: [{ role: 'user', content: `Hi ${usage}` }] }).withResponse();
    for await (const event of streamed.data) void event;
    expect(streamed.response.headers.get('x-jevons-budget-downgraded')).toBe('down-anthropic -> claude-haiku-4-5');
    expect(lastUpstreamBody().model).toBe('claude-haiku-4-5');
  });
});

describe('cap', () => {
  it('lowers the output limit the upstream receives, in both dialects, streaming or not', async () => {
    const openai = openaiFor('capped');
    for (const stream of [false, true]) {
      const result = await openai.chat.completions.create({ model: 'gpt-4o-mini', stream, max_completion_tokens: 50_000, messages: [{ role: 'user', content: `Hi ${usage}` }] }).withResponse();
      if (stream) for await (const chunk of result.data as AsyncIterable<unknown>) void chunk;
      // 50,000 x $0.60/M = $0.03 > $0.01: capped to cap_max_tokens (5,000 x $0.60/M = $0.003 fits).
      expect(result.response.headers.get('x-jevons-budget-capped')).toBe('capped: max_completion_tokens=5000');
      expect(lastUpstreamBody().max_completion_tokens).toBe(5_000);
    }
    const anthropic = anthropicFor('capped');
    for (const stream of [false, true]) {
      const result = await anthropic.messages.create({ model: 'claude-haiku-4-5', stream, max_tokens: 20_000, messages: [{ role: 'user', content: `Hi ${usage}` }] }).withResponse();
      if (stream) for await (const event of result.data as AsyncIterable<unknown>) void event;
      const sent = Number(lastUpstreamBody().max_tokens);
      // 20,000 x $5/M = $0.10: lowered below cap_max_tokens, to what the rest of the $0.01 covers.
      expect(sent).toBeLessThan(2_000);
      expect(sent).toBeGreaterThan(1_500);
      expect(result.response.headers.get('x-jevons-budget-capped')).toBe(`capped: max_tokens=${sent}`);
    }
  });
});

describe('shadow', () => {
  it('serves the call, says it would have refused it and records the event, in both dialects', async () => {
    const openai = await openaiFor('shadowed').chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 10, messages: [{ role: 'user', content: `Hi ${usage}` }] }).withResponse();
    expect(openai.data.choices[0]?.message.content).toBe('ok');
    expect(openai.response.headers.get('x-jevons-budget-shadow')).toBe('shadowed');
    const streamed = await anthropicFor('shadowed').messages.create({ model: 'claude-haiku-4-5', stream: true, max_tokens: 10, messages: [{ role: 'user', content: `Hi ${usage}` }] }).withResponse();
    for await (const event of streamed.data) void event;
    expect(streamed.response.headers.get('x-jevons-budget-shadow')).toBe('shadowed');
    const shadowEvents = logs.filter((line) => line.includes('"budget_shadow"') && line.includes('"shadowed"'));
    expect(shadowEvents.length).toBe(2);
  });
});

describe('remaining budget headers', () => {
  it('name the tightest budget and what is left of it', async () => {
    const result = await openaiFor('capped').chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 10, messages: [{ role: 'user', content: `Hi ${usage}` }] }).withResponse();
    expect(result.response.headers.get('x-jevons-budget')).toBe('capped');
    const remaining = Number(result.response.headers.get('x-jevons-budget-remaining-usd'));
    expect(remaining).toBeGreaterThan(0);
    expect(remaining).toBeLessThan(0.01);
  });
});

describe('restart mid-period', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jevons-budgets-restart-'));
  let emulator: Awaited<ReturnType<typeof startEmulator>>;
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
  });
  afterAll(async () => {
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = (): Promise<RunningGateway> => {
    const loaded = resolveConfig({
      source: 'test',
      env: {},
      input: {
        server: { host: '127.0.0.1', port: 0, auth: 'none' },
        storage: { path: join(dir, 'ledger.db'), flush_interval_ms: 10 },
        providers: [{ name: 'openai', type: 'openai', base_url: `${emulator.url}/v1`, api_key: 'sk-emulated' }],
        budgets: [{ name: 'kept', scope: { team: 'restart' }, period: 'daily', limit_usd: 0.001 }],
      },
    });
    return startGateway({ loaded, env: {}, logger: createLogger({ level: 'silent' }) });
  };
  const call = async (gateway: RunningGateway) => {
    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'unused', maxRetries: 0, defaultHeaders: { 'x-jevons-team': 'restart' } });
    return client.chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 100, messages: [{ role: 'user', content: `Hi ${emu({ reply: 'ok', usage: { input: 100, output: 100 } })}` }] }).withResponse();
  };

  it('keeps the amount spent in the period', async () => {
    const first = await start();
    // 100 x $0.15/M + 100 x $0.60/M = $0.000075 per call.
    for (let index = 0; index < 4; index += 1) await call(first);
    const before = Number((await call(first)).response.headers.get('x-jevons-budget-remaining-usd'));
    await first.close();

    const second = await start();
    try {
      const after = Number((await call(second)).response.headers.get('x-jevons-budget-remaining-usd'));
      // The fifth call's actual cost (0.000075) came on top of what `before` had reserved for it.
      expect(after).toBeLessThan(before);
      expect(after).toBeGreaterThan(before - 0.0002);
      expect(after).toBeLessThan(0.001 - 5 * 0.000075);
    } finally {
      await second.close();
    }
  });
});

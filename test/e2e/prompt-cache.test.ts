/**
 * Provider prompt caching end to end: the real `@anthropic-ai/sdk` and `openai` clients through the gateway to the
 * emulator, which simulates the providers' prompt caches (src/emulator/prompt-cache.ts) when no usage is scripted.
 * Prices (bundled, per Mtok):
 *   claude-sonnet-4-5: $3 input, $0.30 cache read (0.1x), $3.75 write 5m (1.25x), $6 write 1h (2x), $15 output
 *   gpt-4.1-mini: $0.40 input, $0.10 cache read, $1.60 output
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerRow } from '../../src/spec/ledger.js';
import { startStack, type Stack } from '../support/stack.js';

// Two gateways on one emulator each: `stack` leaves the callers' own cache_control alone (the gateway's breakpoints are
// off) so the emulated cache and its pricing are seen exactly; `auto` runs the default prompt-cache policy.
let stack: Stack;
let anthropic: Anthropic;
let openai: OpenAI;
let auto: Stack;
let autoAnthropic: Anthropic;
let autoOpenAI: OpenAI;

beforeAll(async () => {
  stack = await startStack({ config: { cache: { prompt_cache: { anthropic_breakpoints: 'off', openai_cache_key: 'off' } } } });
  anthropic = new Anthropic({ baseURL: stack.anthropicBaseUrl, apiKey: 'unused', maxRetries: 0 });
  openai = new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: 'unused', maxRetries: 0 });
  auto = await startStack();
  autoAnthropic = new Anthropic({ baseURL: auto.anthropicBaseUrl, apiKey: 'unused', maxRetries: 0 });
  autoOpenAI = new OpenAI({ baseURL: auto.openaiBaseUrl, apiKey: 'unused', maxRetries: 0 });
});
afterAll(async () => {
  await stack.close();
  await auto.close();
});

const longText = (words: number, seed: string) => Array.from({ length: words }, (_, index) => `${seed}${index}`).join(' ');
const perMtok = (tokens: number, usd: number) => (tokens * usd) / 1_000_000;

/** Sonnet 4.5 cost of a row, computed by hand from its token counts. */
function sonnetCost(row: LedgerRow): { total: number; uncached: number } {
  const input = row.inputTokens + row.cacheReadTokens + row.cacheWrite5mTokens + row.cacheWrite1hTokens;
  const output = perMtok(row.outputTokens, 15);
  return {
    total: perMtok(row.inputTokens, 3) + perMtok(row.cacheReadTokens, 0.3) + perMtok(row.cacheWrite5mTokens, 3.75) + perMtok(row.cacheWrite1hTokens, 6) + output,
    uncached: perMtok(input, 3) + output,
  };
}

const tools: Anthropic.Messages.Tool[] = [
  { name: 'search_docs', description: longText(200, 'search'), input_schema: { type: 'object', properties: { query: { type: 'string' } } } },
  { name: 'open_ticket', description: longText(200, 'ticket'), input_schema: { type: 'object', properties: { title: { type: 'string' } } } },
];

async function askClaude(system: Anthropic.Messages.TextBlockParam[], question: string, stream = false): Promise<LedgerRow> {
  const params = { model: 'claude-sonnet-4-5', max_tokens: 50, tools, system, messages: [{ role: 'user' as const, content: question }] };
  if (stream) {
    const events = await anthropic.messages.create({ ...params, stream: true });
    for await (const event of events) void event;
    return stack.lastRow();
  }
  const { response } = await anthropic.messages.create(params).withResponse();
  const [row] = await stack.rowsOf(response.headers.get('x-jevons-request-id') ?? '');
  if (row === undefined) throw new Error('no ledger row');
  return row;
}

describe('Anthropic prompt caching through the gateway', () => {
  it('writes a long system prompt + tools on the first call and reads them on the second, priced at 1.25x and 0.1x', async () => {
    const system: Anthropic.Messages.TextBlockParam[] = [{ type: 'text', text: longText(1500, 'policy'), cache_control: { type: 'ephemeral' } }];
    const first = await askClaude(system, 'How do I reset my password?');
    expect(first).toMatchObject({ cacheReadTokens: 0, cacheWrite1hTokens: 0 });
    expect(first.cacheWrite5mTokens).toBeGreaterThan(1500);
    expect(first.inputTokens).toBeGreaterThan(0);
    expect(first.costCacheWriteUsd).toBeCloseTo(perMtok(first.cacheWrite5mTokens, 3.75), 9);
    expect(first.costTotalUsd).toBeCloseTo(sonnetCost(first).total, 9);

    const second = await askClaude(system, 'And how do I change my e-mail address?');
    expect(second).toMatchObject({ cacheReadTokens: first.cacheWrite5mTokens, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0 });
    expect(second.costCacheReadUsd).toBeCloseTo(perMtok(second.cacheReadTokens, 0.3), 9);
    expect(second.costTotalUsd).toBeCloseTo(sonnetCost(second).total, 9);
    expect(second.costUncachedUsd).toBeCloseTo(sonnetCost(second).uncached, 9);
    expect(second.costUncachedUsd ?? 0).toBeGreaterThan(second.costTotalUsd ?? Infinity);
    // The write cost more than an uncached call would have.
    expect(first.costTotalUsd ?? 0).toBeGreaterThan(first.costUncachedUsd ?? Infinity);
  });

  it('prices a 1-hour write at 2x and reads it from a stream', async () => {
    const system: Anthropic.Messages.TextBlockParam[] = [{ type: 'text', text: longText(1500, 'handbook'), cache_control: { type: 'ephemeral', ttl: '1h' } }];
    const first = await askClaude(system, 'Summarise the handbook.');
    expect(first).toMatchObject({ cacheReadTokens: 0, cacheWrite5mTokens: 0 });
    expect(first.cacheWrite1hTokens).toBeGreaterThan(1500);
    expect(first.costCacheWriteUsd).toBeCloseTo(perMtok(first.cacheWrite1hTokens, 6), 9);
    const second = await askClaude(system, 'What does chapter two say?', true);
    expect(second).toMatchObject({ streamed: true, cacheReadTokens: first.cacheWrite1hTokens, cacheWrite1hTokens: 0, usageEstimated: false });
    expect(second.costTotalUsd).toBeCloseTo(sonnetCost(second).total, 9);
    expect(second.costUncachedUsd ?? 0).toBeGreaterThan(second.costTotalUsd ?? Infinity);
  });

  it('caches nothing below the model minimum', async () => {
    const system: Anthropic.Messages.TextBlockParam[] = [{ type: 'text', text: 'A short system prompt.', cache_control: { type: 'ephemeral' } }];
    const params = { model: 'claude-sonnet-4-5', max_tokens: 50, system, messages: [{ role: 'user' as const, content: 'Hi' }] };
    await anthropic.messages.create(params);
    await anthropic.messages.create(params);
    expect(await stack.lastRow()).toMatchObject({ cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0 });
  });
});

describe('OpenAI automatic prompt caching through the gateway', () => {
  it('reports the cached prefix from 1,024 tokens in 128-token steps, priced at the cache-read price', async () => {
    const system = longText(1500, 'guide');
    const ask = async (question: string) => {
      const { data, response } = await openai.chat.completions
        .create({ model: 'gpt-4.1-mini', messages: [{ role: 'system', content: system }, { role: 'user', content: question }] })
        .withResponse();
      const [row] = await stack.rowsOf(response.headers.get('x-jevons-request-id') ?? '');
      return { usage: data.usage, row };
    };
    const first = await ask('First question?');
    expect(first.usage?.prompt_tokens_details?.cached_tokens).toBe(0);
    const second = await ask('Second question?');
    const cached = second.usage?.prompt_tokens_details?.cached_tokens ?? 0;
    expect(cached).toBeGreaterThanOrEqual(1024);
    expect(cached % 128).toBe(0);
    // prompt_tokens includes the cached tokens; the row keeps them disjoint.
    expect(second.row).toMatchObject({ cacheReadTokens: cached, inputTokens: (second.usage?.prompt_tokens ?? 0) - cached });
    const row = second.row as LedgerRow;
    expect(row.costCacheReadUsd).toBeCloseTo(perMtok(cached, 0.1), 9);
    expect(row.costUncachedUsd).toBeCloseTo(perMtok(row.inputTokens + cached, 0.4) + perMtok(row.outputTokens, 1.6), 9);
    expect(row.costUncachedUsd ?? 0).toBeGreaterThan(row.costTotalUsd ?? Infinity);
  });
});

/**
 * The gateway's automatic breakpoints (cache.prompt_cache defaults): callers that set no cache_control at all get their
 * long prefix written on the first call and read on the second, on the fast path and on the translating path.
 */
describe('automatic breakpoints, placed by the gateway, are written then read', () => {
  it('on the fast path (Anthropic caller, no cache_control of its own)', async () => {
    const rows: LedgerRow[] = [];
    for (const question of ['First?', 'Second?']) {
      const { response } = await autoAnthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 20, tools, system: longText(1500, 'auto'), messages: [{ role: 'user', content: question }] }).withResponse();
      const [row] = await auto.rowsOf(response.headers.get('x-jevons-request-id') ?? '');
      if (row !== undefined) rows.push(row);
    }
    const sent = auto.emulator.requests.at(-1)?.body as { system: unknown };
    expect(JSON.stringify(sent.system)).toContain('"cache_control":{"type":"ephemeral"}');
    expect(rows[0]?.cacheWrite5mTokens).toBeGreaterThan(1500);
    expect(rows[1]?.cacheReadTokens).toBeGreaterThan(1500);
    expect(rows[1]?.costUncachedUsd).toBeGreaterThan(rows[1]?.costTotalUsd ?? Infinity);
  });

  it('on the translating path (OpenAI caller routed to Claude)', async () => {
    const rows: LedgerRow[] = [];
    for (const question of ['First?', 'Second?']) {
      const { response } = await autoOpenAI.chat.completions.create({ model: 'claude-sonnet-4-5', messages: [{ role: 'system', content: longText(1500, 'cross') }, { role: 'user', content: question }] }).withResponse();
      const [row] = await auto.rowsOf(response.headers.get('x-jevons-request-id') ?? '');
      if (row !== undefined) rows.push(row);
    }
    const sent = auto.emulator.requests.at(-1)?.body as { system: unknown };
    expect(JSON.stringify(sent.system)).toContain('cache_control');
    expect(rows[0]?.cacheWrite5mTokens).toBeGreaterThan(1500);
    expect(rows[1]?.cacheReadTokens).toBeGreaterThan(1500);
  });
});

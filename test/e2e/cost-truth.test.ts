/**
 * Cost truth through the real `openai` SDK, the gateway and the emulator: service tiers named by the response,
 * dated configured prices, streams cut off by the upstream, and unpriced calls counted in /metrics.
 * Expected costs are computed by hand from the published prices:
 *   gpt-5-mini standard $0.25 input / $2.00 output per Mtok; flex is the Batch rate, 50%
 *     (https://platform.openai.com/docs/guides/flex-processing)
 *   gpt-4o priority $4.25 input / $17.00 output (https://openai.com/api-priority-processing/)
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emu, startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let client: OpenAI;
const logs: string[] = [];

beforeAll(async () => {
  stack = await startStack({
    logs,
    config: {
      models: [
        {
          name: 'house-4o',
          provider: 'openai',
          model: 'gpt-4o',
          price: [
            { input_per_mtok: 1, output_per_mtok: 2 },
            { effective_from: '2026-01-01', input_per_mtok: 3, output_per_mtok: 4 },
            { effective_from: '2099-01-01', input_per_mtok: 100, output_per_mtok: 100 },
          ],
        },
      ],
    },
  });
  client = new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: 'unused', maxRetries: 0 });
});
afterAll(() => stack.close());

const usage = { usage: { input: 1_000, output: 100 } };

describe('service tiers', () => {
  it('prices a flex response at the flex rate', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'gpt-5-mini', service_tier: 'flex', messages: [{ role: 'user', content: `Hi ${emu(usage)}` }] })
      .withResponse();
    expect(data.service_tier).toBe('flex');
    const [row] = await stack.rowsOf(response.headers.get('x-jevons-request-id') ?? '');
    // 1000 x 0.125 + 100 x 1.00, per million.
    expect(row).toMatchObject({ serviceTier: 'flex', costInputUsd: 0.000125, costOutputUsd: 0.0001, costTotalUsd: 0.000225, priceRef: 'genai-prices:openai/gpt-5-mini' });
  });

  it('prices a priority response at the published priority prices, in a stream too', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-4o', service_tier: 'priority', stream: true, messages: [{ role: 'user', content: `Hi ${emu(usage)}` }] });
    for await (const chunk of stream) void chunk;
    // 1000 x 4.25 + 100 x 17.00, per million.
    expect(await stack.lastRow()).toMatchObject({ streamed: true, serviceTier: 'priority', costTotalUsd: 0.00595 });
  });

  it('a standard response is standard', async () => {
    await client.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: `Hi ${emu(usage)}` }] });
    // 1000 x 2.00 + 100 x 8.00, per million.
    expect(await stack.lastRow()).toMatchObject({ serviceTier: 'standard', costTotalUsd: 0.0028 });
  });
});

describe('dated configured prices', () => {
  // The house-4o price is a price for the upstream model gpt-4o: it applies to every call that gpt-4o serves.
  it('prices with the version in force when the call started, and names it in the row', async () => {
    await client.chat.completions.create({ model: 'house-4o', messages: [{ role: 'user', content: `Hi ${emu(usage)}` }] });
    // The 2026-01-01 version: 1000 x 3 + 100 x 4, per million; the 2099 version is not in force yet.
    expect(await stack.lastRow()).toMatchObject({ requestedModel: 'house-4o', priceRef: 'config:models.house-4o@2026-01-01', costTotalUsd: 0.0034 });
  });
});

describe('streams cut off by the upstream', () => {
  it('are metered from what was generated and flagged as estimated', async () => {
    const words = Array.from({ length: 60 }, (_, index) => `word${index}`).join(' ');
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: `Long ${emu({ reply: words, stream_error_after: 10 })}` }] });
    await expect(async () => {
      for await (const chunk of stream) void chunk;
    }).rejects.toThrow();
    const row = await stack.lastRow();
    expect(row).toMatchObject({ streamed: true, usageEstimated: true, clientAborted: false, errorCode: 'upstream_stream_incomplete' });
    expect(row.outputTokens).toBeGreaterThan(0);
    expect(row.outputTokens).toBeLessThan(60);
    expect(row.costTotalUsd).toBeGreaterThan(0);
  });
});

describe('unpriced calls', () => {
  it('are recorded as unpriced and counted in /metrics per provider and model', async () => {
    const metric = async (): Promise<number> => {
      const text = await (await fetch(`${stack.gateway.url}/metrics`)).text();
      const line = text.split('\n').find((candidate) => candidate.startsWith('jevons_unpriced_requests_total{provider="openai",model="my-finetune-without-price"}'));
      return line === undefined ? 0 : Number(line.split(' ').at(-1));
    };
    const before = await metric();
    for (let index = 0; index < 2; index += 1) {
      await client.chat.completions.create({ model: 'openai/my-finetune-without-price', messages: [{ role: 'user', content: 'Hi' }] });
    }
    expect(await stack.lastRow()).toMatchObject({ costTotalUsd: null, priceRef: null });
    expect(await metric()).toBe(before + 2);
    // Warned once per model, not once per request.
    const warnings = logs.filter((line) => line.includes('has no price') && line.includes('my-finetune-without-price'));
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0] ?? '{}')).toMatchObject({ level: 'warn', provider: 'openai', models: ['my-finetune-without-price'] });
    const response = await fetch(`${stack.gateway.url}/metrics`);
    expect(response.headers.get('content-type')).toContain('text/plain');
  });
});

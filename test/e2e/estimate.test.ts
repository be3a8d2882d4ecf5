/**
 * POST /v1/jevons/estimate against a real gateway in front of the emulator: estimates in both dialects, nothing sent
 * upstream, nothing written to the ledger, errors in the caller's dialect.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let strict: Stack;
const secret = 'jv-estimate-e2e-secret';

async function estimate(target: Stack, body: unknown, options: { query?: string; headers?: Record<string, string> } = {}) {
  const response = await fetch(`${target.gateway.url}/v1/jevons/estimate${options.query ?? ''}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...options.headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> & { error?: Record<string, unknown> } };
}

const anthropicHeaders = { 'anthropic-version': '2023-06-01' };
const question = [{ role: 'user', content: 'What is the capital of France? One word.' }];

beforeAll(async () => {
  stack = await startStack();
  strict = await startStack({
    env: { ESTIMATE_KEY: secret },
    config: { server: { host: '127.0.0.1', port: 0, auth: 'keys', max_body_bytes: 2048 }, keys: [{ name: 'ci', secret_env: 'ESTIMATE_KEY' }] },
  });
});
afterAll(async () => {
  await stack.close();
  await strict.close();
});

describe('POST /v1/jevons/estimate', () => {
  it('estimates an OpenAI chat body and an Anthropic messages body without sending anything upstream or metering', async () => {
    stack.emulator.clearRequests();
    const openai = await estimate(stack, { model: 'gpt-4o-mini', messages: question, max_tokens: 200, stream: true });
    expect(openai.status).toBe(200);
    expect(openai.json).toMatchObject({ dialect: 'openai', provider: 'openai', model: 'gpt-4o-mini', input_exact: true, input_method: 'tokenizer:o200k_base', max_output_tokens: 200, unpriced: false });
    // gpt-4o-mini: $0.15 in, $0.60 out per million tokens.
    expect(openai.json.worst_case_usd).toBeCloseTo(((openai.json.input_tokens as number) * 0.15 + 200 * 0.6) / 1e6, 12);

    const anthropic = await estimate(stack, { model: 'claude-haiku-4-5', max_tokens: 300, system: 'Be brief.', messages: question }, { headers: anthropicHeaders });
    expect(anthropic.status).toBe(200);
    expect(anthropic.json).toMatchObject({ dialect: 'anthropic', provider: 'anthropic', input_exact: false, input_method: 'estimate:anthropic', max_output_tokens: 300, max_output_source: 'request:max_tokens' });
    expect(anthropic.json.worst_case_usd).toBeCloseTo(((anthropic.json.reservation_input_tokens as number) * 1 + 300 * 5) / 1e6, 12);

    // The body shape alone selects the Anthropic dialect; the query parameter overrides the shape.
    const shaped = { model: 'gemini-2.5-flash', max_tokens: 50, system: 'Be brief.', messages: question };
    expect((await estimate(stack, shaped)).json).toMatchObject({ dialect: 'anthropic', provider: 'gemini', input_method: 'estimate:gemini' });
    const asOpenAI = await estimate(stack, { ...shaped, system: undefined, stop_sequences: ['\n'] }, { query: '?dialect=openai' });
    expect(asOpenAI.status).toBe(200);
    expect(asOpenAI.json).toMatchObject({ dialect: 'openai' });

    // An unpriced model gets null, never 0.
    const unpriced = await estimate(stack, { model: 'openai/house-model-7', messages: question, max_tokens: 10 });
    expect(unpriced.status).toBe(200);
    expect(unpriced.json).toMatchObject({ unpriced: true, worst_case_usd: null, input_usd: null, price_ref: null });

    expect(stack.emulator.requests).toEqual([]);
    await stack.gateway.writer.flush();
    expect(await stack.gateway.ledger.recent(10)).toEqual([]);
  });

  it('the same checks see a real call: it reaches the emulator and the ledger', async () => {
    stack.emulator.clearRequests();
    const response = await fetch(`${stack.openaiBaseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: question, max_tokens: 20 }),
    });
    expect(response.status).toBe(200);
    await response.text();
    expect(stack.emulator.requests).toHaveLength(1);
    await stack.gateway.writer.flush();
    expect(await stack.gateway.ledger.recent(10)).toHaveLength(1);
  });
});

describe('POST /v1/jevons/estimate errors, in the caller’s dialect', () => {
  it('bad JSON → 400', async () => {
    const openai = await estimate(stack, '{"model": "gpt-4o-mini", ');
    expect(openai.status).toBe(400);
    expect(openai.json.error).toMatchObject({ type: 'invalid_request_error', message: expect.stringContaining('not valid JSON') });
    const anthropic = await estimate(stack, '[1,', { headers: anthropicHeaders });
    expect(anthropic.status).toBe(400);
    expect(anthropic.json).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: expect.stringContaining('not valid JSON') } });
  });

  it('a bad body → 400 naming the field', async () => {
    const openai = await estimate(stack, { model: 'gpt-4o-mini', messages: 'hello' });
    expect(openai.status).toBe(400);
    expect(openai.json.error).toMatchObject({ param: 'messages' });
    const anthropic = await estimate(stack, { model: 'claude-haiku-4-5', messages: question }, { query: '?dialect=anthropic' });
    expect(anthropic.status).toBe(400);
    expect(anthropic.json).toMatchObject({ type: 'error', error: { message: expect.stringContaining('max_tokens') } });
    const missingModel = await estimate(stack, { messages: question });
    expect(missingModel.status).toBe(400);
    expect(missingModel.json.error).toMatchObject({ param: 'model' });
  });

  it('an unknown model → 404 naming it and listing what routes', async () => {
    const openai = await estimate(stack, { model: 'no-such-model', messages: question });
    expect(openai.status).toBe(404);
    expect(openai.json.error).toMatchObject({ param: 'model', message: expect.stringContaining('"no-such-model"') });
    const anthropic = await estimate(stack, { model: 'no-such-model', max_tokens: 5, messages: question }, { headers: anthropicHeaders });
    expect(anthropic.status).toBe(404);
    expect(anthropic.json).toMatchObject({ type: 'error', error: { type: 'not_found_error', message: expect.stringContaining('claude-*') } });
  });

  it('an untranslatable field → 400 naming it', async () => {
    const result = await estimate(stack, { model: 'claude-haiku-4-5', messages: question, logprobs: true });
    expect(result.status).toBe(400);
    expect(result.json.error).toMatchObject({ param: 'logprobs' });
  });

  it('is authenticated like the model routes, and bounded by the body limit', async () => {
    const body = { model: 'gpt-4o-mini', messages: question, max_tokens: 10 };
    expect((await estimate(strict, body)).status).toBe(401);
    expect((await estimate(strict, body, { headers: { authorization: 'Bearer jv-not-a-key' } })).status).toBe(401);
    const allowed = await estimate(strict, body, { headers: { authorization: `Bearer ${secret}` } });
    expect(allowed.status).toBe(200);
    expect(allowed.json).toMatchObject({ provider: 'openai', unpriced: false });
    const tooLarge = await estimate(strict, { ...body, messages: [{ role: 'user', content: 'x'.repeat(5000) }] }, { headers: { authorization: `Bearer ${secret}` } });
    expect(tooLarge.status).toBe(413);
    expect(strict.emulator.requests).toEqual([]);
  });
});

/**
 * Bad input and failure cases, per endpoint, over plain HTTP: each gets a clear error in the caller's dialect, and the
 * process keeps serving.
 */
import { createServer } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emu, startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let strict: Stack;
let closedPort: number;

async function post(base: string, path: string, body: string | object, headers: Record<string, string> = {}) {
  const response = await request(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, json: JSON.parse(text) as Record<string, never> };
}

beforeAll(async () => {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedPort = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  stack = await startStack();
  strict = await startStack({
    env: { TEST_KEY: 'jv-test-secret-123456' },
    config: {
      server: { host: '127.0.0.1', port: 0, auth: 'keys', max_body_bytes: 2048 },
      pricing: { unpriced: 'reject' },
      keys: [{ name: 'ci', secret_env: 'TEST_KEY', team: 'platform', feature: 'checks' }],
    },
  });
});
afterAll(async () => {
  await stack.close();
  await strict.close();
});

describe('malformed requests', () => {
  it('malformed JSON → 400 in each dialect, saying what is wrong', async () => {
    const openai = await post(stack.gateway.url, '/v1/chat/completions', '{"model": "gpt-4o-mini", ');
    expect(openai.status).toBe(400);
    expect(openai.json.error).toMatchObject({ type: 'invalid_request_error', message: expect.stringContaining('not valid JSON') });
    const anthropic = await post(stack.gateway.url, '/v1/messages', '[1,', { 'anthropic-version': '2023-06-01' });
    expect(anthropic.status).toBe(400);
    expect(anthropic.json).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: expect.stringContaining('not valid JSON') } });
  });

  it.each(['/v1/chat/completions', '/v1/embeddings', '/v1/responses', '/v1/messages', '/v1/messages/count_tokens'])('%s without a model → 400 naming model', async (path) => {
    const result = await post(stack.gateway.url, path, { messages: [] });
    expect(result.status).toBe(400);
    expect(JSON.stringify(result.json)).toContain('model');
  });

  it('a non-object body and a non-boolean stream are refused', async () => {
    expect((await post(stack.gateway.url, '/v1/chat/completions', '"text"')).status).toBe(400);
    const result = await post(stack.gateway.url, '/v1/chat/completions', { model: 'gpt-4o-mini', stream: 'yes', messages: [] });
    expect(result.status).toBe(400);
    expect(result.json.error).toMatchObject({ param: 'stream' });
  });

  it('a translated request is validated field by field', async () => {
    const result = await post(stack.gateway.url, '/v1/chat/completions', { model: 'claude-haiku-4-5', messages: 'hello' });
    expect(result.status).toBe(400);
    expect(JSON.stringify(result.json)).toContain('messages');
    const anthropic = await post(stack.gateway.url, '/v1/messages', { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }, { 'anthropic-version': '2023-06-01' });
    expect(anthropic.status).toBe(400);
    expect(JSON.stringify(anthropic.json)).toContain('max_tokens');
  });

  it('a body over the limit → 413', async () => {
    const result = await post(strict.gateway.url, '/v1/chat/completions', { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x'.repeat(5000) }] }, { authorization: 'Bearer jv-test-secret-123456' });
    expect(result.status).toBe(413);
    expect(result.json.error).toMatchObject({ message: expect.stringContaining('2048') });
  });

  it('a malformed x-jevons-tags header → 400 naming it', async () => {
    const result = await post(stack.gateway.url, '/v1/chat/completions', { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }, { 'x-jevons-tags': 'novalue' });
    expect(result.status).toBe(400);
    expect(result.json.error).toMatchObject({ message: expect.stringContaining('x-jevons-tags') });
  });
});

describe('routing and methods', () => {
  it('an unknown model → 404 listing what is available', async () => {
    const result = await post(stack.gateway.url, '/v1/chat/completions', { model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] });
    expect(result.status).toBe(404);
    expect(result.json.error).toMatchObject({ param: 'model', message: expect.stringContaining('claude-*') });
    const anthropic = await post(stack.gateway.url, '/v1/messages', { model: 'no-such-model', max_tokens: 5, messages: [] }, { 'anthropic-version': '2023-06-01' });
    expect(anthropic.json).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
  });

  it('wrong method → 405, unknown route → 404', async () => {
    const get = await request(`${stack.gateway.url}/v1/chat/completions`);
    expect(get.statusCode).toBe(405);
    await get.body.text();
    const missing = await request(`${stack.gateway.url}/v2/anything`, { method: 'POST', body: '{}' });
    expect(missing.statusCode).toBe(404);
    await missing.body.text();
  });

  it('embeddings for a model whose provider has none → 400', async () => {
    const result = await post(stack.gateway.url, '/v1/embeddings', { model: 'claude-haiku-4-5', input: 'x' });
    expect(result.status).toBe(400);
    expect(result.json.error).toMatchObject({ message: expect.stringContaining('anthropic') });
  });

  it('lists the routable models in the caller dialect', async () => {
    const openai = await request(`${stack.gateway.url}/v1/models`);
    const list = (await openai.body.json()) as { object: string; data: Array<{ id: string; owned_by: string }> };
    expect(list.object).toBe('list');
    expect(list.data).toEqual(expect.arrayContaining([
      { id: 'gpt-4o-mini', object: 'model', created: 0, owned_by: 'openai' },
      { id: 'claude-sonnet-4-5', object: 'model', created: 0, owned_by: 'anthropic' },
      { id: 'gemini-2.5-flash', object: 'model', created: 0, owned_by: 'gemini' },
    ]));
    const anthropic = await request(`${stack.gateway.url}/v1/models`, { headers: { 'anthropic-version': '2023-06-01' } });
    const page = (await anthropic.body.json()) as { data: Array<{ type: string; id: string }>; has_more: boolean };
    expect(page.has_more).toBe(false);
    expect(page.data).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'model', id: 'claude-haiku-4-5' })]));
  });
});

describe('upstream failures', () => {
  it('an unreachable upstream → 502 naming the provider, with a ledger row', async () => {
    const down = await startStack({ config: { providers: [{ name: 'down', type: 'openai', base_url: `http://127.0.0.1:${closedPort}/v1`, api_key: 'x' }] } });
    try {
      const result = await post(down.gateway.url, '/v1/chat/completions', { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
      expect(result.status).toBe(502);
      expect(result.json.error).toMatchObject({ message: expect.stringContaining('"down"') });
      expect(await down.lastRow()).toMatchObject({ provider: 'down', errorCode: 'upstream_unreachable', costTotalUsd: null });
    } finally {
      await down.close();
    }
  });

  it('an upstream slower than first_byte_ms → 504 naming the provider', async () => {
    const emulatorStack = await startStack();
    const slowStack = await startStack({ config: { providers: [{ name: 'slow', type: 'anthropic', base_url: emulatorStack.emulator.url, api_key: 'x', timeouts: { first_byte_ms: 200 } }] } });
    try {
      const result = await post(slowStack.gateway.url, '/v1/messages', { model: 'claude-haiku-4-5', max_tokens: 5, messages: [{ role: 'user', content: `hi ${emu({ latency_ms: 1500 })}` }] }, { 'anthropic-version': '2023-06-01' });
      expect(result.status).toBe(504);
      expect(result.json).toMatchObject({ type: 'error', error: { type: 'timeout_error', message: expect.stringContaining('"slow"') } });
      expect(await slowStack.lastRow()).toMatchObject({ errorCode: 'upstream_timeout' });
    } finally {
      await slowStack.close();
      await emulatorStack.close();
    }
  });
});

describe('keys and pricing policy', () => {
  const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `hi ${emu({ usage: { input: 3, output: 1 } })}` }] };

  it('requires a valid key in keys mode, in both header styles', async () => {
    expect((await post(strict.gateway.url, '/v1/chat/completions', body)).status).toBe(401);
    const wrong = await post(strict.gateway.url, '/v1/chat/completions', body, { authorization: 'Bearer jv-wrong' });
    expect(wrong.status).toBe(401);
    const ok = await post(strict.gateway.url, '/v1/chat/completions', body, { authorization: 'Bearer jv-test-secret-123456' });
    expect(ok.status).toBe(200);
    const viaApiKey = await post(strict.gateway.url, '/v1/messages', { model: 'claude-haiku-4-5', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }, { 'x-api-key': 'jv-test-secret-123456', 'anthropic-version': '2023-06-01' });
    expect(viaApiKey.status).toBe(200);
    expect(await strict.lastRow()).toMatchObject({ attribution: expect.objectContaining({ keyId: 'config:ci', team: 'platform', feature: 'checks' }) });
  });

  it('rejects an unpriced model with 403 when pricing.unpriced is reject', async () => {
    const result = await post(strict.gateway.url, '/v1/chat/completions', { ...body, model: 'openai/my-finetune-without-price' }, { authorization: 'Bearer jv-test-secret-123456' });
    expect(result.status).toBe(403);
    expect(result.json.error).toMatchObject({ message: expect.stringContaining('no price') });
    const anthropic = await post(strict.gateway.url, '/v1/messages', { model: 'anthropic/claude-house-finetune', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] }, { 'x-api-key': 'jv-test-secret-123456', 'anthropic-version': '2023-06-01' });
    expect(anthropic.status).toBe(403);
    expect(anthropic.json).toMatchObject({ type: 'error', error: { type: 'permission_error', message: expect.stringContaining('no price') } });
    expect(strict.emulator.requests.filter((request) => JSON.stringify(request).includes('claude-house-finetune'))).toHaveLength(0);
  });

  it('records an unpriced model as unpriced, never $0', async () => {
    const result = await post(stack.gateway.url, '/v1/chat/completions', { ...body, model: 'openai/my-finetune-without-price' });
    expect(result.status).toBe(200);
    expect(result.headers['x-jevons-cost-usd']).toBeUndefined();
    expect(await stack.lastRow()).toMatchObject({ inputTokens: 3, outputTokens: 1, costTotalUsd: null, priceRef: null });
  });
});

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModelCatalog } from '../pipeline/model-catalog.js';
import { authenticate, hashSecret } from '../policies/authenticate.js';
import { createPriceCatalog } from '../pricing/index.js';
import { resolveConfig } from '../spec/config/load-config.js';
import { GatewayError } from '../spec/errors.js';
import { countChatTokens, estimateSafetyFactor } from '../tokens/index.js';
import { createRequestListener } from './app.js';
import { createEstimateEndpoint, estimateDialect } from './estimate-endpoint.js';
import { createLogger } from './logger.js';
import { createProviderRuntimes, type ProviderRuntime } from './upstream/provider-runtime.js';

const at = (url: string, headers: Record<string, string> = {}) => ({ url, headers });

describe('estimateDialect', () => {
  it('takes the query parameter first, then anthropic-version, then the body shape, then openai', () => {
    const anthropicShape = { model: 'm', max_tokens: 10, messages: [] };
    expect(estimateDialect(at('/v1/jevons/estimate?dialect=openai', { 'anthropic-version': '2023-06-01' }), anthropicShape)).toBe('openai');
    expect(estimateDialect(at('/v1/jevons/estimate?dialect=anthropic'), { model: 'm', messages: [] })).toBe('anthropic');
    expect(estimateDialect(at('/v1/jevons/estimate', { 'anthropic-version': '2023-06-01' }), { model: 'm', max_completion_tokens: 5, messages: [] })).toBe('anthropic');
    expect(estimateDialect(at('/v1/jevons/estimate'), { ...anthropicShape, system: 'Be brief.' })).toBe('anthropic');
    expect(estimateDialect(at('/v1/jevons/estimate'), { ...anthropicShape, stop_sequences: ['\n'] })).toBe('anthropic');
    expect(estimateDialect(at('/v1/jevons/estimate'), { ...anthropicShape, thinking: { type: 'enabled', budget_tokens: 1024 } })).toBe('anthropic');
    // max_tokens is in both formats: alone it does not decide.
    expect(estimateDialect(at('/v1/jevons/estimate'), anthropicShape)).toBe('openai');
    expect(estimateDialect(at('/v1/jevons/estimate'), { model: 'm', messages: [] })).toBe('openai');
    expect(estimateDialect(at('/v1/jevons/estimate'), null)).toBe('openai');
  });

  it('lets OpenAI-only markers win over Anthropic-only ones', () => {
    expect(estimateDialect(at('/v1/jevons/estimate'), { model: 'm', top_k: 5, messages: [{ role: 'system', content: 'x' }] })).toBe('openai');
    expect(estimateDialect(at('/v1/jevons/estimate'), { model: 'm', system: 'x', messages: [{ role: 'tool', content: 'x', tool_call_id: 'c' }] })).toBe('openai');
    expect(estimateDialect(at('/v1/jevons/estimate'), { model: 'm', system: 'x', max_completion_tokens: 10, messages: [] })).toBe('openai');
    expect(estimateDialect(at('/v1/jevons/estimate'), { model: 'm', system: 'x', n: 2, messages: [{ role: 'user', content: 'x' }] })).toBe('openai');
    expect(estimateDialect(at('/v1/jevons/estimate'), { model: 'm', system: 'x', stream_options: { include_usage: true }, messages: [] })).toBe('openai');
  });

  it('refuses an unknown dialect once the body is known, naming the parameter', () => {
    expect(estimateDialect(at('/v1/jevons/estimate?dialect=gemini', { 'anthropic-version': '2023-06-01' }), null)).toBe('anthropic');
    const error = (() => {
      try {
        estimateDialect(at('/v1/jevons/estimate?dialect=gemini'), { model: 'm', messages: [] });
      } catch (thrown) {
        return thrown;
      }
      return null;
    })();
    expect(GatewayError.isInstance(error) && error.param).toBe('dialect');
    expect(String(error)).toContain('"gemini"');
  });
});

describe('POST /v1/jevons/estimate through the app', () => {
  const secret = 'jv-estimate-test-secret';
  let server: Server;
  let base: string;
  let runtimes: Map<string, ProviderRuntime>;
  let modelCalls = 0;

  beforeAll(async () => {
    const loaded = resolveConfig({
      source: 'test',
      env: {},
      input: {
        providers: [
          { name: 'openai', type: 'openai', base_url: 'http://127.0.0.1:9/v1', api_key: 'sk-unused' },
          { name: 'anthropic', type: 'anthropic', base_url: 'http://127.0.0.1:9', api_key: 'sk-ant-unused' },
        ],
      },
    });
    runtimes = createProviderRuntimes({ providers: loaded.config.providers, env: {}, requireKeys: false }).runtimes;
    const models = createModelCatalog({ providers: loaded.config.providers, models: [] });
    const estimate = createEstimateEndpoint({
      authenticate: authenticate({ mode: 'keys', findKey: async (hash) => (hash === hashSecret(secret) ? { id: 'k', name: 'k', prefix: 'jv-est', createdAt: 0, revokedAt: null, defaults: { team: null, app: null, feature: null, customer: null } } : null) }),
      resolve: (model) => models.resolve(model),
      describe: () => models.describe(),
      runtimes,
      catalog: createPriceCatalog({}),
      count: countChatTokens,
      now: () => Date.UTC(2026, 0, 1),
    });
    let id = 0;
    const listener = createRequestListener({
      handle: async () => {
        modelCalls += 1;
      },
      maxBodyBytes: 1_000_000,
      newId: () => `req_${(id += 1)}`,
      now: () => 0,
      logger: createLogger({ level: 'silent' }),
      listModels: () => ({}),
      metrics: async () => ({ contentType: 'text/plain', body: '' }),
      estimate,
    });
    server = createServer(listener);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await Promise.all([...runtimes.values()].map((runtime) => runtime.pool.close()));
    expect(modelCalls).toBe(0);
  });

  const post = async (body: unknown, options: { query?: string; headers?: Record<string, string>; method?: string } = {}) => {
    const response = await fetch(`${base}/v1/jevons/estimate${options.query ?? ''}`, {
      method: options.method ?? 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}`, ...options.headers },
      ...(options.method === 'GET' ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    return { status: response.status, requestId: response.headers.get('x-jevons-request-id'), json: (await response.json()) as Record<string, unknown> };
  };
  const hello = [{ role: 'user', content: 'Say hello in one word.' }];

  it('answers an OpenAI body with the estimate in snake_case and the resolved provider', async () => {
    const result = await post({ model: 'gpt-4o', messages: hello, max_completion_tokens: 100 });
    expect(result.status).toBe(200);
    expect(result.requestId).toMatch(/^req_/);
    expect(result.json).toMatchObject({
      object: 'jevons.cost_estimate',
      requested_model: 'gpt-4o',
      provider: 'openai',
      price_family: 'openai',
      dialect: 'openai',
      model: 'gpt-4o',
      input_exact: true,
      input_method: 'tokenizer:o200k_base',
      safety_factor: null,
      max_output_tokens: 100,
      max_output_source: 'request:max_completion_tokens',
      choices: 1,
      service_tier: 'standard',
      unpriced: false,
      unpriced_reason: null,
    });
    const tokens = result.json.input_tokens as number;
    expect(result.json.worst_case_usd).toBeCloseTo((tokens * 2.5 + 100 * 10) / 1e6, 12);
  });

  it('keeps what a forwarded OpenAI call keeps: n multiplies the output, logprobs are fine, service_tier prices', async () => {
    const result = await post({ model: 'gpt-4o', messages: hello, max_tokens: 100, n: 3, logprobs: true, service_tier: 'priority' });
    expect(result.status).toBe(200);
    expect(result.json).toMatchObject({ choices: 3, service_tier: 'priority', max_output_source: 'request:max_tokens' });
    expect(result.json.worst_case_usd).toBeCloseTo(((result.json.input_tokens as number) * 4.25 + 300 * 17) / 1e6, 12);
  });

  it('refuses a forwarded field it cannot count, naming it', async () => {
    const result = await post({ model: 'gpt-4o', messages: hello, audio: { voice: 'alloy', format: 'wav' }, modalities: ['text', 'audio'] });
    expect(result.status).toBe(400);
    expect(result.json.error).toMatchObject({ type: 'invalid_request_error', param: 'audio', message: expect.stringContaining('audio: cannot be estimated') });
  });

  it('prices an Anthropic body that asks for caching at the cache-write rate, with the safety factor', async () => {
    const body = { model: 'claude-haiku-4-5', max_tokens: 1_000, messages: [{ role: 'user', content: 'Summarise the attached notes.' }] };
    const plain = await post(body, { headers: { 'anthropic-version': '2023-06-01' } });
    const cached = await post({ ...body, system: [{ type: 'text', text: 'Notes.', cache_control: { type: 'ephemeral', ttl: '1h' } }] }, { headers: { 'anthropic-version': '2023-06-01' } });
    expect(plain.json).toMatchObject({ dialect: 'anthropic', provider: 'anthropic', input_exact: false, input_method: 'estimate:anthropic', safety_factor: estimateSafetyFactor('anthropic'), max_output_source: 'request:max_tokens' });
    expect(plain.json.reservation_input_tokens).toBe(Math.ceil((plain.json.input_tokens as number) * estimateSafetyFactor('anthropic')));
    expect(plain.json.worst_case_usd).toBeCloseTo(((plain.json.reservation_input_tokens as number) * 1 + 1_000 * 5) / 1e6, 12);
    expect(cached.json.worst_case_usd).toBeCloseTo(((cached.json.reservation_input_tokens as number) * 2 + 1_000 * 5) / 1e6, 12);
  });

  it('bounds a translated call without a limit by the max_tokens the translation would send', async () => {
    const result = await post({ model: 'claude-haiku-4-5', messages: hello });
    expect(result.status).toBe(200);
    expect(result.json).toMatchObject({ dialect: 'openai', provider: 'anthropic', max_output_tokens: 16_384, max_output_source: 'upstream-default' });
  });

  it('refuses what the translation would refuse, in the caller’s dialect', async () => {
    const result = await post({ model: 'claude-haiku-4-5', messages: hello, n: 2 });
    expect(result.status).toBe(400);
    expect(result.json.error).toMatchObject({ param: 'n', message: expect.stringContaining('n') });
  });

  it('authenticates like the model routes and allows only POST', async () => {
    const anonymous = await post({ model: 'claude-haiku-4-5', max_tokens: 5, system: 'Be brief.', messages: hello }, { headers: { authorization: '' } });
    expect(anonymous.status).toBe(401);
    expect(anonymous.json).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    const get = await post(null, { method: 'GET', query: '?dialect=anthropic' });
    expect(get.status).toBe(405);
    expect(get.json).toMatchObject({ type: 'error' });
  });

  it('renders errors in the dialect the query names, before and after the body is read', async () => {
    const badJson = await post('{"model": ', { query: '?dialect=anthropic' });
    expect(badJson.status).toBe(400);
    expect(badJson.json).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: expect.stringContaining('not valid JSON') } });
    const badDialect = await post({ model: 'gpt-4o', messages: hello }, { query: '?dialect=cohere' });
    expect(badDialect.status).toBe(400);
    expect(badDialect.json.error).toMatchObject({ param: 'dialect' });
  });
});

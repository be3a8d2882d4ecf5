/**
 * The serving side of the semantic cache through the real `openai` and `@anthropic-ai/sdk` clients: a gateway
 * pipeline (attribute → route → response cache → meter → dispatcher) in front of the emulator, with a fake engine that
 * matches every question of a partition it has seen (the real engine's similarity and guards are tested with it).
 */
import Anthropic from '@anthropic-ai/sdk';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/index.js';
import { compose } from '../../src/pipeline/call.js';
import { createModelCatalog } from '../../src/pipeline/model-catalog.js';
import { attribute } from '../../src/policies/attribute.js';
import { responseCache, type SemanticCacheEngine, type ShadowHitRecord } from '../../src/policies/cache/response-cache-policy.js';
import { meter } from '../../src/policies/meter.js';
import { route } from '../../src/policies/route.js';
import { priceUsage } from '../../src/pricing/index.js';
import { priceCatalogFromConfig } from '../../src/providers/price-family.js';
import { createRequestListener } from '../../src/server/app.js';
import { replayAnswer } from '../../src/server/cache/replay.js';
import { createUncachedPricer } from '../../src/server/cache/uncached-price.js';
import { createDispatcher } from '../../src/server/dispatch/dispatch.js';
import type { DispatchDeps } from '../../src/server/dispatch/dispatch-deps.js';
import { createLogger } from '../../src/server/logger.js';
import { createProviderRuntimes } from '../../src/server/upstream/provider-runtime.js';
import { resolveConfig } from '../../src/spec/config/load-config.js';
import type { LedgerRow } from '../../src/spec/ledger.js';
import { createMemoryCacheStore } from '../../src/stores/memory/index.js';
import { emu } from '../support/stack.js';

type Emulator = Awaited<ReturnType<typeof startEmulator>>;

/** Matches any question of a partition it holds an entry for, at a fixed similarity. */
function fakeEngine(similarity: number): SemanticCacheEngine & { entries: Map<string, { text: string; payload: Uint8Array; storedAt: number }> } {
  const entries = new Map<string, { text: string; payload: Uint8Array; storedAt: number }>();
  return {
    entries,
    lookup: async ({ partition, threshold }) => {
      const entry = entries.get(partition);
      return entry === undefined || similarity < threshold ? null : { similarity, ...entry };
    },
    add: async ({ partition, text, payload }) => void entries.set(partition, { text, payload, storedAt: Date.now() }),
    close: async () => undefined,
  };
}

let emulator: Emulator;
let server: Server;
let engine: ReturnType<typeof fakeEngine>;
let mode: 'serve' | 'shadow' = 'serve';
const shadows: ShadowHitRecord[] = [];
const rows: LedgerRow[] = [];
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  const loaded = resolveConfig({
    source: 'test',
    env: {},
    input: {
      server: { auth: 'none' },
      providers: [
        { name: 'openai', type: 'openai', base_url: `${emulator.url}/v1`, api_key: 'sk-emulated' },
        { name: 'anthropic', type: 'anthropic', base_url: emulator.url, api_key: 'sk-ant-emulated' },
      ],
      // @anthropic-ai/sdk 1.x has no `temperature`: its calls sample by default, so sampled calls are cached here.
      cache: { exact: { sampled: 'cache' }, semantic: { enabled: true, threshold: 0.9 } },
    },
  });
  const config = loaded.config;
  const { runtimes } = createProviderRuntimes({ providers: config.providers, env: {}, requireKeys: true });
  const catalog = priceCatalogFromConfig(config);
  const deps: DispatchDeps = {
    runtimes,
    price: ({ runtime, models, usage, at }) => {
      const priced = priceUsage({ catalog, providerFamily: runtime.priceFamily, models, usage, at });
      return priced.kind === 'priced' ? { cost: priced.cost, ref: priced.entry.ref } : null;
    },
    countText: () => 0,
    countRequest: () => 0,
    passthroughCredentials: false,
    now: Date.now,
  };
  const models = createModelCatalog({ providers: config.providers, models: config.models });
  const meterRows = meter({ enqueue: (row) => rows.push(row), configHash: 'test', newId: () => `row-${rows.length}` });
  engine = fakeEngine(0.95);
  const cache = responseCache({
    exact: config.cache.exact,
    // The mode is read per call so one gateway can show both.
    get semantic() {
      return { ...config.cache.semantic, mode };
    },
    store: createMemoryCacheStore({ now: Date.now, maxEntries: 100 }),
    now: Date.now,
    replay: replayAnswer,
    priceUncached: createUncachedPricer(deps),
    semanticEngine: engine,
    recordShadowHit: (hit) => shadows.push(hit),
  });
  const handle = compose([attribute(), route({ resolve: (model) => models.resolve(model), describe: () => models.describe() }), meterRows, cache], createDispatcher(deps));
  let ids = 0;
  server = createServer(createRequestListener({ handle, maxBodyBytes: 1_000_000, newId: () => `req-${++ids}`, now: Date.now, logger: createLogger({ level: 'silent' }), listModels: () => ({}), metrics: async () => ({ contentType: 'text/plain', body: '' }) }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  openai = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'unused', maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: url, apiKey: 'unused', maxRetries: 0 });
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await emulator.close();
});
beforeEach(() => {
  engine.entries.clear();
  shadows.length = 0;
});

const question = (text: string) => `${text} ${emu({ reply: 'We open at nine.', usage: { input: 1_000, output: 100 } })}`;
const rowsOf = (requestId: string | null): LedgerRow[] => rows.filter((row) => row.requestId === requestId);

describe('semantic cache, mode serve', () => {
  it('answers a paraphrase from the cache in the OpenAI dialect, streamed, and meters it as a semantic hit', async () => {
    mode = 'serve';
    const first = await openai.chat.completions.create({ model: 'gpt-4o-mini', temperature: 0, messages: [{ role: 'user', content: question('When do you open?') }] }).withResponse();
    expect(first.response.headers.get('x-jevons-cache')).toBe('miss');
    const upstream = emulator.requests.length;
    const { data: stream, response } = await openai.chat.completions.create({ model: 'gpt-4o-mini', temperature: 0, stream: true, messages: [{ role: 'user', content: 'What time do you open?' }] }).withResponse();
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(emulator.requests.length).toBe(upstream);
    expect(text).toBe('We open at nine.');
    expect(response.headers.get('x-jevons-cache')).toBe('semantic-hit');
    expect(response.headers.get('x-jevons-cache-similarity')).toBe('0.9500');
    const [original] = rowsOf(first.response.headers.get('x-jevons-request-id'));
    expect(rowsOf(response.headers.get('x-jevons-request-id'))).toEqual([expect.objectContaining({ cacheSource: 'semantic', costTotalUsd: 0, costUncachedUsd: original?.costTotalUsd, inputTokens: 0, outputTokens: 0 })]);
  });

  it('answers in the Anthropic dialect and keeps other system prompts apart', async () => {
    mode = 'serve';
    const ask = (text: string, system?: string) => anthropic.messages.create({ model: 'claude-haiku-4-5', max_tokens: 100, ...(system ? { system } : {}), messages: [{ role: 'user', content: text }] }).withResponse();
    await ask(question('When do you open?'));
    const hit = await ask('What time do you open?');
    expect(hit.response.headers.get('x-jevons-cache')).toBe('semantic-hit');
    expect(hit.data.content).toEqual([expect.objectContaining({ type: 'text', text: 'We open at nine.' })]);
    const other = await ask(question('What time do you open?'), 'You are a pirate.');
    expect(other.response.headers.get('x-jevons-cache')).toBe('miss');
  });
});

describe('semantic cache, mode shadow', () => {
  it('calls upstream as usual and records the would-be hit with the answer it would have served', async () => {
    mode = 'shadow';
    await openai.chat.completions.create({ model: 'gpt-4o-mini', temperature: 0, messages: [{ role: 'user', content: question('When do you open?') }] });
    const upstream = emulator.requests.length;
    const { response } = await openai.chat.completions.create({ model: 'gpt-4o-mini', temperature: 0, messages: [{ role: 'user', content: `What time do you open? ${emu({ reply: 'Nine sharp.' })}` }] }).withResponse();
    expect(emulator.requests.length).toBe(upstream + 1);
    expect(response.headers.get('x-jevons-cache')).toBe('miss');
    expect(shadows).toEqual([expect.objectContaining({ requestId: response.headers.get('x-jevons-request-id'), model: 'gpt-4o-mini', similarity: 0.95, matchedQuestion: expect.stringContaining('When do you open?'), answerText: 'We open at nine.' })]);
    expect(rowsOf(response.headers.get('x-jevons-request-id')).map((row) => row.cacheSource)).toEqual([null]);
  });
});

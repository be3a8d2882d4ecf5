import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';
import { createModelCatalog } from '../../pipeline/model-catalog.js';
import type { ProviderConfig } from '../../spec/config/config-schema.js';
import { configSchema } from '../../spec/config/config-schema.js';
import { createProviderRuntimes } from '../upstream/provider-runtime.js';
import { createEmbeddingsClient, createSemanticEmbedder } from './embeddings-client.js';

let emulator: RunningEmulator;
let providers: ProviderConfig[];
let runtimes: ReturnType<typeof createProviderRuntimes>['runtimes'];
let resolve: (model: string) => ReturnType<ReturnType<typeof createModelCatalog>['resolve']>;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  providers = configSchema.parse({
    providers: [
      { name: 'openai', type: 'openai', base_url: `${emulator.url}/v1`, api_key: 'sk-test' },
      { name: 'gemini', type: 'gemini', base_url: emulator.url, api_key: 'g-test' },
      { name: 'ollama', type: 'openai-compatible', base_url: `${emulator.url}/v1`, api_key: 'x' },
      { name: 'anthropic', type: 'anthropic', base_url: emulator.url, api_key: 'a-test' },
    ],
  }).providers;
  runtimes = createProviderRuntimes({ providers, env: {}, requireKeys: false }).runtimes;
  const catalog = createModelCatalog({ providers, models: [] });
  resolve = (model) => catalog.resolve(model);
});

afterAll(async () => {
  for (const runtime of runtimes.values()) await runtime.pool.close();
  await emulator.close();
});

const norm = (vector: Float32Array | undefined) => Math.hypot(...(vector ?? []));

describe('embeddings client', () => {
  it('embeds through an OpenAI provider (/v1/embeddings), unit-length, with the LRU in front', async () => {
    const { embedder } = createEmbeddingsClient({ model: 'text-embedding-3-small', dimensions: 64, resolve, runtimes });
    if (!embedder) throw new Error('no embedder');
    emulator.clearRequests();
    const [a, b] = await embedder.embed(['hello world', 'goodbye']);
    expect(a?.length).toBe(64);
    expect(norm(a)).toBeCloseTo(1, 5);
    expect(a).not.toEqual(b);
    const [again] = await embedder.embed(['hello world']);
    expect(again).toEqual(a);
    expect(emulator.requests).toHaveLength(1);
    expect(emulator.requests[0]?.path).toBe('/v1/embeddings');
    expect(emulator.requests[0]?.body).toMatchObject({ model: 'text-embedding-3-small', input: ['hello world', 'goodbye'], dimensions: 64, encoding_format: 'float' });
    expect(emulator.requests[0]?.headers.authorization).toBe('Bearer sk-test');
    expect(embedder.id).toBe('model:openai/text-embedding-3-small:64');
  });

  it('embeds through Gemini (:batchEmbedContents) and learns the native length', async () => {
    const { embedder } = createEmbeddingsClient({ model: 'gemini/text-embedding-004', resolve, runtimes });
    if (!embedder) throw new Error('no embedder');
    expect(embedder.dimensions).toBeNull();
    emulator.clearRequests();
    const [vector] = await embedder.embed(['hello world']);
    expect(vector?.length).toBe(768);
    expect(embedder.dimensions).toBe(768);
    expect(emulator.requests[0]?.path).toBe('/v1beta/models/text-embedding-004:batchEmbedContents');
    expect(emulator.requests[0]?.headers['x-goog-api-key']).toBe('g-test');
  });

  it('uses an openai-compatible provider (Ollama, vLLM) named <provider>/<model>, without sending dimensions', async () => {
    const { embedder } = createEmbeddingsClient({ model: 'ollama/nomic-embed-text', resolve, runtimes });
    emulator.clearRequests();
    const [vector] = (await embedder?.embed(['hi'])) ?? [];
    expect(vector?.length).toBe(1536);
    expect(emulator.requests[0]?.body).not.toHaveProperty('dimensions');
  });

  it('reports unknown models and providers without embeddings', () => {
    expect(createEmbeddingsClient({ model: 'no-such-model', resolve, runtimes }).problem).toMatch(/does not resolve/);
    expect(createEmbeddingsClient({ model: 'claude-3-5-haiku', resolve, runtimes }).problem).toMatch(/no embeddings endpoint/);
  });

  it('turns a provider error into a GatewayError', async () => {
    const { embedder } = createEmbeddingsClient({ model: 'text-embedding-3-small', resolve, runtimes });
    await expect(embedder?.embed(['[[emu:{"error":{"status":500}}]]'])).rejects.toMatchObject({ code: 'upstream_bad_response' });
  });

  it('builds the local embedder from config', () => {
    expect(createSemanticEmbedder({ type: 'local', dimensions: 128 }, { resolve, runtimes }).embedder?.dimensions).toBe(128);
  });
});

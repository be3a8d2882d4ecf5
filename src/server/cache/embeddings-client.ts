/**
 * The semantic cache's model embedder: calls an embeddings model through the gateway's OWN configured providers
 * (their base URL, key and keep-alive pool), so any embeddings model the gateway can reach works, with no second set
 * of credentials. Wires:
 * - openai and openai-compatible (OpenAI, Ollama, vLLM, ...): `POST {base}/embeddings`
 *   https://platform.openai.com/docs/api-reference/embeddings/create ; `dimensions` sent only when configured
 *   (hosts that cannot shorten vectors reject it).
 * - gemini: `POST /v1beta/models/{model}:batchEmbedContents` https://ai.google.dev/api/embeddings
 * - anthropic has no embeddings endpoint: refused when built.
 * Vectors are re-normalised to unit length (Gemini's shortened vectors are not) and checked for a constant length.
 * A small LRU of recent embeddings sits in front (createCachedEmbedder).
 */
import { z } from 'zod';
import type { RouteTarget } from '../../pipeline/call.js';
import { createCachedEmbedder } from '../../policies/cache/semantic/cached-embedder.js';
import { createLocalEmbedder } from '../../policies/cache/semantic/local-embedder.js';
import type { Embedder } from '../../spec/semantic-cache.js';
import type { EmbedderConfig } from '../../spec/config/cache-schema.js';
import { GatewayError } from '../../spec/errors.js';
import { authHeaders, type ProviderRuntime } from '../upstream/provider-runtime.js';
import { mapTransportError } from '../upstream/upstream-client.js';

export interface EmbeddingsClientOptions {
  /** The public model name, resolved like a request's model (models[], `<provider>/<model>`, family). */
  model: string;
  /** Requested vector length; omitted = the model's native length. */
  dimensions?: number;
  resolve: (model: string) => RouteTarget | null;
  runtimes: ReadonlyMap<string, ProviderRuntime>;
  /** Recent embeddings kept. Default 1,000. */
  lruSize?: number;
}

const openAiResponse = z.object({ data: z.array(z.object({ index: z.number().int(), embedding: z.array(z.number()) })) });
const geminiResponse = z.object({ embeddings: z.array(z.object({ values: z.array(z.number()) })) });

function normalise(values: readonly number[]): Float32Array {
  const vector = Float32Array.from(values);
  let norm = 0;
  for (const value of vector) norm += value * value;
  if (norm > 0) {
    const scale = 1 / Math.sqrt(norm);
    for (let i = 0; i < vector.length; i++) vector[i] = (vector[i] ?? 0) * scale;
  }
  return vector;
}

interface WireRequest {
  path: string;
  body: unknown;
  parse: (data: unknown) => number[][] | null;
}

function wireRequest(runtime: ProviderRuntime, upstreamModel: string, texts: readonly string[], dimensions: number | undefined): WireRequest {
  if (runtime.wire === 'gemini') {
    const name = `models/${upstreamModel}`;
    return {
      path: `/v1beta/${name}:batchEmbedContents`,
      body: { requests: texts.map((text) => ({ model: name, content: { parts: [{ text }] }, ...(dimensions ? { outputDimensionality: dimensions } : {}) })) },
      parse: (data) => {
        const parsed = geminiResponse.safeParse(data);
        return parsed.success ? parsed.data.embeddings.map((item) => item.values) : null;
      },
    };
  }
  return {
    path: '/embeddings',
    body: { model: upstreamModel, input: texts, encoding_format: 'float', ...(dimensions ? { dimensions } : {}) },
    parse: (data) => {
      const parsed = openAiResponse.safeParse(data);
      return parsed.success ? [...parsed.data.data].sort((a, b) => a.index - b.index).map((item) => item.embedding) : null;
    },
  };
}

async function post(runtime: ProviderRuntime, request: WireRequest): Promise<unknown> {
  const signal = AbortSignal.timeout(runtime.timeouts.total_ms);
  let response;
  try {
    response = await runtime.pool.request({
      method: 'POST',
      path: runtime.basePath + request.path,
      headers: { 'content-type': 'application/json', ...authHeaders(runtime, null) },
      body: JSON.stringify(request.body),
      signal,
      headersTimeout: runtime.timeouts.first_byte_ms,
      bodyTimeout: runtime.timeouts.first_byte_ms,
    });
  } catch (error) {
    throw mapTransportError({ error, runtime, timedOut: signal.aborted, clientAborted: false });
  }
  const text = await response.body.text();
  if (response.statusCode >= 400) {
    throw new GatewayError({ code: 'upstream_bad_response', message: `Provider "${runtime.name}" refused the embeddings request (HTTP ${response.statusCode}): ${text.slice(0, 200)}`, provider: runtime.name });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new GatewayError({ code: 'upstream_bad_response', message: `Provider "${runtime.name}" returned embeddings that are not JSON.`, provider: runtime.name, cause });
  }
}

/** The embedder, or the problem (naming the model) that prevents it: unknown model, provider without embeddings. */
export function createEmbeddingsClient(options: EmbeddingsClientOptions): { embedder: Embedder; problem?: undefined } | { embedder?: undefined; problem: string } {
  const target = options.resolve(options.model);
  const runtime = target ? options.runtimes.get(target.provider) : undefined;
  if (!target || !runtime) return { problem: `cache.semantic.embedder.model: "${options.model}" does not resolve to a configured provider` };
  if (runtime.wire === 'anthropic') return { problem: `cache.semantic.embedder.model: provider "${runtime.name}" (anthropic) has no embeddings endpoint` };
  let dimensions: number | null = options.dimensions ?? null;
  const inner: Embedder = {
    id: `model:${runtime.name}/${target.upstreamModel}:${options.dimensions ?? 'native'}`,
    get dimensions() {
      return dimensions;
    },
    async embed(texts) {
      if (texts.length === 0) return [];
      const request = wireRequest(runtime, target.upstreamModel, texts, options.dimensions);
      const vectors = request.parse(await post(runtime, request));
      if (vectors === null || vectors.length !== texts.length) {
        throw new GatewayError({ code: 'upstream_bad_response', message: `Provider "${runtime.name}" returned an embeddings body of an unexpected shape.`, provider: runtime.name });
      }
      return vectors.map((values) => {
        dimensions ??= values.length;
        if (values.length !== dimensions) {
          throw new GatewayError({ code: 'upstream_bad_response', message: `Provider "${runtime.name}" returned a vector of ${values.length} dimensions, expected ${dimensions}.`, provider: runtime.name });
        }
        return normalise(values);
      });
    },
  };
  return { embedder: createCachedEmbedder(inner, { maxEntries: options.lruSize }) };
}

/** The embedder `cache.semantic.embedder` asks for: the built-in local one, or a model through the providers. */
export function createSemanticEmbedder(
  config: EmbedderConfig,
  providers: Pick<EmbeddingsClientOptions, 'resolve' | 'runtimes'>,
): { embedder: Embedder; problem?: undefined } | { embedder?: undefined; problem: string } {
  if (config.type === 'local') return { embedder: createLocalEmbedder({ dimensions: config.dimensions }) };
  return createEmbeddingsClient({ model: config.model, dimensions: config.dimensions, ...providers });
}

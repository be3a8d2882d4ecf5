/**
 * One cached answer, dialect-neutral: the canonical response plus what accounting needs to show, on a hit, what was
 * served and what it would have cost (the original provider, models, token usage and price). Stored as JSON bytes in
 * the CacheStore (exact) and as the payload of a semantic entry; read back through a schema, never cast.
 */
import { z } from 'zod';
import type { ChatResponse } from '../../spec/canonical.js';
import { serviceTiers, type TokenUsage } from '../../spec/usage.js';

export interface CachedAnswer {
  v: 1;
  /** Epoch ms when the answer was stored (x-jevons-cache-age). */
  storedAt: number;
  response: ChatResponse;
  provider: string;
  upstreamModel: string;
  servedModel: string | null;
  /** The original call's usage, as the provider reported it. */
  usage: TokenUsage;
  priceRef: string | null;
  /** The original call's cost, null when it was unpriced. */
  costUsd: number | null;
}

const count = z.number().int().nonnegative();

const usageSchema = z.object({
  inputTokens: count,
  cacheReadTokens: count,
  cacheWrite5mTokens: count,
  cacheWrite1hTokens: count,
  outputTokens: count,
  reasoningTokens: count,
  inputAudioTokens: count.optional(),
  inputImageTokens: count.optional(),
  cacheReadAudioTokens: count.optional(),
  outputAudioTokens: count.optional(),
  outputImageTokens: count.optional(),
  serviceTier: z.enum(serviceTiers).optional(),
});

const partSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string() }),
  z.object({ type: z.literal('tool-call'), id: z.string(), name: z.string(), arguments: z.string() }),
  z.object({ type: z.literal('reasoning'), text: z.string(), signature: z.string().optional(), redactedData: z.string().optional() }),
]);

const answerSchema = z.object({
  v: z.literal(1),
  storedAt: z.number(),
  response: z.object({
    id: z.string(),
    model: z.string(),
    created: z.number(),
    content: z.array(partSchema),
    finishReason: z.enum(['stop', 'length', 'tool-calls', 'content-filter', 'stop-sequence', 'refusal', 'other']),
    stopSequence: z.string().optional(),
    usage: usageSchema,
  }),
  provider: z.string(),
  upstreamModel: z.string(),
  servedModel: z.string().nullable(),
  usage: usageSchema,
  priceRef: z.string().nullable(),
  costUsd: z.number().nullable(),
});

export function encodeAnswer(answer: CachedAnswer): Uint8Array {
  return Buffer.from(JSON.stringify(answer), 'utf8');
}

/** The answer in `bytes`, or null when they are not one (a format from another version, corruption). */
export function decodeAnswer(bytes: Uint8Array): CachedAnswer | null {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch {
    return null;
  }
  const parsed = answerSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}

/** The visible text of an answer (shadow-mode review). */
export const answerText = (response: ChatResponse): string =>
  response.content.map((part) => (part.type === 'text' ? part.text : part.type === 'tool-call' ? `${part.name}(${part.arguments})` : '')).join('');

/**
 * Gemini countTokens, embedContent and batchEmbedContents.
 * https://ai.google.dev/api/tokens#method:-models.counttokens
 * https://ai.google.dev/api/embeddings
 */
import { z } from 'zod';
import { embeddingVector, vectorToArray } from './embedding-vectors.js';
import { beginExchange, sendError, type ExchangeContext } from './exchange.js';
import { generateRequestSchema, geminiConversation, geminiContentsSchema } from './gemini.js';
import { providerHeaders } from './provider-errors.js';
import { collectText, describeIssue } from './request-text.js';
import { sendJson, sleep } from './respond.js';
import { totalInput } from './usage-render.js';

const countRequestSchema = z.object({
  contents: geminiContentsSchema.nullish(),
  generateContentRequest: generateRequestSchema.nullish(),
});

const embedContentSchema = z.object({
  content: z.object({ parts: z.unknown().optional() }),
  outputDimensionality: z.number().int().positive().nullish(),
});
const batchEmbedSchema = z.object({
  requests: z.array(embedContentSchema.extend({ model: z.string().nullish() })).min(1),
});

/** Default embedding size: 3072 for gemini-embedding-001, 768 for text-embedding-004 and others. */
export function geminiEmbeddingDimensions(model: string): number {
  return model.startsWith('gemini-embedding') ? 3072 : 768;
}

/** Handles `models/{model}:countTokens`: `{totalTokens, promptTokensDetails}` (the default input formula). */
export async function handleGeminiCountTokens(ctx: ExchangeContext, model: string): Promise<void> {
  const parsed = countRequestSchema.safeParse(ctx.body);
  if (!parsed.success) return sendError(ctx, 'gemini', { status: 400, message: describeIssue(parsed.error) });
  const request = parsed.data.generateContentRequest ?? {
    contents: parsed.data.contents ?? [],
    systemInstruction: undefined,
    tools: undefined,
  };
  const conversation = { ...geminiConversation(request, model), maxTokens: undefined };
  const scenario = await beginExchange({ ctx, provider: 'gemini', conversation, stream: false });
  if (scenario === undefined) return;
  const total = totalInput(scenario.usage);
  const body = { totalTokens: total, promptTokensDetails: [{ modality: 'TEXT', tokenCount: total }] };
  sendJson(ctx.res, { status: 200, body, headers: providerHeaders('gemini', ctx.seq) });
}

function embeddingOf(parts: unknown, dimensions: number): { values: number[] } {
  const text = collectText(parts).join('\n');
  return { values: vectorToArray(embeddingVector(text, dimensions)) };
}

/** Handles `models/{model}:embedContent` → `{embedding: {values}}`. */
export async function handleEmbedContent(ctx: ExchangeContext, model: string): Promise<void> {
  await sleep(ctx.latencyMs);
  const parsed = embedContentSchema.safeParse(ctx.body);
  if (!parsed.success) return sendError(ctx, 'gemini', { status: 400, message: describeIssue(parsed.error) });
  const dimensions = parsed.data.outputDimensionality ?? geminiEmbeddingDimensions(model);
  const body = { embedding: embeddingOf(parsed.data.content.parts, dimensions) };
  sendJson(ctx.res, { status: 200, body, headers: providerHeaders('gemini', ctx.seq) });
}

/** Handles `models/{model}:batchEmbedContents` → `{embeddings: [{values}]}`. */
export async function handleBatchEmbedContents(ctx: ExchangeContext, model: string): Promise<void> {
  await sleep(ctx.latencyMs);
  const parsed = batchEmbedSchema.safeParse(ctx.body);
  if (!parsed.success) return sendError(ctx, 'gemini', { status: 400, message: describeIssue(parsed.error) });
  const embeddings = parsed.data.requests.map((request) =>
    embeddingOf(request.content.parts, request.outputDimensionality ?? geminiEmbeddingDimensions(model)),
  );
  sendJson(ctx.res, { status: 200, body: { embeddings }, headers: providerHeaders('gemini', ctx.seq) });
}

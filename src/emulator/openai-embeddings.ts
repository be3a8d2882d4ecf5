/**
 * OpenAI Embeddings, `POST /v1/embeddings`. https://platform.openai.com/docs/api-reference/embeddings/create
 * Input may be a string, an array of strings, an array of token ids, or an array of token-id arrays.
 */
import { countTokens } from 'gpt-tokenizer';
import { z } from 'zod';
import { readDirective } from './directive.js';
import { embeddingVector, vectorToArray, vectorToBase64 } from './embedding-vectors.js';
import { sendError, type ExchangeContext } from './exchange.js';
import { providerHeaders } from './provider-errors.js';
import { describeIssue } from './request-text.js';
import { sendJson, sleep } from './respond.js';

const tokenArray = z.array(z.number().int());
const embeddingsRequestSchema = z.object({
  model: z.string(),
  input: z.union([z.string(), z.array(z.string()).min(1), tokenArray.min(1), z.array(tokenArray).min(1)]),
  encoding_format: z.enum(['float', 'base64']).nullish(),
  dimensions: z.number().int().positive().nullish(),
});
type EmbeddingsRequest = z.infer<typeof embeddingsRequestSchema>;

/** Default dimensions: 3072 for text-embedding-3-large, 1536 otherwise (text-embedding-3-small, ada-002). */
export function openAiEmbeddingDimensions(model: string): number {
  return model.includes('3-large') ? 3072 : 1536;
}

interface EmbeddingInput {
  key: string;
  tokens: number;
}

function inputsOf(input: EmbeddingsRequest['input']): EmbeddingInput[] {
  if (typeof input === 'string') return [{ key: input, tokens: countTokens(input) }];
  const items: Array<string | number[]> = input.every((item) => typeof item === 'number')
    ? [input.filter((item) => typeof item === 'number')]
    : input.filter((item) => typeof item !== 'number');
  return items.map((item) =>
    typeof item === 'string' ? { key: item, tokens: countTokens(item) } : { key: JSON.stringify(item), tokens: item.length },
  );
}

/** Handles `POST /v1/embeddings`. A directive in the first string input may script latency or an error. */
export async function handleEmbeddings(ctx: ExchangeContext): Promise<void> {
  const parsed = embeddingsRequestSchema.safeParse(ctx.body);
  if (!parsed.success) return sendError(ctx, 'openai', { status: 400, message: describeIssue(parsed.error) });
  const request = parsed.data;
  const inputs = inputsOf(request.input);
  const read = readDirective(inputs[0]?.key ?? '');
  const directive = read.ok ? read.directive : undefined;
  await sleep(directive?.latency_ms ?? ctx.latencyMs);
  if (!read.ok) return sendError(ctx, 'openai', { status: 400, message: read.message });
  if (directive?.error !== undefined) {
    const { status, message, type, retry_after: retryAfter } = directive.error;
    return sendError(ctx, 'openai', { status, message, type, retryAfter });
  }
  const dimensions = request.dimensions ?? openAiEmbeddingDimensions(request.model);
  const base64 = request.encoding_format === 'base64';
  let tokens = 0;
  const data = inputs.map((input, index) => {
    tokens += input.tokens;
    const vector = embeddingVector(input.key, dimensions);
    return { object: 'embedding', index, embedding: base64 ? vectorToBase64(vector) : vectorToArray(vector) };
  });
  const body = { object: 'list', data, model: directive?.model ?? request.model, usage: { prompt_tokens: tokens, total_tokens: tokens } };
  sendJson(ctx.res, { status: 200, body, headers: providerHeaders('openai', ctx.seq) });
}

/**
 * Usage readers for the same-dialect fast path, where the caller's bytes go to OpenAI (or a compatible host) and
 * the response bytes come back unchanged: the gateway only READS them. Whole bodies are parsed once (they are small
 * next to the network time); stream events are tested with a regular expression first and only the usage chunk
 * is parsed on the hot path.
 */
import type { SseEvent } from '../shared/sse.js';
import type { StreamTap } from '../shared/stream-tap.js';
import type { TokenUsage } from '../../spec/usage.js';
import { z } from 'zod';
import { openaiChatChunkSchema, openaiEmbeddingsBodySchema, openaiUsageSchema } from './openai-api.js';
import { parseJson } from '../shared/parse-json.js';
import { readContent, readReasoning } from './openai-message-parts.js';
import { openaiEmbeddingsUsageToTokens, openaiUsageToTokens } from './openai-usage.js';

export { createOpenAIResponsesStreamTap, readOpenAIResponsesUsage } from './openai-responses-usage-tap.js';

export interface UsageRead {
  usage: TokenUsage | null;
  servedModel: string | null;
}

const usageBodySchema = z.object({ model: z.string().nullish(), usage: openaiUsageSchema.nullish(), service_tier: z.string().nullish() });

/** A non-streamed Chat Completions body → its usage (null when absent) and the model that served it. */
export function readOpenAIUsage(json: unknown): UsageRead {
  const parsed = usageBodySchema.safeParse(json);
  if (!parsed.success) return { usage: null, servedModel: null };
  return { usage: parsed.data.usage == null ? null : openaiUsageToTokens(parsed.data.usage, parsed.data.service_tier), servedModel: parsed.data.model ?? null };
}

/** An Embeddings body → usage (`usage.prompt_tokens` as input tokens) and model. */
export function readOpenAIEmbeddingsUsage(json: unknown): UsageRead {
  const parsed = openaiEmbeddingsBodySchema.safeParse(json);
  if (!parsed.success) return { usage: null, servedModel: null };
  return { usage: parsed.data.usage == null ? null : openaiEmbeddingsUsageToTokens(parsed.data.usage), servedModel: parsed.data.model ?? null };
}

/* String tests on raw event data. A quote inside a JSON string is escaped (\"), so these cannot match text the
 * model wrote; `\s*` allows hosts that serialise with spaces (`"choices": []`). */
const usageObject = /"usage"\s*:\s*\{/;
const emptyChoices = /"choices"\s*:\s*\[\s*\]/;
const finishReason = /"finish_reason"\s*:\s*"/;
const modelField = /"model"\s*:\s*"((?:[^"\\]|\\.)*)"/;

/**
 * True for the chunk that `stream_options.include_usage` adds before `[DONE]`: `choices: []` with a usage object.
 * The gateway asks for it even when the caller did not, and drops it for such a caller. No JSON parsing.
 */
export function isUsageOnlyChunk(event: SseEvent): boolean {
  return emptyChoices.test(event.data) && usageObject.test(event.data);
}

function chunkOutputText(data: string): string {
  const chunk = openaiChatChunkSchema.safeParse(parseJson(data));
  if (!chunk.success) return '';
  let text = '';
  for (const choice of chunk.data.choices ?? []) {
    const delta = choice.delta;
    if (delta == null) continue;
    const content = readContent(delta.content);
    text += readReasoning(delta) + content.reasoning + content.text + (delta.refusal ?? '');
    for (const call of delta.tool_calls ?? []) text += call.function?.arguments ?? '';
    text += delta.function_call?.arguments ?? '';
  }
  return text;
}

/**
 * A tap for a Chat Completions stream. Usage comes from the chunk carrying a `usage` object (the include_usage
 * chunk, or a host's final chunk); `finished` is true once a finish_reason or `[DONE]` went by. The output text is
 * assembled from the kept chunks only when result() is called.
 */
export function createOpenAIStreamTap(): StreamTap {
  let usage: TokenUsage | null = null;
  let servedModel: string | null = null;
  let finished = false;
  const kept: string[] = [];
  let outputText: string | null = null;
  const readUsage = (data: string) => {
    const chunk = openaiChatChunkSchema.safeParse(parseJson(data));
    const block = chunk.success ? (chunk.data.usage ?? chunk.data.x_groq?.usage) : null;
    if (block != null) usage = openaiUsageToTokens(block, chunk.data?.service_tier);
  };
  return {
    observe(event) {
      const data = event.data;
      if (data === '[DONE]') {
        finished = true;
        return;
      }
      if (servedModel === null) {
        const match = modelField.exec(data);
        if (match?.[1] !== undefined && match[1] !== '') servedModel = match[1];
      }
      if (usageObject.test(data)) readUsage(data);
      if (!finished && finishReason.test(data)) finished = true;
      kept.push(data);
      outputText = null;
    },
    result() {
      outputText ??= kept.map(chunkOutputText).join('');
      return { usage, servedModel, outputText, finished };
    },
  };
}

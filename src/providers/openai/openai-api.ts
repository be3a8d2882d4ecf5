/**
 * Lenient zod schemas of what OpenAI (and OpenAI-compatible hosts) send back: Chat Completions bodies and stream
 * chunks, error bodies, and the usage blocks of Embeddings and Responses. Every field is `.nullish()` and unknown
 * fields are stripped, so a host that adds or omits a field does not break the gateway; only the shapes the
 * converters rely on are checked.
 * Reference: https://platform.openai.com/docs/api-reference/chat/object and /chat/streaming.
 */
import { z } from 'zod';

const count = z.number().nullish();

/**
 * Chat Completions usage. `prompt_tokens` includes `prompt_tokens_details.cached_tokens` and `cache_write_tokens`;
 * `completion_tokens` includes `completion_tokens_details.reasoning_tokens`.
 * DeepSeek reports its cache split as top-level `prompt_cache_hit_tokens` / `prompt_cache_miss_tokens`
 * (https://api-docs.deepseek.com/api/create-chat-completion).
 */
export const openaiUsageSchema = z.object({
  prompt_tokens: count,
  completion_tokens: count,
  total_tokens: count,
  prompt_tokens_details: z
    .object({ cached_tokens: count, cache_write_tokens: count, audio_tokens: count })
    .nullish(),
  completion_tokens_details: z
    .object({
      reasoning_tokens: count,
      audio_tokens: count,
      accepted_prediction_tokens: count,
      rejected_prediction_tokens: count,
    })
    .nullish(),
  prompt_cache_hit_tokens: count,
  prompt_cache_miss_tokens: count,
});
export type OpenAIUsage = z.infer<typeof openaiUsageSchema>;

/** A content part some hosts send instead of a string (Mistral Magistral: `text` and `thinking` chunks). */
const contentPartSchema = z.object({
  type: z.string().nullish(),
  text: z.string().nullish(),
  thinking: z.array(z.object({ type: z.string().nullish(), text: z.string().nullish() })).nullish(),
});
export const openaiContentSchema = z.union([z.string(), z.array(contentPartSchema)]).nullish();
export type OpenAIContent = z.infer<typeof openaiContentSchema>;

const toolCallSchema = z.object({
  index: z.number().nullish(),
  id: z.string().nullish(),
  type: z.string().nullish(),
  function: z.object({ name: z.string().nullish(), arguments: z.string().nullish() }).nullish(),
});
export type OpenAIToolCall = z.infer<typeof toolCallSchema>;

/**
 * A message or a stream delta. `reasoning_content` (DeepSeek, vLLM) and `reasoning` (OpenRouter, Groq, Ollama,
 * newer vLLM) carry the model's visible reasoning on OpenAI-compatible hosts; OpenAI itself never sends them.
 * Unknown fields are kept so that a host's own reasoning field can be read by name.
 */
export const openaiMessageSchema = z.looseObject({
  role: z.string().nullish(),
  content: openaiContentSchema,
  refusal: z.string().nullish(),
  reasoning_content: z.string().nullish(),
  reasoning: z.string().nullish(),
  tool_calls: z.array(toolCallSchema).nullish(),
  function_call: z.object({ name: z.string().nullish(), arguments: z.string().nullish() }).nullish(),
});
export type OpenAIMessage = z.infer<typeof openaiMessageSchema>;

/** vLLM adds `stop_reason`: the stop string (or token id) that ended the choice. */
const stopReasonSchema = z.union([z.string(), z.number()]).nullish();

export const openaiErrorObjectSchema = z.object({
  message: z.string().nullish(),
  type: z.string().nullish(),
  param: z.string().nullish(),
  code: z.union([z.string(), z.number()]).nullish(),
});

export const openaiChatResponseSchema = z.object({
  id: z.string().nullish(),
  created: z.number().nullish(),
  model: z.string().nullish(),
  choices: z.array(
    z.object({
      index: z.number().nullish(),
      message: openaiMessageSchema,
      finish_reason: z.string().nullish(),
      stop_reason: stopReasonSchema,
    }),
  ),
  usage: openaiUsageSchema.nullish(),
  /** The tier that served (and bills) the request: default | flex | priority | scale. */
  service_tier: z.string().nullish(),
});
export type OpenAIChatResponse = z.infer<typeof openaiChatResponseSchema>;

/**
 * One `chat.completion.chunk`. With `stream_options.include_usage` the last chunk before `[DONE]` has
 * `choices: []` and the usage; Groq also reports usage as `x_groq.usage` on its last chunk
 * (https://console.groq.com/docs/api-reference#chat-create). A mid-stream failure arrives as `{"error": {...}}`.
 */
export const openaiChatChunkSchema = z.object({
  id: z.string().nullish(),
  created: z.number().nullish(),
  model: z.string().nullish(),
  choices: z
    .array(
      z.object({
        index: z.number().nullish(),
        delta: openaiMessageSchema.nullish(),
        finish_reason: z.string().nullish(),
        stop_reason: stopReasonSchema,
      }),
    )
    .nullish(),
  usage: openaiUsageSchema.nullish(),
  x_groq: z.object({ usage: openaiUsageSchema.nullish() }).nullish(),
  service_tier: z.string().nullish(),
  error: openaiErrorObjectSchema.nullish(),
});
export type OpenAIChatChunk = z.infer<typeof openaiChatChunkSchema>;

/**
 * Error bodies: OpenAI `{"error": {message, type, param, code}}`; vLLM and Mistral `{"object": "error", message,
 * type, code}`; FastAPI-style validation errors `{"detail": ...}`; some hosts `{"error": "text"}`.
 */
export const openaiErrorBodySchema = z.object({
  error: z.union([openaiErrorObjectSchema, z.string()]).nullish(),
  message: z.string().nullish(),
  type: z.string().nullish(),
  detail: z.unknown().optional(),
});

/** Embeddings: `usage.prompt_tokens` (no output tokens). https://platform.openai.com/docs/api-reference/embeddings/object */
export const openaiEmbeddingsBodySchema = z.object({
  model: z.string().nullish(),
  usage: z.object({ prompt_tokens: count, total_tokens: count }).nullish(),
});

/**
 * Responses API usage: `input_tokens` includes `input_tokens_details.cached_tokens` (and `cache_write_tokens`);
 * `output_tokens` includes `output_tokens_details.reasoning_tokens`.
 * https://platform.openai.com/docs/api-reference/responses/object
 */
export const openaiResponsesUsageSchema = z.object({
  input_tokens: count,
  input_tokens_details: z.object({ cached_tokens: count, cache_write_tokens: count }).nullish(),
  output_tokens: count,
  output_tokens_details: z.object({ reasoning_tokens: count }).nullish(),
  total_tokens: count,
});
export type OpenAIResponsesUsage = z.infer<typeof openaiResponsesUsageSchema>;

/** A Responses object, as returned whole or inside the `response.*` lifecycle stream events. */
export const openaiResponsesBodySchema = z.object({
  model: z.string().nullish(),
  usage: openaiResponsesUsageSchema.nullish(),
  service_tier: z.string().nullish(),
});

/** A Responses stream event, reduced to what the usage tap reads. */
export const openaiResponsesEventSchema = z.object({
  type: z.string().nullish(),
  delta: z.string().nullish(),
  response: openaiResponsesBodySchema.nullish(),
});

/**
 * Lenient zod schemas of what the Anthropic Messages API sends back: whole Message bodies, the SSE stream events and
 * error bodies. Fields are `.nullish()` and unknown fields are stripped, so a field Anthropic adds or omits does not
 * break the gateway; only the shapes the converters rely on are checked. Content blocks of types the canonical model
 * cannot carry (server tool use and results, container uploads, …) are kept as `{type}` and skipped by the converters.
 * References: https://docs.anthropic.com/en/api/messages (Message object),
 * https://docs.anthropic.com/en/docs/build-with-claude/streaming (event types), https://docs.anthropic.com/en/api/errors.
 */
import { z } from 'zod';

const count = z.number().nullish();

/**
 * Message usage. `input_tokens` EXCLUDES `cache_read_input_tokens` and `cache_creation_input_tokens`;
 * `cache_creation` splits the writes by TTL; `output_tokens` includes thinking (`output_tokens_details.thinking_tokens`
 * is a read-only breakdown). `iterations` (context-management compaction, beta) lists sampling iterations; a
 * `compaction` entry is billed but NOT included in the top-level counts.
 */
export const anthropicUsageSchema = z.object({
  input_tokens: count,
  cache_creation_input_tokens: count,
  cache_read_input_tokens: count,
  cache_creation: z.object({ ephemeral_5m_input_tokens: count, ephemeral_1h_input_tokens: count }).nullish(),
  output_tokens: count,
  output_tokens_details: z.object({ thinking_tokens: count }).nullish(),
  iterations: z
    .array(
      z.object({
        type: z.string().nullish(),
        input_tokens: count,
        cache_creation_input_tokens: count,
        cache_read_input_tokens: count,
        cache_creation: z.object({ ephemeral_5m_input_tokens: count, ephemeral_1h_input_tokens: count }).nullish(),
        output_tokens: count,
      }),
    )
    .nullish(),
  /** The tier that served the request: standard | priority | batch. */
  service_tier: z.string().nullish(),
});
export type AnthropicUsage = z.infer<typeof anthropicUsageSchema>;

/**
 * A content block, flat: `type` plus every field the interpreted types carry (text: `text`; thinking: `thinking`,
 * `signature`; redacted_thinking: `data`; tool_use: `id`, `name`, `input`). Other types (server_tool_use,
 * web_search_tool_result, container_upload, …) parse too and are skipped by the converters; a missing field of an
 * interpreted type is reported by the converter that needs it.
 */
const flatBlockSchema = z.object({
  type: z.string(),
  text: z.string().nullish(),
  thinking: z.string().nullish(),
  signature: z.string().nullish(),
  data: z.string().nullish(),
  id: z.string().nullish(),
  name: z.string().nullish(),
  input: z.unknown().optional(),
});
export type AnthropicContentBlock = z.infer<typeof flatBlockSchema>;

/** A block whose fields do not fit the flat shape is kept by its type alone (and skipped, or reported, by type). */
export const anthropicContentBlockSchema = z.union([flatBlockSchema, z.object({ type: z.string() }).transform((block): AnthropicContentBlock => ({ type: block.type }))]);

/** A Message object (non-streamed response body, and `message_start.message`). */
export const anthropicMessageSchema = z.object({
  id: z.string().nullish(),
  type: z.string().nullish(),
  model: z.string().nullish(),
  content: z.array(anthropicContentBlockSchema),
  stop_reason: z.string().nullish(),
  stop_sequence: z.string().nullish(),
  usage: anthropicUsageSchema.nullish(),
});
export type AnthropicMessage = z.infer<typeof anthropicMessageSchema>;

/** The error object of error bodies and of the in-stream `error` event. */
export const anthropicErrorObjectSchema = z.object({ type: z.string().nullish(), message: z.string().nullish() });

/** `{"type": "error", "error": {"type", "message"}, "request_id"}`. */
export const anthropicErrorBodySchema = z.object({
  type: z.string().nullish(),
  error: z.union([anthropicErrorObjectSchema, z.string()]).nullish(),
  message: z.string().nullish(),
  request_id: z.string().nullish(),
});

/** A content_block_delta's delta, flat: text_delta, input_json_delta, thinking_delta, signature_delta (others skipped). */
const deltaSchema = z.object({
  type: z.string(),
  text: z.string().nullish(),
  partial_json: z.string().nullish(),
  thinking: z.string().nullish(),
  signature: z.string().nullish(),
});

/** The stream events the decoder interprets, discriminated by `type`. Unknown event types are skipped, not failed. */
export const anthropicStreamEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('message_start'), message: anthropicMessageSchema.partial({ content: true }) }),
  z.object({
    type: z.literal('content_block_start'),
    index: z.number(),
    content_block: anthropicContentBlockSchema,
  }),
  z.object({ type: z.literal('content_block_delta'), index: z.number(), delta: deltaSchema }),
  z.object({ type: z.literal('content_block_stop'), index: z.number().nullish() }),
  z.object({
    type: z.literal('message_delta'),
    delta: z.object({ stop_reason: z.string().nullish(), stop_sequence: z.string().nullish() }).nullish(),
    usage: anthropicUsageSchema.nullish(),
  }),
  z.object({ type: z.literal('message_stop') }),
  z.object({ type: z.literal('ping') }),
  z.object({ type: z.literal('error'), error: anthropicErrorObjectSchema.nullish() }),
]);
export type AnthropicStreamEvent = z.infer<typeof anthropicStreamEventSchema>;

/** The event types of the current API; anything else is a newer type to skip (versioning policy). */
export const knownStreamEventTypes: ReadonlySet<string> = new Set([
  'message_start',
  'content_block_start',
  'content_block_delta',
  'content_block_stop',
  'message_delta',
  'message_stop',
  'ping',
  'error',
]);

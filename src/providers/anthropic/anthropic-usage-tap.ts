/**
 * Usage readers for the same-dialect fast path, where an Anthropic-dialect caller's bytes go to Anthropic and the
 * response bytes come back unchanged: the gateway only READS them. Only message_start (input usage, served model) and
 * message_delta (cumulative usage, stop reason) can carry usage, so only those are parsed as they pass; the other
 * events' data strings are kept and parsed lazily, when the output text is needed (an aborted stream's estimate).
 */
import { z } from 'zod';
import type { SseEvent } from '../shared/sse.js';
import type { StreamTap } from '../shared/stream-tap.js';
import type { TokenUsage } from '../../spec/usage.js';
import { anthropicStreamEventSchema, anthropicUsageSchema, type AnthropicUsage } from './anthropic-api.js';
import { parseJson } from '../shared/parse-json.js';
import { anthropicUsageToTokens, mergeAnthropicUsage } from './anthropic-usage.js';

export interface UsageRead {
  usage: TokenUsage | null;
  servedModel: string | null;
}

const usageBodySchema = z.object({ model: z.string().nullish(), usage: anthropicUsageSchema.nullish() });

/** A non-streamed Message body → its usage (null when absent) and the model that served it. */
export function readAnthropicUsage(json: unknown): UsageRead {
  const parsed = usageBodySchema.safeParse(json);
  if (!parsed.success) return { usage: null, servedModel: null };
  return { usage: parsed.data.usage == null ? null : anthropicUsageToTokens(parsed.data.usage), servedModel: parsed.data.model ?? null };
}

/* The event's type from its `event:` line (always sent by Anthropic), else from the data. A quote inside a JSON string
 * is escaped (\"), so the data test cannot match text the model wrote. */
const typeField = /"type"\s*:\s*"(message_start|message_delta|message_stop)"/;

function eventType(event: SseEvent): string | undefined {
  return event.event ?? typeField.exec(event.data)?.[1];
}

/** The visible output of one kept event: text, thinking and tool-call argument deltas (and text in a block start). */
function eventOutputText(data: string): string {
  const parsed = anthropicStreamEventSchema.safeParse(parseJson(data));
  if (!parsed.success) return '';
  const event = parsed.data;
  if (event.type === 'content_block_delta') return event.delta.text ?? event.delta.thinking ?? event.delta.partial_json ?? '';
  if (event.type === 'content_block_start') return event.content_block.text ?? event.content_block.thinking ?? '';
  return '';
}

/**
 * A tap for a Messages stream. Usage is merged field by field from message_start and every message_delta (latest
 * non-null value wins); `finished` is true once a stop reason or message_stop went by.
 */
export function createAnthropicStreamTap(): StreamTap {
  let usage: AnthropicUsage | null = null;
  let servedModel: string | null = null;
  let finished = false;
  const kept: string[] = [];
  let outputText: string | null = null;
  const read = (data: string) => {
    const parsed = anthropicStreamEventSchema.safeParse(parseJson(data));
    if (!parsed.success) return;
    const event = parsed.data;
    if (event.type === 'message_start') {
      servedModel = event.message.model ?? servedModel;
      if (event.message.usage != null) usage = mergeAnthropicUsage(usage, event.message.usage);
    } else if (event.type === 'message_delta') {
      if (event.usage != null) usage = mergeAnthropicUsage(usage, event.usage);
      if (event.delta?.stop_reason != null) finished = true;
    }
  };
  return {
    observe(event) {
      const type = eventType(event);
      if (type === 'message_start' || type === 'message_delta') read(event.data);
      else if (type === 'message_stop') finished = true;
      else if (type !== 'ping') {
        kept.push(event.data);
        outputText = null;
      }
    },
    result() {
      outputText ??= kept.map(eventOutputText).join('');
      return { usage: usage === null ? null : anthropicUsageToTokens(usage), servedModel, outputText, finished };
    },
  };
}

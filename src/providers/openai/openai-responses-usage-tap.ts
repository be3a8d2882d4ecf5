/**
 * Usage readers for the OpenAI Responses API (`POST /v1/responses`), which the gateway forwards without translating.
 * Usage is in the body's `usage`, or, streamed, in the terminal event's `response.usage`: `response.completed`, and
 * likewise `response.incomplete` and `response.failed`, whose work is billed too
 * (https://platform.openai.com/docs/api-reference/responses-streaming).
 */
import type { StreamTap } from '../shared/stream-tap.js';
import type { TokenUsage } from '../../spec/usage.js';
import { openaiResponsesBodySchema, openaiResponsesEventSchema } from './openai-api.js';
import { parseJson } from '../shared/parse-json.js';
import { openaiResponsesUsageToTokens } from './openai-usage.js';

/** A non-streamed Responses body → usage and the model that served it. */
export function readOpenAIResponsesUsage(json: unknown): { usage: TokenUsage | null; servedModel: string | null } {
  const parsed = openaiResponsesBodySchema.safeParse(json);
  if (!parsed.success) return { usage: null, servedModel: null };
  return { usage: parsed.data.usage == null ? null : openaiResponsesUsageToTokens(parsed.data.usage, parsed.data.service_tier), servedModel: parsed.data.model ?? null };
}

const terminalTypes = new Set(['response.completed', 'response.incomplete', 'response.failed']);
const terminalType = /"type"\s*:\s*"response\.(?:completed|incomplete|failed)"/;
const createdType = /"type"\s*:\s*"response\.created"/;
const deltaType = /"type"\s*:\s*"response\.[a-z_.]+\.delta"/;
const modelField = /"model"\s*:\s*"((?:[^"\\]|\\.)*)"/;

/** The event type from the `event:` line when present (OpenAI sends it), else from a string test of the data. */
function classify(event: { event: string | undefined; data: string }): 'terminal' | 'created' | 'delta' | 'other' {
  const name = event.event;
  if (name !== undefined && name !== '') {
    if (terminalTypes.has(name)) return 'terminal';
    if (name === 'response.created') return 'created';
    return name.endsWith('.delta') ? 'delta' : 'other';
  }
  if (terminalType.test(event.data)) return 'terminal';
  if (createdType.test(event.data)) return 'created';
  return deltaType.test(event.data) ? 'delta' : 'other';
}

/**
 * A tap for a Responses stream: parses only the terminal event (usage, model); keeps the `*.delta` events (output
 * text, reasoning summary and text, function-call arguments, refusals) for the lazily built output text.
 */
export function createOpenAIResponsesStreamTap(): StreamTap {
  let usage: TokenUsage | null = null;
  let servedModel: string | null = null;
  let finished = false;
  const kept: string[] = [];
  return {
    observe(event) {
      const kind = classify(event);
      if (kind === 'terminal') {
        finished = true;
        const parsed = openaiResponsesEventSchema.safeParse(parseJson(event.data));
        const response = parsed.success ? parsed.data.response : null;
        if (response?.usage != null) usage = openaiResponsesUsageToTokens(response.usage, response.service_tier);
        if (response?.model != null && response.model !== '') servedModel = response.model;
      } else if (kind === 'created' && servedModel === null) {
        const match = modelField.exec(event.data);
        if (match?.[1] !== undefined && match[1] !== '') servedModel = match[1];
      } else if (kind === 'delta') {
        kept.push(event.data);
      }
    },
    result() {
      let outputText = '';
      for (const data of kept) {
        const parsed = openaiResponsesEventSchema.safeParse(parseJson(data));
        if (parsed.success) outputText += parsed.data.delta ?? '';
      }
      return { usage, servedModel, outputText, finished };
    },
  };
}

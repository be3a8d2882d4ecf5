/**
 * A Chat Completions response body → the canonical ChatResponse. Only the first choice is read: the gateway never
 * asks an upstream for `n > 1`.
 */
import type { AssistantContentPart, ChatResponse } from '../../spec/canonical.js';
import { GatewayError } from '../../spec/errors.js';
import { emptyUsage } from '../../spec/usage.js';
import { openaiChatResponseSchema, openaiErrorObjectSchema } from './openai-api.js';
import { fromOpenAIFinishReason, readContent, readReasoning } from './openai-message-parts.js';
import { openaiUsageToTokens } from './openai-usage.js';

function badResponse(message: string, cause?: unknown): GatewayError {
  return new GatewayError({ code: 'upstream_bad_response', message, cause });
}

/**
 * Converts a non-streamed Chat Completions body. Content order in the canonical response: reasoning (from
 * OpenAI-compatible hosts), then text, then tool calls. A `refusal` with no content becomes the text, with finish
 * reason 'refusal'. Throws GatewayError 'upstream_bad_response' when the body has no usable choice (including a
 * 200 response that carries an `error` object, as some hosts send).
 */
export function fromOpenAIResponse(json: unknown): ChatResponse {
  const parsed = openaiChatResponseSchema.safeParse(json);
  if (!parsed.success) {
    const error = openaiErrorObjectSchema.safeParse(typeof json === 'object' && json !== null && 'error' in json ? json.error : undefined);
    const detail = error.success && error.data.message ? `: ${error.data.message}` : '';
    throw badResponse(`The upstream returned a body that is not a chat completion${detail}.`, parsed.error);
  }
  const body = parsed.data;
  const choice = body.choices[0];
  if (choice === undefined) throw badResponse('The upstream returned a chat completion with no choices.');
  const message = choice.message;
  const content: AssistantContentPart[] = [];
  const { text, reasoning: inlineReasoning } = readContent(message.content);
  const reasoning = readReasoning(message) || inlineReasoning;
  if (reasoning !== '') content.push({ type: 'reasoning', text: reasoning });
  const refused = text === '' && message.refusal != null && message.refusal !== '';
  if (text !== '') content.push({ type: 'text', text });
  else if (refused) content.push({ type: 'text', text: message.refusal ?? '' });
  (message.tool_calls ?? []).forEach((call, index) => {
    content.push({ type: 'tool-call', id: call.id ?? `call_${index}`, name: call.function?.name ?? '', arguments: call.function?.arguments ?? '' });
  });
  if (message.function_call != null && (message.tool_calls ?? []).length === 0) {
    content.push({ type: 'tool-call', id: 'call_0', name: message.function_call.name ?? '', arguments: message.function_call.arguments ?? '' });
  }
  const finish = refused ? { finishReason: 'refusal' as const } : fromOpenAIFinishReason(choice.finish_reason, choice.stop_reason);
  return {
    id: body.id ?? '',
    model: body.model ?? '',
    created: body.created ?? 0,
    content,
    ...finish,
    usage: body.usage == null ? emptyUsage() : openaiUsageToTokens(body.usage, body.service_tier),
  };
}

/**
 * A whole Gemini GenerateContentResponse → canonical ChatResponse. Only the first candidate is read (the gateway never
 * asks for more). Mapping of parts (https://ai.google.dev/api/caching#Part):
 * - `thought: true` text → reasoning (its own thoughtSignature, if any, as the signature);
 * - any other part carrying a thoughtSignature → a reasoning part with empty text and that signature placed just
 *   before the part's content, so a later turn can put the signature back where Gemini issued it;
 * - text → text; functionCall → tool-call with the call's id, or `call_<n>` (n-th call of the response) when Gemini
 *   gave none, and its args as a JSON text.
 * A prompt blocked before generation (`promptFeedback.blockReason`, no candidates) is an empty content-filter answer.
 * Gemini bodies carry no creation time: `created` is 0.
 */
import { describeFirstIssue } from '../../spec/format-path.js';
import type { AssistantContentPart, ChatResponse } from '../../spec/canonical.js';
import { GatewayError } from '../../spec/errors.js';
import { emptyUsage } from '../../spec/usage.js';
import { geminiResponseSchema, type GeminiPart } from './gemini-api.js';
import { mapGeminiFinishReason } from './gemini-finish-reason.js';
import { geminiUsageToTokens } from './gemini-usage.js';

/** The id given to the n-th function call of a response when Gemini sent none: stable across replays of one body. */
export const geminiToolCallId = (index: number): string => `call_${index}`;

/** Throws GatewayError 'upstream_bad_response' when the body is not a GenerateContentResponse. */
export function fromGeminiResponse(json: unknown): ChatResponse {
  const parsed = geminiResponseSchema.safeParse(json);
  if (!parsed.success) {
    throw new GatewayError({ code: 'upstream_bad_response', message: `Gemini returned an unexpected response body (${describeFirstIssue(parsed.error)}).` });
  }
  const body = parsed.data;
  const candidate = body.candidates?.[0];
  const content = partsToContent(candidate?.content?.parts ?? []);
  const hadFunctionCalls = content.some((part) => part.type === 'tool-call');
  const blockReason = body.promptFeedback?.blockReason;
  const finishReason =
    candidate?.finishReason != null
      ? mapGeminiFinishReason(candidate.finishReason, hadFunctionCalls)
      : blockReason != null
        ? 'content-filter'
        : hadFunctionCalls
          ? 'tool-calls'
          : 'other';
  return {
    id: body.responseId ?? '',
    model: body.modelVersion ?? '',
    created: 0,
    content,
    finishReason,
    usage: body.usageMetadata ? geminiUsageToTokens(body.usageMetadata) : emptyUsage(),
  };
}

function partsToContent(parts: readonly GeminiPart[]): AssistantContentPart[] {
  const content: AssistantContentPart[] = [];
  let calls = 0;
  const push = (part: AssistantContentPart) => {
    const last = content.at(-1);
    if (part.type === 'text' && last?.type === 'text') last.text += part.text;
    else if (part.type === 'reasoning' && part.signature === undefined && last?.type === 'reasoning' && last.signature === undefined) last.text += part.text;
    else content.push(part);
  };
  for (const part of parts) {
    const signature = part.thoughtSignature ?? undefined;
    if (part.thought === true) {
      push(signature === undefined ? { type: 'reasoning', text: part.text ?? '' } : { type: 'reasoning', text: part.text ?? '', signature });
      continue;
    }
    if (signature !== undefined) push({ type: 'reasoning', text: '', signature });
    if (part.functionCall) {
      const call = part.functionCall;
      push({ type: 'tool-call', id: call.id ?? geminiToolCallId(calls), name: call.name, arguments: JSON.stringify(call.args ?? {}) });
      calls += 1;
    } else if (part.text != null && part.text !== '') {
      push({ type: 'text', text: part.text });
    }
  }
  return content;
}

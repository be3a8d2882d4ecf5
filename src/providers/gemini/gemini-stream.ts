/**
 * Gemini `streamGenerateContent?alt=sse` events → canonical stream parts. Each SSE `data` is a whole
 * GenerateContentResponse holding only the new parts (https://ai.google.dev/api/generate-content#method:-models.streamgeneratecontent):
 * - the first chunk gives response-start (responseId, modelVersion; Gemini sends no creation time, so created is 0);
 * - text parts → text-delta, `thought: true` parts → reasoning-delta, a thoughtSignature → reasoning-signature (after
 *   the thought text it belongs to, or just before the content of a non-thought part, as in fromGeminiResponse);
 * - a functionCall part is a whole call: tool-call-start (its id, or `call_<n>`) then one tool-call-delta with all args;
 * - finishReason (or promptFeedback.blockReason) → finish, followed by usage from the last usageMetadata seen
 *   (usageMetadata is cumulative in every chunk); a later change of usage is sent again by end().
 * A chunk that does not parse, or an error object sent mid-stream, becomes an `error` part; nothing throws.
 */
import { describeFirstIssue } from '../../spec/format-path.js';
import type { StreamPart } from '../../spec/canonical.js';
import type { TokenUsage } from '../../spec/usage.js';
import type { SseEvent } from '../shared/sse.js';
import { geminiStreamChunkSchema, type GeminiPart, type GeminiStreamChunk } from './gemini-api.js';
import { geminiToolCallId } from './gemini-convert-response.js';
import { mapGeminiFinishReason } from './gemini-finish-reason.js';
import { geminiUsageToTokens } from './gemini-usage.js';

export interface GeminiStreamDecoder {
  decode(event: SseEvent): StreamPart[];
  /** Call once after the last event: sends late usage, or an error part if the stream never finished. */
  end(): StreamPart[];
}

interface DecoderState {
  started: boolean;
  finished: boolean;
  failed: boolean;
  calls: number;
  usage: TokenUsage | null;
  sentUsage: TokenUsage | null;
}

export function createGeminiStreamDecoder(): GeminiStreamDecoder {
  const state: DecoderState = { started: false, finished: false, failed: false, calls: 0, usage: null, sentUsage: null };
  return {
    decode(event) {
      if (event.data.trim() === '') return [];
      const chunk = parseChunk(event.data);
      if (typeof chunk === 'string') {
        state.failed = true;
        return [{ type: 'error', errorType: 'upstream_bad_response', message: chunk }];
      }
      return decodeChunk(chunk, state);
    },
    end() {
      const parts: StreamPart[] = [];
      if (state.usage !== null && !sameUsage(state.usage, state.sentUsage)) parts.push({ type: 'usage', usage: state.usage });
      if (!state.finished && !state.failed) {
        parts.push({ type: 'error', errorType: 'upstream_bad_response', message: 'The Gemini stream ended before a finish reason.' });
      }
      return parts;
    },
  };
}

/** Returns the chunk, or a message saying why it could not be read. */
function parseChunk(data: string): GeminiStreamChunk | string {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return `Gemini sent a stream chunk that is not JSON: ${data.slice(0, 200)}`;
  }
  const parsed = geminiStreamChunkSchema.safeParse(json);
  return parsed.success ? parsed.data : `Gemini sent an unexpected stream chunk (${describeFirstIssue(parsed.error)}).`;
}

function decodeChunk(chunk: GeminiStreamChunk, state: DecoderState): StreamPart[] {
  if (chunk.error) {
    state.failed = true;
    return [{ type: 'error', errorType: chunk.error.status ?? 'upstream_error', message: chunk.error.message ?? 'Gemini reported an error mid-stream.' }];
  }
  const parts: StreamPart[] = [];
  if (!state.started) {
    state.started = true;
    parts.push({ type: 'response-start', id: chunk.responseId ?? '', model: chunk.modelVersion ?? '', created: 0 });
  }
  if (chunk.usageMetadata) state.usage = geminiUsageToTokens(chunk.usageMetadata);
  const candidate = chunk.candidates?.[0];
  for (const part of candidate?.content?.parts ?? []) decodePart(part, { parts, state });
  if (state.finished) return parts;
  const blockReason = chunk.promptFeedback?.blockReason;
  if (candidate?.finishReason != null) {
    parts.push({ type: 'finish', finishReason: mapGeminiFinishReason(candidate.finishReason, state.calls > 0) });
  } else if (blockReason != null) {
    parts.push({ type: 'finish', finishReason: 'content-filter' });
  } else {
    return parts;
  }
  state.finished = true;
  if (state.usage !== null) {
    parts.push({ type: 'usage', usage: state.usage });
    state.sentUsage = state.usage;
  }
  return parts;
}

function decodePart(part: GeminiPart, context: { parts: StreamPart[]; state: DecoderState }): void {
  const { parts, state } = context;
  const signature = part.thoughtSignature ?? undefined;
  if (part.thought === true) {
    if (part.text != null && part.text !== '') parts.push({ type: 'reasoning-delta', text: part.text });
    if (signature !== undefined) parts.push({ type: 'reasoning-signature', signature });
    return;
  }
  if (signature !== undefined) parts.push({ type: 'reasoning-signature', signature });
  if (part.functionCall) {
    const index = state.calls;
    state.calls += 1;
    const call = part.functionCall;
    parts.push({ type: 'tool-call-start', index, id: call.id ?? geminiToolCallId(index), name: call.name });
    parts.push({ type: 'tool-call-delta', index, argumentsDelta: JSON.stringify(call.args ?? {}) });
  } else if (part.text != null && part.text !== '') {
    parts.push({ type: 'text-delta', text: part.text });
  }
}

function sameUsage(a: TokenUsage, b: TokenUsage | null): boolean {
  return (
    b !== null &&
    a.inputTokens === b.inputTokens &&
    a.cacheReadTokens === b.cacheReadTokens &&
    a.outputTokens === b.outputTokens &&
    a.reasoningTokens === b.reasoningTokens &&
    a.cacheWrite5mTokens === b.cacheWrite5mTokens &&
    a.cacheWrite1hTokens === b.cacheWrite1hTokens
  );
}

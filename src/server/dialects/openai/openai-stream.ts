/**
 * Canonical stream parts → OpenAI `chat.completion.chunk` SSE text (https://platform.openai.com/docs/api-reference/chat/streaming),
 * for a streaming /v1/chat/completions caller served by another wire format.
 */
import { formatSse } from '../../../providers/shared/sse.js';
import type { StreamPart } from '../../../spec/canonical.js';
import type { TokenUsage } from '../../../spec/usage.js';
import { renderOpenAIUsage, toOpenAIFinishReason } from './openai-response.js';

export interface OpenAIStreamEncoder {
  encode(part: StreamPart): string;
  end(): string;
}

interface EncoderState {
  id: string;
  created: number;
  roleSent: boolean;
  finished: boolean;
  ended: boolean;
  failed: boolean;
  usage: TokenUsage | null;
  /** Canonical tool-call index → OpenAI `tool_calls[].index` (0, 1, … in order of appearance). */
  tools: Map<number, number>;
}

interface EncoderContext {
  state: EncoderState;
  model: string;
  includeUsage: boolean;
}

function chunk(context: EncoderContext, delta: Record<string, unknown>, finishReason: string | null = null): string {
  const { state } = context;
  const body: Record<string, unknown> = {
    id: state.id,
    object: 'chat.completion.chunk',
    created: state.created,
    model: context.model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  };
  if (context.includeUsage) body.usage = null;
  return formatSse(JSON.stringify(body));
}

/** The `role: assistant` chunk OpenAI sends first, written once before the first content. */
function role(context: EncoderContext): string {
  if (context.state.roleSent) return '';
  context.state.roleSent = true;
  return chunk(context, { role: 'assistant', content: '' });
}

function toolIndex(state: EncoderState, canonical: number): { index: number; fresh: boolean } {
  const known = state.tools.get(canonical);
  if (known !== undefined) return { index: known, fresh: false };
  const index = state.tools.size;
  state.tools.set(canonical, index);
  return { index, fresh: true };
}

function encodePart(context: EncoderContext, part: StreamPart): string {
  const { state } = context;
  switch (part.type) {
    case 'response-start':
      state.id = part.id;
      state.created = part.created;
      return role(context);
    case 'text-delta':
      return role(context) + chunk(context, { content: part.text });
    case 'reasoning-delta':
      return role(context) + chunk(context, { reasoning_content: part.text });
    case 'reasoning-signature':
    case 'redacted-reasoning':
      return '';
    case 'tool-call-start': {
      const { index } = toolIndex(state, part.index);
      return role(context) + chunk(context, { tool_calls: [{ index, id: part.id, type: 'function', function: { name: part.name, arguments: '' } }] });
    }
    case 'tool-call-delta': {
      const { index, fresh } = toolIndex(state, part.index);
      const call: Record<string, unknown> = { index, function: { arguments: part.argumentsDelta } };
      if (fresh) Object.assign(call, { id: `call_${index}`, type: 'function' });
      return role(context) + chunk(context, { tool_calls: [call] });
    }
    case 'finish':
      if (state.finished) return '';
      state.finished = true;
      return role(context) + chunk(context, {}, toOpenAIFinishReason(part.finishReason));
    case 'usage':
      state.usage = part.usage;
      return '';
    case 'error':
      state.failed = true;
      return formatSse(JSON.stringify({ error: { message: part.message, type: part.errorType, param: null, code: null } }));
  }
}

/**
 * Creates an encoder for one stream. The first content part is preceded by the `role: assistant` chunk; every
 * chunk carries `usage: null` when the caller asked for usage (as OpenAI does), and end() writes the usage chunk
 * (`choices: []`) before `data: [DONE]` — so usage arriving after the finish part is still delivered in place.
 * Reasoning deltas are sent as `delta.reasoning_content` (the DeepSeek convention; other clients ignore it).
 * An `error` part becomes OpenAI's in-stream `{"error": {...}}` event; nothing but `[DONE]` follows it.
 */
export function createOpenAIStreamEncoder(options: { model: string; includeUsage?: boolean }): OpenAIStreamEncoder {
  const state: EncoderState = { id: '', created: 0, roleSent: false, finished: false, ended: false, failed: false, usage: null, tools: new Map() };
  const context: EncoderContext = { state, model: options.model, includeUsage: options.includeUsage === true };
  return {
    encode(part) {
      if (state.ended || state.failed) return '';
      return encodePart(context, part);
    },
    end() {
      if (state.ended) return '';
      state.ended = true;
      let text = '';
      if (context.includeUsage && !state.failed && state.usage !== null) {
        const body = { id: state.id, object: 'chat.completion.chunk', created: state.created, model: options.model, choices: [], usage: renderOpenAIUsage(state.usage) };
        text += formatSse(JSON.stringify(body));
      }
      return text + formatSse('[DONE]');
    },
  };
}

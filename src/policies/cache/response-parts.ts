/**
 * Canonical stream parts ⇄ a canonical response, for the caches: the assembler builds the response a stream carried
 * (to store it), the synthesizer replays a stored response as the parts of a well-formed stream.
 */
import type { AssistantContentPart, ChatResponse, FinishReason, StreamPart } from '../../spec/canonical.js';
import type { TokenUsage } from '../../spec/usage.js';

export interface ResponseAssembler {
  push(part: StreamPart): void;
  /** The complete response, or null when the stream failed, never finished or carried no usage. */
  result(): ChatResponse | null;
}

export function createResponseAssembler(): ResponseAssembler {
  const content: AssistantContentPart[] = [];
  const tools = new Map<number, Extract<AssistantContentPart, { type: 'tool-call' }>>();
  let start: { id: string; model: string; created: number } | null = null;
  let finish: { finishReason: FinishReason; stopSequence?: string } | null = null;
  let usage: TokenUsage | null = null;
  let failed = false;
  const last = () => content[content.length - 1];
  const tool = (index: number) => {
    let found = tools.get(index);
    if (found === undefined) {
      found = { type: 'tool-call', id: `call_${index}`, name: '', arguments: '' };
      tools.set(index, found);
      content.push(found);
    }
    return found;
  };
  return {
    push(part) {
      switch (part.type) {
        case 'response-start':
          start = { id: part.id, model: part.model, created: part.created };
          return;
        case 'text-delta': {
          const open = last();
          if (open?.type === 'text') open.text += part.text;
          else content.push({ type: 'text', text: part.text });
          return;
        }
        case 'reasoning-delta': {
          const open = last();
          if (open?.type === 'reasoning' && open.signature === undefined && open.redactedData === undefined) open.text += part.text;
          else content.push({ type: 'reasoning', text: part.text });
          return;
        }
        case 'reasoning-signature': {
          const open = last();
          if (open?.type === 'reasoning') open.signature = part.signature;
          else content.push({ type: 'reasoning', text: '', signature: part.signature });
          return;
        }
        case 'redacted-reasoning':
          content.push({ type: 'reasoning', text: '', redactedData: part.data });
          return;
        case 'tool-call-start': {
          const found = tool(part.index);
          found.id = part.id;
          found.name = part.name;
          return;
        }
        case 'tool-call-delta':
          tool(part.index).arguments += part.argumentsDelta;
          return;
        case 'finish':
          finish = part.stopSequence === undefined ? { finishReason: part.finishReason } : { finishReason: part.finishReason, stopSequence: part.stopSequence };
          return;
        case 'usage':
          usage = part.usage;
          return;
        case 'error':
          failed = true;
      }
    },
    result() {
      if (failed || finish === null || usage === null) return null;
      const head = start ?? { id: '', model: '', created: 0 };
      return { ...head, content, ...(finish as { finishReason: FinishReason; stopSequence?: string }), usage };
    },
  };
}

/** Characters per replayed text delta: small enough to look like a stream, large enough to stay cheap. */
const chunkChars = 64;

function* chunks(text: string): Generator<string> {
  let piece = '';
  let size = 0;
  // By code point, so a surrogate pair is never split across two deltas.
  for (const char of text) {
    piece += char;
    if (++size === chunkChars) {
      yield piece;
      piece = '';
      size = 0;
    }
  }
  if (piece !== '') yield piece;
}

/**
 * The parts of a stream that carries `response`: usage first (so an Anthropic message_start already shows the input
 * tokens, as the provider's does), response-start, the content in order (text and reasoning in chunks, each tool call
 * as a start and its arguments in chunks), then finish.
 */
export function replayParts(response: ChatResponse, options: { id: string; created: number }): StreamPart[] {
  const parts: StreamPart[] = [{ type: 'usage', usage: response.usage }, { type: 'response-start', id: options.id, model: response.model, created: options.created }];
  let toolIndex = 0;
  for (const part of response.content) {
    if (part.type === 'text') for (const text of chunks(part.text)) parts.push({ type: 'text-delta', text });
    else if (part.type === 'reasoning') {
      if (part.redactedData !== undefined) parts.push({ type: 'redacted-reasoning', data: part.redactedData });
      else for (const text of chunks(part.text)) parts.push({ type: 'reasoning-delta', text });
      if (part.signature !== undefined) parts.push({ type: 'reasoning-signature', signature: part.signature });
    } else {
      const index = toolIndex++;
      parts.push({ type: 'tool-call-start', index, id: part.id, name: part.name });
      for (const argumentsDelta of chunks(part.arguments)) parts.push({ type: 'tool-call-delta', index, argumentsDelta });
    }
  }
  parts.push(response.stopSequence === undefined ? { type: 'finish', finishReason: response.finishReason } : { type: 'finish', finishReason: response.finishReason, stopSequence: response.stopSequence });
  return parts;
}

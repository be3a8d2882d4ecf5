/**
 * The canonical view of a prompt that the cache-breaker detector compares: an ordered list of segments in the order
 * providers build their prefix caches (tools, then the system prompt, then the messages), each named by where it
 * sits in the request body. Runs in the deferred worker, never on the request path.
 *
 * Segments keep the caller's order and key order on purpose (JSON.stringify of the parsed body follows the order of
 * the bytes received): a reordered tool list or reordered JSON keys must show up as a difference.
 */
import type { Endpoint } from '../../../spec/ledger.js';

export interface PromptSegment {
  /** Where the text sits in the body: `tools[2]`, `system`, `messages[3].content`, `instructions`, `input[1]`. */
  location: string;
  text: string;
}

export interface SerializedPrompt {
  segments: PromptSegment[];
  /** Characters kept in `segments` (at most the cap). */
  chars: number;
  /** Characters of the whole prompt, before the cap: tokens are apportioned over this. */
  totalChars: number;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Text of a content value: a string, or the text of each block (other blocks as their JSON), joined by newlines. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return content === undefined || content === null ? '' : JSON.stringify(content);
  return content
    .map((block: unknown) => {
      if (typeof block === 'string') return block;
      if (isRecord(block) && typeof block.text === 'string') return block.text;
      if (isRecord(block) && block.type === 'tool_result') return contentText(block.content);
      return JSON.stringify(block);
    })
    .join('\n');
}

/** A message's text: its content plus, for OpenAI assistant messages, the tool calls it made. */
function messageText(message: unknown): string {
  if (!isRecord(message)) return JSON.stringify(message) ?? '';
  const text = contentText(message.content);
  return message.tool_calls === undefined ? text : `${text}\n${JSON.stringify(message.tool_calls)}`;
}

function listSegments(list: unknown, name: string, text: (item: unknown) => string): PromptSegment[] {
  if (!Array.isArray(list)) return [];
  return list.map((item: unknown, index) => ({ location: `${name}[${index}]${name === 'tools' ? '' : '.content'}`, text: text(item) }));
}

/** Segments in prefix-cache order for a chat, messages or responses body; [] for the other endpoints. */
export function promptSegments(endpoint: Endpoint, body: Record<string, unknown>): PromptSegment[] {
  const tools = listSegments(body.tools, 'tools', (tool) => JSON.stringify(tool) ?? '');
  if (endpoint === 'chat') return [...tools, ...listSegments(body.messages, 'messages', messageText)];
  if (endpoint === 'messages') {
    const system = body.system === undefined ? [] : [{ location: 'system', text: contentText(body.system) }];
    return [...tools, ...system, ...listSegments(body.messages, 'messages', messageText)];
  }
  if (endpoint === 'responses') {
    const instructions = typeof body.instructions === 'string' ? [{ location: 'instructions', text: body.instructions }] : [];
    const input = typeof body.input === 'string' ? [{ location: 'input', text: body.input }] : listSegments(body.input, 'input', messageText);
    return [...tools, ...instructions, ...input];
  }
  return [];
}

/**
 * The segments, cut at `maxChars` in total (the last kept segment is truncated): long prompts are compared on their
 * first `maxChars` characters only, which bounds both the memory held per prompt and the comparison time.
 */
export function serializePrompt(options: { endpoint: Endpoint; body: Record<string, unknown>; maxChars: number }): SerializedPrompt {
  const all = promptSegments(options.endpoint, options.body);
  const segments: PromptSegment[] = [];
  let chars = 0;
  let totalChars = 0;
  for (const segment of all) {
    totalChars += segment.text.length;
    const room = options.maxChars - chars;
    if (room <= 0) continue;
    const text = segment.text.length > room ? segment.text.slice(0, room) : segment.text;
    segments.push({ location: segment.location, text });
    chars += text.length;
  }
  return { segments, chars, totalChars };
}

/**
 * A minimal, lenient reading of the conversation an agent sends, for loop detection: roles, text, the assistant's
 * tool calls (name and canonical arguments) and the tool results, from OpenAI chat (`messages`), OpenAI Responses
 * (`input` items) and Anthropic messages bodies. Anything unrecognised is skipped: the request was already
 * validated by the server, and a breaker never refuses a request because it could not read part of it.
 */

export interface ToolCall {
  /** The provider's id for the call (OpenAI `call_…`, Anthropic `toolu_…`); '' when absent. */
  id: string;
  name: string;
  /** The arguments as sent: a JSON string (OpenAI) or an object (Anthropic); see argsText. */
  rawArgs: unknown;
  /** The text of the matching tool result; null when the transcript has none (yet). */
  result: string | null;
}

export interface Turn {
  role: 'system' | 'user' | 'assistant' | 'tool';
  text: string;
  /** Assistant turns only. */
  toolCalls: ToolCall[];
}

export interface Transcript {
  turns: Turn[];
  /** Every assistant tool call in order (parallel calls in turn order), results attached. */
  toolCalls: ToolCall[];
}

/** Canonical JSON: object keys sorted at every level, so `{"b":1,"a":2}` and `{"a":2,"b":1}` compare equal. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  for (const key of keys) {
    if (record[key] === undefined) continue;
    if (out.length > 1) out += ',';
    out += `${JSON.stringify(key)}:${canonicalJson(record[key])}`;
  }
  return `${out}}`;
}

/** Arguments as a JSON string (OpenAI) are parsed and canonicalised; unparseable text is kept as is. */
export function canonicalArgs(args: unknown): string {
  if (typeof args !== 'string') return canonicalJson(args ?? {});
  const trimmed = args.trim();
  if (trimmed === '') return '{}';
  try {
    return canonicalJson(JSON.parse(trimmed));
  } catch {
    return trimmed;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const str = (value: unknown): string => (typeof value === 'string' ? value : '');

/** Text of a content field: a string, or the text of its text-like parts (tool results nested inside included). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let out = '';
  for (const part of content) {
    if (typeof part === 'string') out += (out ? '\n' : '') + part;
    else if (isRecord(part)) {
      const text = typeof part.text === 'string' ? part.text : part.type === 'tool_result' ? contentText(part.content) : '';
      if (text) out += (out ? '\n' : '') + text;
    }
  }
  return out;
}

/** The call's arguments as canonical JSON (parsed lazily: the policy memoises per call id). */
export const argsText = (call: ToolCall): string => canonicalArgs(call.rawArgs);

function fromOpenAIChat(messages: readonly unknown[]): Transcript {
  const turns: Turn[] = [];
  const toolCalls: ToolCall[] = [];
  const byId = new Map<string, ToolCall>();
  for (const message of messages) {
    if (!isRecord(message)) continue;
    const role = message.role;
    if (role === 'assistant') {
      const calls: ToolCall[] = [];
      if (Array.isArray(message.tool_calls)) {
        for (const raw of message.tool_calls) {
          if (!isRecord(raw) || !isRecord(raw.function)) continue;
          const id = str(raw.id);
          const call: ToolCall = { id, name: str(raw.function.name), rawArgs: raw.function.arguments, result: null };
          calls.push(call);
          toolCalls.push(call);
          if (id) byId.set(id, call);
        }
      }
      turns.push({ role: 'assistant', text: contentText(message.content), toolCalls: calls });
    } else if (role === 'tool' || role === 'function') {
      const text = contentText(message.content);
      const call = byId.get(str(message.tool_call_id));
      if (call) call.result = text;
      turns.push({ role: 'tool', text, toolCalls: [] });
    } else {
      turns.push({ role: role === 'system' || role === 'developer' ? 'system' : 'user', text: contentText(message.content), toolCalls: [] });
    }
  }
  return { turns, toolCalls };
}

function fromAnthropic(system: unknown, messages: readonly unknown[]): Transcript {
  const turns: Turn[] = [];
  const toolCalls: ToolCall[] = [];
  const byId = new Map<string, ToolCall>();
  const systemText = contentText(system);
  if (systemText) turns.push({ role: 'system', text: systemText, toolCalls: [] });
  for (const message of messages) {
    if (!isRecord(message)) continue;
    const content = message.content;
    if (message.role === 'assistant') {
      const calls: ToolCall[] = [];
      if (Array.isArray(content)) {
        for (const block of content) {
          if (!isRecord(block) || block.type !== 'tool_use') continue;
          const id = str(block.id);
          const call: ToolCall = { id, name: str(block.name), rawArgs: block.input, result: null };
          calls.push(call);
          toolCalls.push(call);
          if (id) byId.set(id, call);
        }
      }
      turns.push({ role: 'assistant', text: contentText(content), toolCalls: calls });
      continue;
    }
    let hasResult = false;
    if (Array.isArray(content)) {
      for (const block of content) {
        if (!isRecord(block) || block.type !== 'tool_result') continue;
        hasResult = true;
        const call = byId.get(str(block.tool_use_id));
        if (call) call.result = contentText(block.content) + (block.is_error === true ? '\n[error]' : '');
      }
    }
    turns.push({ role: hasResult ? 'tool' : 'user', text: contentText(content), toolCalls: [] });
  }
  return { turns, toolCalls };
}

function fromResponses(input: unknown, instructions: unknown): Transcript {
  if (typeof input === 'string') return { turns: [{ role: 'user', text: input, toolCalls: [] }], toolCalls: [] };
  const turns: Turn[] = [];
  const toolCalls: ToolCall[] = [];
  const byId = new Map<string, ToolCall>();
  if (typeof instructions === 'string' && instructions) turns.push({ role: 'system', text: instructions, toolCalls: [] });
  if (!Array.isArray(input)) return { turns, toolCalls };
  for (const item of input) {
    if (!isRecord(item)) continue;
    if (item.type === 'function_call') {
      const id = str(item.call_id);
      const call: ToolCall = { id, name: str(item.name), rawArgs: item.arguments, result: null };
      toolCalls.push(call);
      if (id) byId.set(id, call);
      const last = turns.at(-1);
      if (last?.role === 'assistant') last.toolCalls.push(call);
      else turns.push({ role: 'assistant', text: '', toolCalls: [call] });
    } else if (item.type === 'function_call_output') {
      const text = typeof item.output === 'string' ? item.output : contentText(item.output);
      const call = byId.get(str(item.call_id));
      if (call) call.result = text;
      turns.push({ role: 'tool', text, toolCalls: [] });
    } else if (typeof item.role === 'string') {
      const role = item.role === 'assistant' ? 'assistant' : item.role === 'system' || item.role === 'developer' ? 'system' : 'user';
      turns.push({ role, text: contentText(item.content), toolCalls: [] });
    }
  }
  return { turns, toolCalls };
}

/** The transcript of a chat-like body in either dialect; an empty transcript for anything else. */
export function extractTranscript(body: Record<string, unknown>): Transcript {
  if (Array.isArray(body.messages)) {
    const anthropicShaped = body.system !== undefined || body.messages.some((message) => isRecord(message) && Array.isArray(message.content) && message.content.some((block) => isRecord(block) && (block.type === 'tool_use' || block.type === 'tool_result')));
    return anthropicShaped ? fromAnthropic(body.system, body.messages) : fromOpenAIChat(body.messages);
  }
  if (body.input !== undefined) return fromResponses(body.input, body.instructions);
  return { turns: [], toolCalls: [] };
}

/** Extract with the dialect known (the caller's): avoids guessing the shape. */
export function extractFor(dialect: 'openai' | 'anthropic', body: Record<string, unknown>): Transcript {
  if (dialect === 'anthropic' && Array.isArray(body.messages)) return fromAnthropic(body.system, body.messages);
  if (Array.isArray(body.messages)) return fromOpenAIChat(body.messages);
  return extractTranscript(body);
}

/**
 * Inbound OpenAI Chat Completions requests: validation and conversion to the
 * canonical ChatRequest for the translating path. The mapping and what is rejected are in docs/translation.md.
 */
import type { AssistantContentPart, ChatMessage, ChatRequest, ReasoningEffort, ResponseFormat, ToolChoice, ToolDefinition, UserContentPart } from '../../../spec/canonical.js';
import { parseBody, untranslatable } from '../shared/parse-body.js';
import { openaiChatBodySchema, type OpenAIChatBody, type OpenAIChatMessage, type OpenAIUserPart } from './openai-request-schema.js';

export { openaiChatBodySchema, type OpenAIChatBody } from './openai-request-schema.js';

/** Validates an inbound body; GatewayError 'invalid_request' naming the path (`messages[1].content: expected string or array`). */
export function parseOpenAIChatBody(json: unknown): OpenAIChatBody {
  return parseBody(openaiChatBodySchema, json);
}

function joinText(content: string | readonly { text: string }[]): string {
  return typeof content === 'string' ? content : content.map((part) => part.text).join('\n');
}

const dataUrl = /^data:([^;,]+);base64,(.*)$/s;

function userPart(part: OpenAIUserPart, at: string): UserContentPart {
  switch (part.type) {
    case 'text':
      return { type: 'text', text: part.text };
    case 'image_url': {
      const match = dataUrl.exec(part.image_url.url);
      return match?.[1] !== undefined && match[2] !== undefined ? { type: 'image', data: match[2], mediaType: match[1] } : { type: 'image', url: part.image_url.url };
    }
    default:
      throw untranslatable(at, `${part.type} content parts cannot be translated to this model's provider`);
  }
}

function assistantMessage(message: Extract<OpenAIChatMessage, { role: 'assistant' }>, at: string): ChatMessage {
  if (message.function_call != null) throw untranslatable(`${at}.function_call`, 'the legacy function_call cannot be translated; use tool_calls');
  if (message.audio != null) throw untranslatable(`${at}.audio`, 'audio responses cannot be translated');
  const content: AssistantContentPart[] = [];
  const body = message.content;
  if (typeof body === 'string') {
    if (body !== '') content.push({ type: 'text', text: body });
  } else if (body != null) {
    for (const part of body) content.push({ type: 'text', text: part.type === 'text' ? part.text : part.refusal });
  } else if (message.refusal != null && message.refusal !== '') {
    content.push({ type: 'text', text: message.refusal });
  }
  (message.tool_calls ?? []).forEach((call, index) => {
    if (call.type !== 'function' || call.function == null) throw untranslatable(`${at}.tool_calls[${index}]`, `${call.type} tool calls cannot be translated`);
    content.push({ type: 'tool-call', id: call.id, name: call.function.name, arguments: call.function.arguments });
  });
  return { role: 'assistant', content };
}

/**
 * Messages → canonical. Leading system/developer messages become `system` (joined by a blank line); later ones stay
 * system messages. Consecutive tool messages merge into one canonical tool message (one result each).
 */
function toMessages(messages: readonly OpenAIChatMessage[]): { system: string | undefined; messages: ChatMessage[] } {
  const leading: string[] = [];
  const out: ChatMessage[] = [];
  messages.forEach((message, index) => {
    const at = `messages[${index}]`;
    switch (message.role) {
      case 'system':
      case 'developer':
        if (out.length === 0) leading.push(joinText(message.content));
        else out.push({ role: 'system', content: joinText(message.content) });
        return;
      case 'user': {
        const content = typeof message.content === 'string' ? [{ type: 'text' as const, text: message.content }] : message.content.map((part, j) => userPart(part, `${at}.content[${j}]`));
        out.push({ role: 'user', content });
        return;
      }
      case 'assistant':
        out.push(assistantMessage(message, at));
        return;
      case 'tool': {
        const result = { type: 'tool-result' as const, toolCallId: message.tool_call_id, content: joinText(message.content) };
        const last = out[out.length - 1];
        if (last?.role === 'tool') last.content.push(result);
        else out.push({ role: 'tool', content: [result] });
        return;
      }
      case 'function':
        throw untranslatable(`${at}.role`, 'the legacy function role cannot be translated; use tool messages');
    }
  });
  return { system: leading.length === 0 ? undefined : leading.join('\n\n'), messages: out };
}

function toTools(body: OpenAIChatBody): ToolDefinition[] | undefined {
  if (body.tools == null) return undefined;
  return body.tools.map((tool, index) => {
    if (tool.type !== 'function') throw untranslatable(`tools[${index}]`, `${tool.type} tools cannot be translated`);
    const fn = tool.function;
    const definition: ToolDefinition = { name: fn.name, parameters: fn.parameters ?? { type: 'object', properties: {} } };
    if (fn.description != null) definition.description = fn.description;
    if (fn.strict != null) definition.strict = fn.strict;
    return definition;
  });
}

function toToolChoice(choice: OpenAIChatBody['tool_choice']): ToolChoice | undefined {
  if (choice == null) return undefined;
  if (typeof choice === 'string') return choice;
  if (choice.type === 'function' && 'function' in choice) return { name: choice.function.name };
  throw untranslatable('tool_choice', `tool_choice of type ${choice.type} cannot be translated`);
}

function toResponseFormat(format: OpenAIChatBody['response_format']): ResponseFormat | undefined {
  if (format == null) return undefined;
  if (format.type !== 'json_schema') return { type: format.type };
  const spec = format.json_schema;
  const out: ResponseFormat = { type: 'json_schema', name: spec.name, schema: spec.schema ?? {} };
  if (spec.strict != null) out.strict = spec.strict;
  if (spec.description != null) out.description = spec.description;
  return out;
}

/** `none` asks for no reasoning (canonical: none requested); `xhigh` and `max` are above the canonical scale → high. */
function toEffort(effort: string | null | undefined): ReasoningEffort | undefined {
  if (effort == null || effort === 'none') return undefined;
  if (effort === 'minimal' || effort === 'low' || effort === 'medium' || effort === 'high') return effort;
  if (effort === 'xhigh' || effort === 'max') return 'high';
  throw untranslatable('reasoning_effort', `reasoning_effort "${effort}" cannot be translated`);
}

/** Fields with no canonical counterpart: rejected when set to anything but their neutral value. */
function rejectUntranslatable(body: OpenAIChatBody): void {
  const checks: [string, boolean][] = [
    ['n', body.n != null && body.n > 1],
    ['logprobs', body.logprobs === true],
    ['top_logprobs', body.top_logprobs != null && body.top_logprobs > 0],
    ['audio', body.audio != null],
    ['modalities', (body.modalities ?? []).some((modality) => modality !== 'text')],
    ['prediction', body.prediction != null],
    ['frequency_penalty', body.frequency_penalty != null && body.frequency_penalty !== 0],
    ['presence_penalty', body.presence_penalty != null && body.presence_penalty !== 0],
    ['logit_bias', body.logit_bias != null && Object.keys(body.logit_bias).length > 0],
    ['web_search_options', body.web_search_options != null],
    ['functions', body.functions != null],
    ['function_call', body.function_call != null],
  ];
  for (const [name, set] of checks) if (set) throw untranslatable(name, `${name} cannot be translated to this model's provider`);
}

/**
 * A validated OpenAI body → the canonical request, for an upstream that speaks another wire format. Throws
 * GatewayError 'untranslatable' naming the field for what the canonical model cannot carry (n > 1, logprobs, audio,
 * legacy functions, …). `metadata`, `store`, `service_tier` and other unlisted fields are ignored.
 */
export function openaiChatToCanonical(body: OpenAIChatBody): ChatRequest {
  rejectUntranslatable(body);
  const { system, messages } = toMessages(body.messages);
  const request: ChatRequest = { model: body.model, messages, stream: body.stream === true, includeUsage: body.stream_options?.include_usage === true };
  if (system !== undefined) request.system = system;
  const tools = toTools(body);
  if (tools !== undefined) request.tools = tools;
  const toolChoice = toToolChoice(body.tool_choice);
  if (toolChoice !== undefined) request.toolChoice = toolChoice;
  if (body.parallel_tool_calls != null) request.parallelToolCalls = body.parallel_tool_calls;
  const maxOutputTokens = body.max_completion_tokens ?? body.max_tokens;
  if (maxOutputTokens != null) request.maxOutputTokens = maxOutputTokens;
  if (body.temperature != null) request.temperature = body.temperature;
  if (body.top_p != null) request.topP = body.top_p;
  if (body.stop != null) request.stop = typeof body.stop === 'string' ? [body.stop] : body.stop;
  if (body.seed != null) request.seed = body.seed;
  const responseFormat = toResponseFormat(body.response_format);
  if (responseFormat !== undefined) request.responseFormat = responseFormat;
  const effort = toEffort(body.reasoning_effort);
  if (effort !== undefined) request.reasoning = { effort };
  if (body.user != null && body.user !== '') request.user = body.user;
  return request;
}

/**
 * Inbound Anthropic Messages requests: validation and conversion to the
 * canonical ChatRequest for the translating path. The mapping and what is rejected are in docs/translation.md.
 */
import type { AssistantContentPart, ChatMessage, ChatRequest, ReasoningEffort, ToolChoice, ToolDefinition, ToolResultPart, UserContentPart } from '../../../spec/canonical.js';
import { parseBody, untranslatable } from '../shared/parse-body.js';
import { anthropicChatBodySchema, type AnthropicChatBody, type AnthropicInboundBlock, type AnthropicInboundMessage } from './anthropic-request-schema.js';

export { anthropicChatBodySchema, type AnthropicChatBody } from './anthropic-request-schema.js';

/**
 * Validates an inbound body; GatewayError 'invalid_request' naming the path (`messages[1].content: expected string or
 * array`). A missing `max_tokens` is reported as `max_tokens: Field required`, as the API does.
 */
export function parseAnthropicChatBody(json: unknown): AnthropicChatBody {
  return parseBody(anthropicChatBodySchema, json);
}

const textOf = (content: string | readonly { text: string }[]): string => (typeof content === 'string' ? content : content.map((block) => block.text).join('\n\n'));

function imagePart(block: Extract<AnthropicInboundBlock, { type: 'image' }>, at: string): UserContentPart {
  const source = block.source;
  if (source.type === 'base64') return { type: 'image', data: source.data, mediaType: source.media_type };
  if (source.type === 'url') return { type: 'image', url: source.url };
  throw untranslatable(`${at}.source`, 'images uploaded through the Files API cannot be sent to another provider');
}

function toolResult(block: Extract<AnthropicInboundBlock, { type: 'tool_result' }>, at: string): ToolResultPart {
  let text = '';
  if (typeof block.content === 'string') text = block.content;
  else if (block.content != null) {
    const texts = block.content.map((part, index) => {
      if (part.type !== 'text') throw untranslatable(`${at}.content[${index}]`, `${part.type} blocks inside tool results cannot be translated to this model's provider`);
      return part.text;
    });
    text = texts.join('\n');
  }
  const result: ToolResultPart = { type: 'tool-result', toolCallId: block.tool_use_id, content: text };
  if (block.is_error === true) result.isError = true;
  return result;
}

/** A user turn → a tool message (its tool_result blocks, first) and/or a user message (text and images). */
function userMessages(content: AnthropicInboundMessage['content'], at: string): ChatMessage[] {
  if (typeof content === 'string') return [{ role: 'user', content: [{ type: 'text', text: content }] }];
  const results: ToolResultPart[] = [];
  const parts: UserContentPart[] = [];
  content.forEach((block, index) => {
    const where = `${at}.content[${index}]`;
    if (block.type === 'text') parts.push({ type: 'text', text: block.text });
    else if (block.type === 'image') parts.push(imagePart(block, where));
    else if (block.type === 'tool_result') results.push(toolResult(block, where));
    else throw untranslatable(where, `${block.type} blocks cannot be translated to this model's provider`);
  });
  const out: ChatMessage[] = [];
  if (results.length > 0) out.push({ role: 'tool', content: results });
  if (parts.length > 0 || results.length === 0) out.push({ role: 'user', content: parts });
  return out;
}

function assistantMessage(content: AnthropicInboundMessage['content'], at: string): ChatMessage {
  if (typeof content === 'string') return { role: 'assistant', content: content === '' ? [] : [{ type: 'text', text: content }] };
  const parts: AssistantContentPart[] = content.map((block, index): AssistantContentPart => {
    switch (block.type) {
      case 'text':
        return { type: 'text', text: block.text };
      case 'tool_use':
        return { type: 'tool-call', id: block.id, name: block.name, arguments: JSON.stringify(block.input ?? {}) };
      case 'thinking':
        return { type: 'reasoning', text: block.thinking, signature: block.signature };
      case 'redacted_thinking':
        return { type: 'reasoning', text: '', redactedData: block.data };
      default:
        throw untranslatable(`${at}.content[${index}]`, `${block.type} blocks cannot be translated to this model's provider`);
    }
  });
  return { role: 'assistant', content: parts };
}

/** Messages → canonical. System turns before any other message join `system`; later ones stay system messages. */
function toMessages(body: AnthropicChatBody): { system: string | undefined; messages: ChatMessage[] } {
  const leading: string[] = body.system == null ? [] : [textOf(body.system)];
  const out: ChatMessage[] = [];
  body.messages.forEach((message, index) => {
    const at = `messages[${index}]`;
    if (message.role === 'system') {
      if (out.length === 0) leading.push(textOf(message.content));
      else out.push({ role: 'system', content: textOf(message.content) });
    } else if (message.role === 'user') out.push(...userMessages(message.content, at));
    else out.push(assistantMessage(message.content, at));
  });
  const system = leading.filter((part) => part !== '');
  return { system: system.length === 0 ? undefined : system.join('\n\n'), messages: out };
}

function toTools(body: AnthropicChatBody): ToolDefinition[] | undefined {
  if (body.tools == null) return undefined;
  return body.tools.map((tool, index) => {
    if (tool.type != null && tool.type !== 'custom') {
      throw untranslatable(`tools[${index}]`, `the server tool ${tool.type} runs on Anthropic's side and cannot be translated to this model's provider`);
    }
    const definition: ToolDefinition = { name: tool.name, parameters: tool.input_schema ?? { type: 'object' } };
    if (tool.description != null) definition.description = tool.description;
    if (tool.strict != null) definition.strict = tool.strict;
    return definition;
  });
}

function toToolChoice(choice: AnthropicChatBody['tool_choice']): { toolChoice?: ToolChoice; parallelToolCalls?: boolean } {
  if (choice == null) return {};
  const parallel = choice.type !== 'none' && choice.disable_parallel_tool_use === true ? { parallelToolCalls: false } : {};
  switch (choice.type) {
    case 'auto':
      return { toolChoice: 'auto', ...parallel };
    case 'any':
      return { toolChoice: 'required', ...parallel };
    case 'tool':
      return { toolChoice: { name: choice.name }, ...parallel };
    case 'none':
      return { toolChoice: 'none' };
  }
}

/** `output_config.effort` → canonical effort; `xhigh` and `max` are above the canonical scale → high. */
function toEffort(effort: string | null | undefined): ReasoningEffort | undefined {
  if (effort == null) return undefined;
  if (effort === 'low' || effort === 'medium' || effort === 'high') return effort;
  if (effort === 'xhigh' || effort === 'max') return 'high';
  throw untranslatable('output_config.effort', `effort "${effort}" cannot be translated`);
}

/** thinking + output_config.effort → canonical reasoning. Adaptive thinking without an effort is `reasoning: {}`. */
function toReasoning(body: AnthropicChatBody): ChatRequest['reasoning'] {
  const effort = toEffort(body.output_config?.effort);
  const thinking = body.thinking;
  if (thinking?.type === 'enabled') return effort === undefined ? { budgetTokens: thinking.budget_tokens } : { budgetTokens: thinking.budget_tokens, effort };
  if (thinking?.type === 'adaptive' || thinking?.type === 'between_tools') return effort === undefined ? {} : { effort };
  return effort === undefined ? undefined : { effort };
}

/** Fields with no canonical counterpart: rejected when set. */
function rejectUntranslatable(body: AnthropicChatBody): void {
  for (const name of ['container', 'mcp_servers', 'context_management'] as const) {
    if (body[name] != null) throw untranslatable(name, `${name} cannot be translated to this model's provider`);
  }
}

/**
 * A validated Anthropic body → the canonical request, for an upstream that speaks another wire format. Throws
 * GatewayError 'untranslatable' naming the field for what the canonical model cannot carry (server tools, documents,
 * search results, images inside tool results, Files API images, MCP servers, containers). `cache_control` markers,
 * `service_tier` and other unlisted fields are dropped.
 */
export function anthropicChatToCanonical(body: AnthropicChatBody): ChatRequest {
  rejectUntranslatable(body);
  const { system, messages } = toMessages(body);
  // Anthropic streams always report usage; the caller is owed it whichever provider serves the call.
  const request: ChatRequest = { model: body.model, messages, stream: body.stream === true, includeUsage: true, maxOutputTokens: body.max_tokens };
  if (system !== undefined) request.system = system;
  const tools = toTools(body);
  if (tools !== undefined) request.tools = tools;
  Object.assign(request, toToolChoice(body.tool_choice));
  if (body.temperature != null) request.temperature = body.temperature;
  if (body.top_p != null) request.topP = body.top_p;
  if (body.top_k != null) request.topK = body.top_k;
  if (body.stop_sequences != null && body.stop_sequences.length > 0) request.stop = body.stop_sequences;
  const format = body.output_config?.format;
  if (format != null) request.responseFormat = { type: 'json_schema', name: 'response', schema: format.schema };
  const reasoning = toReasoning(body);
  if (reasoning !== undefined) request.reasoning = reasoning;
  const user = body.metadata?.user_id;
  if (user != null && user !== '') request.user = user;
  return request;
}

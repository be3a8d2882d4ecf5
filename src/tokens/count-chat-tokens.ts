/**
 * Prompt tokens of a canonical request (system + messages + tool definitions), for budget reservations and
 * count_tokens. OpenAI models are counted with their tokenizer and OpenAI's documented chat framing; other
 * models get the calibrated estimate of their tokenizer family with the same framing plus the provider's
 * documented fixed overheads.
 */
import type { ChatRequest, ToolChoice, ToolDefinition } from '../spec/canonical.js';
import type { TokenCount } from './count-text-tokens.js';
import { estimateFamilyFor, type EstimateFamilyOptions } from './estimate-family.js';
import { estimateTokens } from './estimate-tokens.js';
import { formatToolDefinitions } from './format-tool-definitions.js';
import { countWithEncoding, openAIEncodingFor } from './openai-encoding.js';

/**
 * OpenAI chat framing, from the cookbook "How to count tokens with tiktoken"
 * (https://github.com/openai/openai-cookbook/blob/main/examples/How_to_count_tokens_with_tiktoken.ipynb):
 * every message costs 3 tokens (`<|start|>`, role separator, `<|end|>`) plus the tokens of its role and content,
 * and every reply is primed with `<|start|>assistant<|message|>` (3 tokens).
 */
const TOKENS_PER_MESSAGE = 3;
const REPLY_PRIMING_TOKENS = 3;
/** Tool-call and tool-definition overheads as measured by hmarr/openai-chat-tokens (also used by gpt-tokenizer). */
const TOOL_CALL_OVERHEAD = 3;
const TOOL_DEFINITIONS_OVERHEAD = 9;
const SYSTEM_WITH_TOOLS_DEDUCTION = 4;
const TOOL_CHOICE_NONE_TOKENS = 1;
const TOOL_CHOICE_NAME_OVERHEAD = 4;
/**
 * Images are billed by size, which the request does not tell us without decoding them. Assumed sizes:
 * OpenAI high detail 1024x1024 = 85 + 4 tiles x 170 = 765 tokens (https://platform.openai.com/docs/guides/images-vision#calculating-costs);
 * Claude's ~1.15-megapixel ceiling ~ 1,600 tokens (https://docs.anthropic.com/en/docs/build-with-claude/vision#evaluate-image-size).
 */
const IMAGE_TOKENS_OPENAI = 765;
const IMAGE_TOKENS_CLAUDE = 1_600;
/**
 * The system prompt Anthropic adds whenever tools are present: 346 tokens for tool_choice auto/none, 313 for
 * any/tool on current Claude models (https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/overview#pricing).
 */
const CLAUDE_TOOL_PROMPT_AUTO = 346;
const CLAUDE_TOOL_PROMPT_FORCED = 313;

interface FlatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  toolCalls: Array<{ name: string; arguments: string }>;
}

/**
 * The request as role + text messages. Reasoning parts are left out: OpenAI does not accept them as input, and
 * Anthropic strips thinking blocks of earlier turns from the context.
 */
function flatten(request: ChatRequest): { messages: FlatMessage[]; images: number } {
  const messages: FlatMessage[] = [];
  let images = 0;
  if (request.system) messages.push({ role: 'system', content: request.system, toolCalls: [] });
  for (const message of request.messages) {
    if (message.role === 'system') {
      messages.push({ role: 'system', content: message.content, toolCalls: [] });
    } else if (message.role === 'user') {
      images += message.content.filter((part) => part.type === 'image').length;
      messages.push({ role: 'user', content: message.content.map((part) => (part.type === 'text' ? part.text : '')).join(''), toolCalls: [] });
    } else if (message.role === 'assistant') {
      const content = message.content.map((part) => (part.type === 'text' ? part.text : '')).join('');
      const toolCalls = message.content.flatMap((part) => (part.type === 'tool-call' ? [{ name: part.name, arguments: part.arguments }] : []));
      messages.push({ role: 'assistant', content, toolCalls });
    } else {
      for (const result of message.content) messages.push({ role: 'tool', content: result.content, toolCalls: [] });
    }
  }
  return { messages, images };
}

function countOpenAIChat(request: ChatRequest, count: (text: string) => number): TokenCount {
  const { messages, images } = flatten(request);
  const tools: readonly ToolDefinition[] = request.tools ?? [];
  const hasSystem = messages.some((message) => message.role === 'system');
  let total = REPLY_PRIMING_TOKENS;
  let systemPadded = false;
  for (const message of messages) {
    let content = message.content;
    // With tools, the first system message is followed by the tool block on a new line.
    if (tools.length > 0 && message.role === 'system' && !systemPadded) {
      systemPadded = true;
      if (content !== '' && !content.endsWith('\n')) content += '\n';
    }
    total += TOKENS_PER_MESSAGE + count(message.role) + count(content);
    for (const call of message.toolCalls) total += count(call.name) + count(call.arguments) + TOOL_CALL_OVERHEAD;
  }
  if (tools.length > 0) {
    total += count(formatToolDefinitions(tools)) + TOOL_DEFINITIONS_OVERHEAD;
    if (hasSystem) total -= SYSTEM_WITH_TOOLS_DEDUCTION;
  }
  total += openAIToolChoiceTokens(request.toolChoice, count) + images * IMAGE_TOKENS_OPENAI;
  // The framing is documented; the tool layout, image sizes and structured-output schema injection are not.
  const exact = tools.length === 0 && images === 0 && request.responseFormat?.type !== 'json_schema';
  return { tokens: total, exact };
}

function openAIToolChoiceTokens(choice: ToolChoice | undefined, count: (text: string) => number): number {
  if (choice === 'none') return TOOL_CHOICE_NONE_TOKENS;
  if (typeof choice === 'object') return count(choice.name) + TOOL_CHOICE_NAME_OVERHEAD;
  return 0;
}

/**
 * The calibrated estimate for any model, OpenAI ones included (never the tokenizer): one pass over the text, a few
 * µs for a typical request. For reservations on the request path, where the tokenizer's cost (tens of µs for a small
 * prompt, tens of ms for 100 KB) is too much; multiply by the family's safety factor.
 */
export function estimateChatTokens(request: ChatRequest, model: string, options: EstimateFamilyOptions = {}): TokenCount {
  return estimateChat(request, model, options);
}

function estimateChat(request: ChatRequest, model: string, options: EstimateFamilyOptions): TokenCount {
  const { messages, images } = flatten(request);
  const tools: readonly ToolDefinition[] = request.tools ?? [];
  const family = estimateFamilyFor(model, options);
  const isClaude = family === 'anthropic';
  const estimate = (text: string) => estimateTokens(text, family);
  let total = REPLY_PRIMING_TOKENS;
  for (const message of messages) {
    total += TOKENS_PER_MESSAGE + estimate(message.content);
    for (const call of message.toolCalls) total += estimate(call.name) + estimate(call.arguments) + TOOL_CALL_OVERHEAD;
  }
  if (tools.length > 0) {
    const definitions = tools.map((tool) => ({ name: tool.name, description: tool.description, input_schema: tool.parameters }));
    total += estimate(JSON.stringify(definitions));
    if (isClaude) total += request.toolChoice === 'required' || typeof request.toolChoice === 'object' ? CLAUDE_TOOL_PROMPT_FORCED : CLAUDE_TOOL_PROMPT_AUTO;
  }
  total += images * (isClaude ? IMAGE_TOKENS_CLAUDE : IMAGE_TOKENS_OPENAI);
  return { tokens: total, exact: false };
}

/**
 * Prompt tokens of a canonical request. `exact` is true only for an OpenAI model and a request whose every part
 * follows the documented framing (no tools, images or JSON-schema response format); otherwise an estimate with the
 * model's family weights (Claude → anthropic, Gemini/Gemma → gemini, others → o200k; `options.providerFamily`
 * decides for a model id that names no family). Loads the OpenAI tokenizer on first use: keep it off the hot path.
 */
export function countChatTokens(request: ChatRequest, model: string, options: EstimateFamilyOptions = {}): TokenCount {
  const encoding = openAIEncodingFor(model);
  if (encoding === null) return estimateChat(request, model, options);
  return countOpenAIChat(request, (text) => countWithEncoding(encoding, text));
}

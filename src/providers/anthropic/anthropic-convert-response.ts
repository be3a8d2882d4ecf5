/**
 * A whole Anthropic Message (https://docs.anthropic.com/en/api/messages) → canonical ChatResponse.
 * Content blocks, in order: `text` → text; `thinking` → reasoning with its signature; `redacted_thinking` → reasoning
 * with empty text and `redactedData`; `tool_use` → tool-call whose arguments are the JSON text of `input`. Other block
 * types (server tool use and results, container uploads) only appear when the request enabled server tools, which a
 * translated request never does; they are skipped. Messages carry no creation time: `created` is 0.
 */
import type { AssistantContentPart, ChatResponse } from '../../spec/canonical.js';
import { GatewayError } from '../../spec/errors.js';
import { emptyUsage } from '../../spec/usage.js';
import { anthropicMessageSchema, type AnthropicContentBlock } from './anthropic-api.js';
import { describeFirstIssue } from '../../spec/format-path.js';
import { fromAnthropicStopReason } from './anthropic-finish-reason.js';
import { anthropicUsageToTokens } from './anthropic-usage.js';

function badResponse(message: string): GatewayError {
  return new GatewayError({ code: 'upstream_bad_response', message: `Anthropic returned an unexpected response body (${message}).` });
}

/** JSON text of a tool_use `input` (an object; `{}` when absent). */
export function toolInputText(input: unknown): string {
  return input === undefined || input === null ? '{}' : JSON.stringify(input);
}

/**
 * One block → its canonical part, or null for a type the canonical model does not carry. A missing field of an
 * interpreted type is reported as a bad response naming `content[i].field`.
 */
export function blockToPart(block: AnthropicContentBlock, at: string): AssistantContentPart | null {
  switch (block.type) {
    case 'text':
      if (block.text == null) throw badResponse(`${at}.text: expected string`);
      return { type: 'text', text: block.text };
    case 'thinking': {
      const part: AssistantContentPart = { type: 'reasoning', text: block.thinking ?? '' };
      if (block.signature != null && block.signature !== '') part.signature = block.signature;
      return part;
    }
    case 'redacted_thinking':
      if (block.data == null) throw badResponse(`${at}.data: expected string`);
      return { type: 'reasoning', text: '', redactedData: block.data };
    case 'tool_use':
      if (block.id == null || block.name == null) throw badResponse(`${at}: a tool_use block needs an id and a name`);
      return { type: 'tool-call', id: block.id, name: block.name, arguments: toolInputText(block.input) };
    default:
      return null;
  }
}

/** Throws GatewayError 'upstream_bad_response' when the body is not a Message. */
export function fromAnthropicResponse(json: unknown): ChatResponse {
  const parsed = anthropicMessageSchema.safeParse(json);
  if (!parsed.success) throw badResponse(describeFirstIssue(parsed.error));
  const message = parsed.data;
  const content: AssistantContentPart[] = [];
  message.content.forEach((block, index) => {
    const part = blockToPart(block, `content[${index}]`);
    if (part !== null) content.push(part);
  });
  const response: ChatResponse = {
    id: message.id ?? '',
    model: message.model ?? '',
    created: 0,
    content,
    finishReason: fromAnthropicStopReason(message.stop_reason),
    usage: message.usage == null ? emptyUsage() : anthropicUsageToTokens(message.usage),
  };
  if (response.finishReason === 'stop-sequence' && message.stop_sequence != null) response.stopSequence = message.stop_sequence;
  return response;
}

/**
 * Canonical messages → the Anthropic `system` prompt and `messages` array (https://docs.anthropic.com/en/api/messages).
 * Anthropic has one system slot and expects user/assistant turns to alternate, so: system messages found mid-conversation
 * are appended to `system` (their position is lost); tool results become a user message of tool_result blocks; and
 * consecutive messages of the same role are merged into one, tool_result blocks first (Anthropic requires them to
 * open the user content). The mapping is documented in docs/translation.md.
 */
import type { AssistantContentPart, ChatMessage, ChatRequest, ImagePart, ToolResultPart, UserContentPart } from '../../spec/canonical.js';
import { GatewayError } from '../../spec/errors.js';

type Json = Record<string, unknown>;

export interface AnthropicWireMessage {
  role: 'user' | 'assistant';
  content: Json[];
}

function untranslatable(param: string, message: string): GatewayError {
  return new GatewayError({ code: 'untranslatable', param, message: `${param}: ${message}` });
}

/** The image media types Anthropic accepts (https://docs.anthropic.com/en/docs/build-with-claude/vision). */
const imageTypes = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

/** The media type from the first bytes of base64 image data (PNG, JPEG, GIF, WebP), or undefined. */
export function sniffImageType(base64: string): string | undefined {
  const head = Buffer.from(base64.slice(0, 24), 'base64');
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (head.subarray(0, 4).toString('latin1') === 'GIF8') return 'image/gif';
  if (head.subarray(0, 4).toString('latin1') === 'RIFF' && head.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  return undefined;
}

function base64Image(data: string, declared: string | undefined, param: string): Json {
  const mediaType = declared !== undefined && declared !== '' ? declared.toLowerCase() : sniffImageType(data);
  if (mediaType === undefined) throw untranslatable(param, 'the image has no media type and is not PNG, JPEG, GIF or WebP data.');
  if (!imageTypes.has(mediaType)) throw untranslatable(param, `Anthropic accepts image/jpeg, image/png, image/gif and image/webp, not ${mediaType}.`);
  return { type: 'image', source: { type: 'base64', media_type: mediaType, data } };
}

const dataUrl = /^data:([^;,]+)(?:;[^,]*)?;base64,(.*)$/s;

/** A canonical image → an image block: base64 data, a base64 `data:` URL, or an http(s) URL Anthropic fetches itself. */
export function imageBlock(part: ImagePart, param: string): Json {
  if (part.data !== undefined && part.data !== '') return base64Image(part.data, part.mediaType, param);
  const url = part.url ?? '';
  const inline = dataUrl.exec(url);
  if (inline?.[2] !== undefined) return base64Image(inline[2], inline[1], param);
  if (/^https?:\/\//i.test(url)) return { type: 'image', source: { type: 'url', url } };
  throw untranslatable(param, url === '' ? 'the image has neither a URL nor data.' : 'only base64 data, base64 data: URLs and http(s) URLs can be sent to Anthropic.');
}

function userBlocks(content: readonly UserContentPart[], at: string): Json[] {
  const blocks: Json[] = [];
  content.forEach((part, index) => {
    if (part.type === 'text') {
      // Anthropic rejects empty text blocks.
      if (part.text !== '') blocks.push({ type: 'text', text: part.text });
    } else {
      blocks.push(imageBlock(part, `${at}.content[${index}]`));
    }
  });
  return blocks;
}

/** A tool call's arguments → the `input` object Anthropic requires (empty text → `{}`). */
function toolInput(text: string, param: string): Json {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw untranslatable(param, 'the tool call arguments are not valid JSON; Anthropic needs a JSON object as tool input.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw untranslatable(param, 'Anthropic needs a JSON object as tool input.');
  return { ...value };
}

/**
 * Reasoning goes back as thinking blocks only when Anthropic signed it (signature) or redacted it (redactedData):
 * unsigned reasoning from other providers cannot be verified by Anthropic and is dropped.
 */
function assistantBlocks(content: readonly AssistantContentPart[], at: string): Json[] {
  const blocks: Json[] = [];
  content.forEach((part, index) => {
    if (part.type === 'text') {
      if (part.text !== '') blocks.push({ type: 'text', text: part.text });
    } else if (part.type === 'tool-call') {
      blocks.push({ type: 'tool_use', id: part.id, name: part.name, input: toolInput(part.arguments, `${at}.content[${index}].arguments`) });
    } else if (part.redactedData !== undefined) {
      blocks.push({ type: 'redacted_thinking', data: part.redactedData });
    } else if (part.signature !== undefined) {
      blocks.push({ type: 'thinking', thinking: part.text, signature: part.signature });
    }
  });
  return blocks;
}

function toolResultBlocks(content: readonly ToolResultPart[]): Json[] {
  return content.map((result) => {
    const block: Json = { type: 'tool_result', tool_use_id: result.toolCallId };
    if (result.content !== '') block.content = result.content;
    if (result.isError === true) block.is_error = true;
    return block;
  });
}

function wireMessage(message: Exclude<ChatMessage, { role: 'system' }>, at: string): AnthropicWireMessage {
  switch (message.role) {
    case 'user':
      return { role: 'user', content: userBlocks(message.content, at) };
    case 'assistant':
      return { role: 'assistant', content: assistantBlocks(message.content, at) };
    case 'tool':
      return { role: 'user', content: toolResultBlocks(message.content) };
  }
}

const isToolResult = (block: Json): boolean => block.type === 'tool_result';

/**
 * The system prompt and the alternating messages. Messages left with no content (an empty assistant turn, an empty
 * user text) are dropped, since Anthropic rejects empty content.
 */
export function toAnthropicMessages(request: ChatRequest): { system: string | undefined; messages: AnthropicWireMessage[] } {
  const system: string[] = request.system !== undefined && request.system !== '' ? [request.system] : [];
  const messages: AnthropicWireMessage[] = [];
  request.messages.forEach((message, index) => {
    if (message.role === 'system') {
      if (message.content !== '') system.push(message.content);
      return;
    }
    const next = wireMessage(message, `messages[${index}]`);
    if (next.content.length === 0) return;
    const last = messages[messages.length - 1];
    if (last === undefined || last.role !== next.role) {
      messages.push(next);
      return;
    }
    const merged = [...last.content, ...next.content];
    last.content = next.role === 'user' ? [...merged.filter(isToolResult), ...merged.filter((block) => !isToolResult(block))] : merged;
  });
  return { system: system.length === 0 ? undefined : system.join('\n\n'), messages };
}

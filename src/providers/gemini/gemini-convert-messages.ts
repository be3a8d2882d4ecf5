/**
 * Canonical messages → Gemini `contents` (https://ai.google.dev/api/caching#Content): roles `user` / `model`, parts of
 * text, inlineData, fileData, functionCall and functionResponse. System messages found after the start are returned
 * apart, for `systemInstruction` (Gemini has one system slot). What Gemini cannot take throws GatewayError
 * 'untranslatable' naming the canonical field.
 */
import { z } from 'zod';
import type { AssistantContentPart, ChatMessage, ImagePart, ToolResultPart, UserContentPart } from '../../spec/canonical.js';
import { GatewayError } from '../../spec/errors.js';

export type GeminiRequestPart = Record<string, unknown>;

export interface GeminiContent {
  role: 'user' | 'model';
  parts: GeminiRequestPart[];
}

/**
 * Gemini 3 rejects a history whose function-call step lacks the signature it issued. For calls it did not issue (another
 * model's turns, or a client that dropped the signature) the docs give this value to skip the check:
 * https://ai.google.dev/gemini-api/docs/thought-signatures
 */
export const foreignThoughtSignature = 'skip_thought_signature_validator';

const untranslatable = (param: string, message: string) => new GatewayError({ code: 'untranslatable', param, message });

export interface GeminiContentsOptions {
  /** Put the bypass signature on unsigned function-call steps (models that validate signatures: Gemini 3 and later). */
  signForeignCalls: boolean;
}

/** Converts the messages; consecutive messages of the same canonical role share one Content (parallel tool results). */
export function toGeminiContents(messages: readonly ChatMessage[], options: GeminiContentsOptions): { contents: GeminiContent[]; laterSystem: string[] } {
  const contents: GeminiContent[] = [];
  const laterSystem: string[] = [];
  const toolNames = new Map<string, string>();
  let previousRole: ChatMessage['role'] | undefined;
  messages.forEach((message, index) => {
    const at = `messages[${index}]`;
    if (message.role === 'system') {
      if (message.content !== '') laterSystem.push(message.content);
      return;
    }
    let parts: GeminiRequestPart[];
    if (message.role === 'user') parts = message.content.flatMap((part, j) => userPart(part, `${at}.content[${j}]`));
    else if (message.role === 'assistant') parts = assistantParts(message.content, { at, toolNames });
    else parts = message.content.map((part, j) => toolResultPart(part, { param: `${at}.content[${j}]`, toolNames }));
    if (parts.length === 0) return;
    const last = contents.at(-1);
    if (last !== undefined && previousRole === message.role) last.parts.push(...parts);
    else contents.push({ role: message.role === 'assistant' ? 'model' : 'user', parts });
    previousRole = message.role;
  });
  if (options.signForeignCalls) for (const content of contents) if (content.role === 'model') signFirstFunctionCall(content);
  return { contents, laterSystem };
}

function userPart(part: UserContentPart, param: string): GeminiRequestPart[] {
  if (part.type === 'text') return part.text === '' ? [] : [{ text: part.text }];
  return [imagePart(part, param)];
}

/**
 * Reasoning text is not sent back: Gemini keeps its reasoning state in thought signatures, and resending thought
 * summaries would only add input tokens. A reasoning part's signature goes on the next part of the same message,
 * which is where Gemini issued it (a signature on a functionCall or text part is carried in canonical form as a
 * reasoning part placed just before that part); a trailing one becomes an empty text part, as Gemini sends it.
 */
function assistantParts(content: readonly AssistantContentPart[], context: { at: string; toolNames: Map<string, string> }): GeminiRequestPart[] {
  const parts: GeminiRequestPart[] = [];
  let signature: string | undefined;
  content.forEach((part, j) => {
    if (part.type === 'reasoning') {
      if (part.signature === undefined || part.signature === '') return;
      if (signature !== undefined) parts.push({ text: '', thoughtSignature: signature });
      signature = part.signature;
      return;
    }
    let out: GeminiRequestPart;
    if (part.type === 'text') {
      if (part.text === '' && signature === undefined) return;
      out = { text: part.text };
    } else {
      context.toolNames.set(part.id, part.name);
      out = { functionCall: { id: part.id, name: part.name, args: parseArguments(part.arguments, `${context.at}.content[${j}].arguments`) } };
    }
    if (signature !== undefined) out.thoughtSignature = signature;
    signature = undefined;
    parts.push(out);
  });
  if (signature !== undefined) parts.push({ text: '', thoughtSignature: signature });
  return parts;
}

const argsObjectSchema = z.record(z.string(), z.unknown());

/** Tool-call arguments are a JSON text in canonical form; Gemini takes them as a JSON object (`functionCall.args`). */
function parseArguments(text: string, param: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw untranslatable(param, 'Tool-call arguments are not valid JSON; Gemini takes function-call arguments as a JSON object.');
  }
  const parsed = argsObjectSchema.safeParse(value);
  if (!parsed.success || Array.isArray(value)) {
    throw untranslatable(param, 'Tool-call arguments are not a JSON object; Gemini takes function-call arguments as a JSON object.');
  }
  return parsed.data;
}

/**
 * A functionResponse must name its function (the call `id` is optional and not always issued by Gemini), so the name is
 * found from the most recent earlier assistant tool call with this id. The `output` / `error` keys are the ones the API
 * reference names for FunctionResponse.response (https://ai.google.dev/api/caching#FunctionResponse).
 */
function toolResultPart(part: ToolResultPart, context: { param: string; toolNames: Map<string, string> }): GeminiRequestPart {
  const name = context.toolNames.get(part.toolCallId);
  if (name === undefined) {
    throw untranslatable(
      `${context.param}.toolCallId`,
      `Tool result for call "${part.toolCallId}" follows no assistant tool call with that id; Gemini needs the function name of the call it answers.`,
    );
  }
  return { functionResponse: { id: part.toolCallId, name, response: part.isError === true ? { error: part.content } : { output: part.content } } };
}

/** The first functionCall of a model step must carry a signature on Gemini 3; give it the documented bypass value. */
function signFirstFunctionCall(content: GeminiContent): void {
  const first = content.parts.find((part) => part.functionCall !== undefined);
  if (first !== undefined && first.thoughtSignature === undefined) first.thoughtSignature = foreignThoughtSignature;
}

const dataUrlPattern = /^data:([^;,]+)?((?:;[^;,]*)*?);base64,(.*)$/s;

/**
 * Images: base64 data → inlineData; a data: URL → inlineData; an https URL → fileData, which Gemini fetches itself
 * (public or signed HTTPS URLs, https://ai.google.dev/gemini-api/docs/file-input-methods). Any other URL is rejected.
 */
function imagePart(part: ImagePart, param: string): GeminiRequestPart {
  if (part.data !== undefined) {
    const mimeType = part.mediaType ?? sniffImageType(part.data);
    if (mimeType === undefined) throw untranslatable(param, 'Image data has no media type, and Gemini needs one (inlineData.mimeType).');
    return { inlineData: { mimeType, data: part.data } };
  }
  const url = part.url ?? '';
  if (url.startsWith('data:')) {
    const match = dataUrlPattern.exec(url);
    const mimeType = match?.[1] ?? (match ? sniffImageType(match[3] ?? '') : undefined);
    if (!match || mimeType === undefined) throw untranslatable(param, 'Only base64 data: URLs with a media type can be sent to Gemini as inline image data.');
    return { inlineData: { mimeType, data: match[3] ?? '' } };
  }
  if (/^https:\/\//i.test(url)) {
    const mimeType = part.mediaType ?? imageTypeFromPath(url);
    return { fileData: mimeType === undefined ? { fileUri: url } : { mimeType, fileUri: url } };
  }
  throw untranslatable(param, `Gemini fetches image URLs over HTTPS only; "${url.slice(0, 60)}" cannot be sent.`);
}

const base64Signatures: readonly [string, string][] = [
  ['iVBORw0KGgo', 'image/png'],
  ['/9j/', 'image/jpeg'],
  ['R0lGOD', 'image/gif'],
  ['UklGR', 'image/webp'],
];

function sniffImageType(data: string): string | undefined {
  return base64Signatures.find(([prefix]) => data.startsWith(prefix))?.[1];
}

const extensionTypes: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  heic: 'image/heic',
  heif: 'image/heif',
  bmp: 'image/bmp',
};

function imageTypeFromPath(url: string): string | undefined {
  let pathname: string;
  try {
    pathname = new URL(url).pathname;
  } catch {
    return undefined;
  }
  const extension = /\.([a-z0-9]+)$/i.exec(pathname)?.[1]?.toLowerCase();
  return extension === undefined ? undefined : extensionTypes[extension];
}

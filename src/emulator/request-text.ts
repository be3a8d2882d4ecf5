/**
 * Reads the text out of provider request bodies: the text every message contributes (for default input token
 * counts) and the last user message's text (where directives live). Content may be a string or an array of parts
 * in any of the three dialects, so this walks `unknown` values with type guards instead of three big schemas.
 */
import type { z } from 'zod';

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON-carrying keys of content parts: tool inputs, tool arguments, Gemini function calls and responses. */
const jsonKeys = ['input', 'args', 'arguments', 'functionCall', 'functionResponse'] as const;

/**
 * Every piece of text in a message's content, in order: strings, parts' `text` / `thinking`, nested `content` and
 * `output` (tool results), and the JSON of tool inputs and function calls.
 */
export function collectText(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') {
    if (value !== '') out.push(value);
  } else if (Array.isArray(value)) {
    for (const item of value) collectText(item, out);
  } else if (isRecord(value)) {
    if (typeof value.text === 'string') out.push(value.text);
    if (typeof value.thinking === 'string') out.push(value.thinking);
    if (value.content !== undefined) collectText(value.content, out);
    if (value.output !== undefined) collectText(value.output, out);
    for (const key of jsonKeys) {
      const part = value[key];
      if (typeof part === 'string') out.push(part);
      else if (part !== undefined && part !== null) out.push(JSON.stringify(part));
    }
  }
  return out;
}

/**
 * Only the plain text of a user message: a string, or the `text` of its parts (OpenAI `text`/`input_text` parts,
 * Anthropic text blocks, Gemini text parts). Tool results and media are not directive carriers.
 */
export function userText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const texts: string[] = [];
  for (const part of content) {
    if (typeof part === 'string') texts.push(part);
    else if (isRecord(part) && typeof part.text === 'string' && part.thought !== true) texts.push(part.text);
  }
  return texts.join('\n');
}

/** The JSON of tool definitions, counted as input text when present. */
export function toolsText(tools: unknown): string[] {
  return tools === undefined || tools === null ? [] : [JSON.stringify(tools)];
}

/** A one-line description of the first schema issue, in the style `messages: Field required`. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'Invalid request body';
  const path = issue.path.map(String).join('.');
  const missing = issue.code === 'invalid_type' && issue.message.includes('undefined');
  const message = missing ? 'Field required' : issue.message;
  return path === '' ? `Invalid request body: ${message}` : `${path}: ${message}`;
}

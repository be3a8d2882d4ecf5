/**
 * Helpers shared by the emulator's own tests: JSON POSTs over real HTTP and SSE parsing with the project's one
 * SSE parser. Test-only; nothing in the emulator imports this file.
 */
import { parseSseText } from '../providers/shared/sse.js';
import { isRecord } from './request-text.js';

export const openAiAuth = { authorization: 'Bearer sk-emulator-test' };
export const anthropicAuth = { 'x-api-key': 'sk-ant-emulator-test', 'anthropic-version': '2023-06-01' };
export const geminiAuth = { 'x-goog-api-key': 'gemini-emulator-test' };

export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
}

/** POSTs `body` (JSON-encoded unless already a string) and reads the whole response. */
export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<HttpResult> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** Parses a JSON text into a record, failing the test when it is not an object. */
export function json(text: string): Record<string, unknown> {
  const value: unknown = JSON.parse(text);
  if (!isRecord(value)) throw new Error(`expected a JSON object, got: ${text.slice(0, 200)}`);
  return value;
}

/** All SSE events of a complete text, through the project's one SSE parser. */
export const sseEvents = parseSseText;

/** The JSON payloads of SSE events (skipping OpenAI's `[DONE]`). */
export function ssePayloads(text: string): Array<Record<string, unknown>> {
  return sseEvents(text)
    .filter((event) => event.data !== '[DONE]')
    .map((event) => json(event.data));
}

/** Reads a nested property by path, for terse assertions on `unknown` JSON. */
export function at(value: unknown, ...path: Array<string | number>): unknown {
  let current = value;
  for (const key of path) {
    if (Array.isArray(current) && typeof key === 'number') current = current[key];
    else if (isRecord(current) && typeof key === 'string') current = current[key];
    else return undefined;
  }
  return current;
}

/** Wraps a directive into a user prompt. */
export function prompt(directive: Record<string, unknown>, text = 'Tell me something'): string {
  return `${text} [[emu:${JSON.stringify(directive)}]]`;
}

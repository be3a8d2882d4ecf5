/**
 * OpenAI tokenizers, loaded on first use. gpt-tokenizer's encodings carry multi-megabyte rank tables and count
 * ~100 KB of text in ~59 ms, so they are used only off the hot path (estimating an aborted stream, count_tokens)
 * and must not be loaded at startup. `require` through createRequire loads them synchronously on the first
 * count; Node's module cache then keeps them, so there is no cache of our own.
 */
import { createRequire } from 'node:module';

export type OpenAIEncodingName = 'o200k_base' | 'cl100k_base';

/** The part of a gpt-tokenizer encoding module we use. */
export interface TextTokenizer {
  countTokens(text: string, options?: { disallowedSpecial?: Set<string> }): number;
}

const requireFromHere = createRequire(import.meta.url);

const isTokenizer = (value: unknown): value is TextTokenizer =>
  typeof value === 'object' && value !== null && 'countTokens' in value && typeof value.countTokens === 'function';

/** The encoding module, loaded synchronously on first call (gpt-tokenizer's CommonJS build) and cached by Node. */
export function loadEncoding(name: OpenAIEncodingName): TextTokenizer {
  const loaded: unknown = requireFromHere(`gpt-tokenizer/encoding/${name}`);
  if (!isTokenizer(loaded)) throw new Error(`gpt-tokenizer/encoding/${name} has no countTokens()`);
  return loaded;
}

/**
 * The encoding of an OpenAI model id, or null for a model that is not OpenAI's. Accepts provider-prefixed and
 * fine-tuned ids (`openai/gpt-4o`, `ft:gpt-4o-mini:org::id`).
 * - cl100k_base: gpt-4 and gpt-4-* (turbo, 32k, dated), gpt-3.5-*, text-embedding-3-*, text-embedding-ada-002;
 * - o200k_base: gpt-4o, gpt-4.1, gpt-4.5, gpt-5, o-series (o1, o3, o4-mini, ...), chatgpt-*, and any newer gpt-*.
 * Source: tiktoken's model map (openai/tiktoken `tiktoken/model.py`), which gpt-tokenizer mirrors.
 */
export function openAIEncodingFor(model: string): OpenAIEncodingName | null {
  const id = model.trim().toLowerCase().replace(/^.*\//, '').replace(/^ft:/, '');
  if (/^gpt-4(-|$)/.test(id) || /^gpt-3\.5/.test(id) || /^gpt-35/.test(id) || id.startsWith('text-embedding-')) return 'cl100k_base';
  if (id.startsWith('gpt-') || /^o\d/.test(id) || id.startsWith('chatgpt-')) return 'o200k_base';
  return null;
}

/**
 * Token count with OpenAI's tokenizer. Special-token text such as `<|endoftext|>` is counted as ordinary text,
 * as the API treats it in message content, instead of throwing.
 */
export function countWithEncoding(name: OpenAIEncodingName, text: string): number {
  if (text === '') return 0;
  return loadEncoding(name).countTokens(text, { disallowedSpecial: new Set() });
}

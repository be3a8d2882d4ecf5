/** The OpenAI encodings (multi-megabyte rank tables) must load on first count, not when the module is imported. */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { countChatTokens, countTextTokens } from './index.js';

const require = createRequire(import.meta.url);
const isLoaded = (name: string): boolean => require.cache[require.resolve(`gpt-tokenizer/encoding/${name}`)] !== undefined;

describe('lazy tokenizer loading', () => {
  it('loads no encoding at import, and only the one a model needs on first use', () => {
    expect(isLoaded('o200k_base')).toBe(false);
    expect(isLoaded('cl100k_base')).toBe(false);
    countTextTokens('hello', 'claude-sonnet-4-5');
    countChatTokens({ model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], stream: false, includeUsage: false }, 'gemini-2.5-flash');
    expect(isLoaded('o200k_base')).toBe(false);
    countTextTokens('hello', 'gpt-4o');
    expect(isLoaded('o200k_base')).toBe(true);
    expect(isLoaded('cl100k_base')).toBe(false);
  });
});

/**
 * OpenAI-family `prompt_cache_key`: OpenAI routes requests to its prompt caches by a hash of the prompt's first
 * tokens combined with this key, so requests that share a long prefix and the key land on the same cache
 * (https://platform.openai.com/docs/guides/prompt-caching). Caching is automatic from 1,024 prompt tokens.
 * The key is derived from the tenant and the stable prefix hash: the same prefix of the same tenant always gets the
 * same key, different tenants never share one. The caller's own key (even null) is never replaced.
 */
import { hashParts } from './prefix-hash.js';

export function openAiCacheKey(tenant: string, prefixHash: string): string {
  return `jevons-${hashParts([tenant, prefixHash]).slice(0, 24)}`;
}

/** The request texts whose estimated tokens decide whether the prompt is long enough to be cached. */
export function openAiPromptText(body: Record<string, unknown>): string {
  const parts: unknown[] = [body.instructions, body.system, body.tools, body.messages, body.input];
  let text = '';
  for (const part of parts) {
    if (part === undefined || part === null) continue;
    text += typeof part === 'string' ? part : JSON.stringify(part);
  }
  return text;
}

/**
 * Prefix affinity: which upstream last served a prefix. A provider's prompt cache lives on that provider (and, for
 * OpenAI, on the machines its `prompt_cache_key` routes to), so a router choosing between equivalent upstreams
 * (fallbacks, load balancing) should prefer the one that holds the prefix warm. The prompt-cache policy records
 * every call; a router looks a request up with `stablePrefixHash(body)` before choosing. Bounded (LRU).
 */
import { BoundedLru } from './lru.js';

export interface PrefixAffinity {
  /** The provider that last served this prefix hash within `ttlMs`, or undefined. */
  preferred(prefixHash: string, now: number): string | undefined;
  remember(prefixHash: string, provider: string, now: number): void;
}

export function createPrefixAffinity(options: { maxEntries?: number; ttlMs?: number } = {}): PrefixAffinity {
  const entries = new BoundedLru<{ provider: string; at: number }>(options.maxEntries ?? 50_000);
  // Past an hour no provider cache holds the prefix any more (Anthropic's longest TTL; OpenAI's retention is shorter).
  const ttlMs = options.ttlMs ?? 3_600_000;
  return {
    preferred(prefixHash, now) {
      const entry = entries.get(prefixHash);
      return entry !== undefined && now - entry.at <= ttlMs ? entry.provider : undefined;
    },
    remember(prefixHash, provider, now) {
      entries.set(prefixHash, { provider, at: now });
    },
  };
}

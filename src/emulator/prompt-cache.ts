/**
 * Simulated provider prompt caching, so the gateway's prompt-cache policy and its cache metering can be tested
 * end to end. Used only when a request's directive does not script `usage`. Deterministic; time from the emulator's
 * `now` option.
 *
 * Anthropic (https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching): the prompt is the sequence of
 * blocks tools → system → messages' content blocks; a block with `cache_control` is a breakpoint. A request reads
 * the longest prefix that an earlier request wrote at one of its breakpoints and that is still within its TTL,
 * looking back up to 20 blocks before each of its own breakpoints; a read refreshes the entry's TTL. The part after
 * that hit, up to each breakpoint, is written (`cache_creation`, split by the TTL of the breakpoint that ends it);
 * the rest is `input_tokens`. A breakpoint whose prefix is below the model's minimum is not cached.
 * The minimums are the provider's, kept here independently of the gateway's own table: the emulator stands in for
 * the provider.
 *
 * OpenAI (https://platform.openai.com/docs/guides/prompt-caching): automatic, for prompts of 1,024 tokens or more,
 * in 128-token increments: the longest previously seen prefix of the prompt's tokens (1,024, 1,152, ...) is
 * reported as `cached_tokens`. A prefix stays cached for 5 minutes after its last use (OpenAI: 5-10 minutes of
 * inactivity). `prompt_cache_key` only steers OpenAI's routing, so it does not change what the emulator reports.
 */
import { createHash } from 'node:crypto';
import { countTokens, encode } from 'gpt-tokenizer';
import { isRecord } from './request-text.js';

export interface CacheSplit {
  cacheRead: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
}

type Ttl = '5m' | '1h';
const TTL_MS: Record<Ttl, number> = { '5m': 5 * 60_000, '1h': 60 * 60_000 };
const LOOKBACK_BLOCKS = 20;
const OPENAI_MINIMUM = 1024;
const OPENAI_INCREMENT = 128;
const OPENAI_RETENTION_MS = 5 * 60_000;
/** Per message framing tokens, as the emulator's default input count adds them (scenario.ts perMessageOverhead). */
const MESSAGE_OVERHEAD = 4;

/** Minimum cacheable prefix per model family; first match wins (see the Anthropic page above). */
const ANTHROPIC_MINIMUMS: ReadonlyArray<[RegExp, number]> = [
  [/claude-opus-4[-.][56]|claude-haiku-4[-.]5/i, 4096],
  [/claude-3[-.]5-haiku|claude-3-haiku|claude-haiku-3/i, 2048],
];

export function anthropicMinimum(model: string): number {
  for (const [pattern, tokens] of ANTHROPIC_MINIMUMS) if (pattern.test(model)) return tokens;
  return 1024;
}

export interface AnthropicCacheRequest {
  model: string;
  system?: unknown;
  tools?: unknown;
  messages: ReadonlyArray<{ role: string; content?: unknown }>;
}

export interface PromptCacheSimulator {
  /** The cache part of `totalInput` for an Anthropic Messages request; writes and refreshes entries. */
  anthropic(request: AnthropicCacheRequest, totalInput: number): CacheSplit;
  /** The cached part of `totalInput` for an OpenAI prompt given as its texts in order; records its prefixes. */
  openai(request: { model: string; texts: readonly string[] }, totalInput: number): CacheSplit;
}

interface Block {
  /** Chain hash of everything up to and including this block. */
  hash: string;
  /** Tokens up to and including this block. */
  cumulative: number;
  breakpoint: Ttl | null;
}

const noCache: CacheSplit = { cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0 };

function stripCacheControl(key: string, value: unknown): unknown {
  return key === 'cache_control' ? undefined : value;
}

function breakpointOf(block: unknown): Ttl | null {
  if (!isRecord(block) || !isRecord(block.cache_control)) return null;
  return block.cache_control.ttl === '1h' ? '1h' : '5m';
}

function blockText(block: unknown): string {
  if (typeof block === 'string') return block;
  if (isRecord(block) && typeof block.text === 'string') return block.text;
  return JSON.stringify(block, stripCacheControl) ?? '';
}

/** The request as a chain of hashed blocks in cache order (tools, system, messages). */
function anthropicBlocks(request: AnthropicCacheRequest, totalInput: number): Block[] {
  const blocks: Block[] = [];
  let hash = createHash('sha256').update(request.model).digest('hex');
  let tokens = 0;
  const push = (value: unknown, framing: number, label: string) => {
    hash = createHash('sha256').update(hash).update(label).update(JSON.stringify(value, stripCacheControl) ?? '').digest('hex');
    tokens += framing + countTokens(blockText(value));
    blocks.push({ hash, cumulative: Math.min(tokens, totalInput), breakpoint: breakpointOf(value) });
  };
  if (Array.isArray(request.tools)) request.tools.forEach((tool) => push(tool, 0, 'tool'));
  const system = typeof request.system === 'string' ? [request.system] : Array.isArray(request.system) ? request.system : [];
  system.forEach((block, index) => push(block, index === 0 ? MESSAGE_OVERHEAD : 0, 'system'));
  request.messages.forEach((message, index) => {
    const content = typeof message.content === 'string' ? [message.content] : Array.isArray(message.content) ? message.content : [];
    content.forEach((block, blockIndex) => push(block, blockIndex === 0 ? MESSAGE_OVERHEAD : 0, `${index}:${message.role}`));
  });
  return blocks;
}

interface Entry {
  expiresAt: number;
  ttl: Ttl;
}

export function createPromptCacheSimulator(options: { now: () => number; maxEntries?: number }): PromptCacheSimulator {
  const anthropicEntries = new Map<string, Entry>();
  const openaiEntries = new Map<string, number>();
  const maxEntries = options.maxEntries ?? 100_000;
  const bound = (map: Map<string, unknown>) => {
    while (map.size > maxEntries) {
      const oldest = map.keys().next();
      if (oldest.done === true) break;
      map.delete(oldest.value);
    }
  };

  const anthropicHit = (blocks: readonly Block[], now: number): number => {
    let hit = -1;
    blocks.forEach((block, position) => {
      if (block.breakpoint === null) return;
      for (let back = position; back >= 0 && back > position - LOOKBACK_BLOCKS && back > hit; back -= 1) {
        const entry = anthropicEntries.get((blocks[back] as Block).hash);
        if (entry !== undefined && entry.expiresAt >= now) {
          hit = back;
          break;
        }
      }
    });
    return hit;
  };

  return {
    anthropic(request, totalInput) {
      const now = options.now();
      const blocks = anthropicBlocks(request, totalInput);
      const minimum = anthropicMinimum(request.model);
      const hit = anthropicHit(blocks, now);
      const read = hit === -1 ? 0 : (blocks[hit] as Block).cumulative;
      if (hit !== -1) {
        const entry = anthropicEntries.get((blocks[hit] as Block).hash) as Entry;
        anthropicEntries.delete((blocks[hit] as Block).hash);
        anthropicEntries.set((blocks[hit] as Block).hash, { ...entry, expiresAt: now + TTL_MS[entry.ttl] });
      }
      const split: CacheSplit = { cacheRead: read, cacheWrite5m: 0, cacheWrite1h: 0 };
      let cachedUpTo = read;
      blocks.forEach((block, position) => {
        if (block.breakpoint === null || position <= hit || block.cumulative < minimum) return;
        const written = block.cumulative - cachedUpTo;
        if (block.breakpoint === '1h') split.cacheWrite1h += written;
        else split.cacheWrite5m += written;
        cachedUpTo = block.cumulative;
        anthropicEntries.delete(block.hash);
        anthropicEntries.set(block.hash, { expiresAt: now + TTL_MS[block.breakpoint], ttl: block.breakpoint });
      });
      bound(anthropicEntries);
      return split;
    },

    openai(request, totalInput) {
      if (totalInput < OPENAI_MINIMUM) return noCache;
      const now = options.now();
      const tokens = encode(request.texts.join('\n'));
      const limit = Math.min(tokens.length, totalInput);
      const hash = createHash('sha256').update(request.model);
      let cached = 0;
      for (let end = OPENAI_INCREMENT, start = 0; end <= limit; start = end, end += OPENAI_INCREMENT) {
        hash.update(tokens.slice(start, end).join(','));
        if (end < OPENAI_MINIMUM) continue;
        const key = hash.copy().digest('hex');
        const lastUsed = openaiEntries.get(key);
        if (lastUsed !== undefined && now - lastUsed <= OPENAI_RETENTION_MS) cached = end;
        openaiEntries.delete(key);
        openaiEntries.set(key, now);
      }
      bound(openaiEntries);
      return { cacheRead: cached, cacheWrite5m: 0, cacheWrite1h: 0 };
    },
  };
}

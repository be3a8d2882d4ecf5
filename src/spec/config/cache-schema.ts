/**
 * The caching part of `jevons.yaml`: the exact and semantic response caches, provider prompt-cache optimisation and
 * the cache-breaker diagnosis. Strict like the rest of the schema; every key is documented in docs/config.md and
 * docs/caching.md.
 */
import { z } from 'zod';
import { duration } from './governance-schema.js';

const similarity = z.number().gt(0).lte(1);
const positiveInt = z.number().int().positive();

/** Which requests a cache rule applies to: every field given must match; the first matching rule wins. */
const ruleMatch = {
  feature: z.string().min(1).optional(),
  /** The public model name the caller asked for. */
  model: z.string().min(1).optional(),
};

/**
 * Who may be served a cached answer: only requests of the same virtual key (default), of the same team, or anyone.
 * Requests without a key (auth none / passthrough) share the `anonymous` partition of their scope.
 */
const tenantScope = z.enum(['key', 'team', 'global']);

/**
 * Requests that sample (temperature > 0, or unset where the provider's default samples): `bypass` = never cached
 * (each call is a fresh draw, the default), `cache` = cached like deterministic ones.
 */
const sampledPolicy = z.enum(['bypass', 'cache']);

const exactRuleSchema = z
  .object({
    ...ruleMatch,
    enabled: z.boolean().optional(),
    ttl: duration.optional(),
    sampled: sampledPolicy.optional(),
  })
  .strict();

const exactSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** How long an answer may be served from the cache. */
    ttl: duration.default(3_600_000),
    scope: tenantScope.default('key'),
    sampled: sampledPolicy.default('bypass'),
    /** Bounds of the in-process store: the least recently used answers are evicted first. */
    max_entries: positiveInt.default(100_000),
    max_bytes: positiveInt.default(256 * 1024 * 1024),
    /** Per feature / model: turn off, change the TTL or the sampled policy. */
    rules: z.array(exactRuleSchema).default([]),
  })
  .strict()
  .prefault({});

const embedderSchema = z.discriminatedUnion('type', [
  /** Built in: hashed word and character n-grams (lexical, not a neural model; docs/caching.md says what it can and cannot match). */
  z.object({ type: z.literal('local'), dimensions: positiveInt.default(512) }).strict(),
  /** Any embeddings model served through this gateway's own providers (OpenAI, Gemini, Ollama, vLLM...). */
  z.object({ type: z.literal('model'), model: z.string().min(1), dimensions: positiveInt.optional() }).strict(),
]);

const semanticRuleSchema = z
  .object({
    ...ruleMatch,
    enabled: z.boolean().optional(),
    threshold: similarity.optional(),
    mode: z.enum(['serve', 'shadow']).optional(),
  })
  .strict();

const semanticSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** serve: answer hits from the cache; shadow: record would-be hits (similarity, answer) and call upstream anyway. */
    mode: z.enum(['serve', 'shadow']).default('shadow'),
    embedder: embedderSchema.default({ type: 'local', dimensions: 512 }),
    /** Cosine similarity a neighbour must reach to count as the same question (per feature in rules). */
    threshold: similarity.optional(),
    ttl: duration.default(86_400_000),
    scope: tenantScope.default('key'),
    /** Most entries in the vector index (oldest evicted first). */
    max_entries: positiveInt.default(100_000),
    rules: z.array(semanticRuleSchema).default([]),
  })
  .strict()
  .prefault({});

const promptCacheSchema = z
  .object({
    /** Anthropic: add cache_control breakpoints (tools + system, last stable message) when the prefix is long enough. */
    anthropic_breakpoints: z.enum(['auto', 'off']).default('auto'),
    /**
     * Breakpoint TTL: 5m (default), 1h, or auto = 1 hour when the same prefix comes back less often than every 5
     * minutes but within the hour. On the Mooncake traces auto realised more reuse but cost more than 5m (a 1h write
     * is 2x input against 1.25x): docs/prompt-caching.md.
     */
    anthropic_ttl: z.enum(['auto', '5m', '1h']).default('5m'),
    /** OpenAI-family: set `prompt_cache_key` from the tenant and the prefix hash so one prefix stays on one cache. */
    openai_cache_key: z.enum(['auto', 'off']).default('auto'),
  })
  .strict()
  .prefault({});

const diagnosisSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Prompts shorter than this (estimated tokens) are not examined: providers do not cache them anyway. */
    min_prompt_tokens: positiveInt.default(1_024),
  })
  .strict()
  .prefault({});

export const cacheSchema = z
  .object({
    exact: exactSchema,
    semantic: semanticSchema,
    prompt_cache: promptCacheSchema,
    diagnosis: diagnosisSchema,
  })
  .strict()
  .prefault({});

export type CacheConfig = z.output<typeof cacheSchema>;
export type ExactCacheConfig = CacheConfig['exact'];
export type SemanticCacheConfig = CacheConfig['semantic'];
export type PromptCacheConfig = CacheConfig['prompt_cache'];
export type CacheDiagnosisConfig = CacheConfig['diagnosis'];
export type EmbedderConfig = SemanticCacheConfig['embedder'];

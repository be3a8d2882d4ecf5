/**
 * The `jevons.yaml` schema. Strict: unknown keys are rejected so a typo never silently does nothing. Every key
 * is documented in docs/config.md; keep the two in step.
 */
import { z } from 'zod';
import { cacheSchema } from './cache-schema.js';
import { controlPlaneSchemas } from './control-plane-schema.js';
import { routingSchema } from './routing-schema.js';
import { governanceSchemas } from './governance-schema.js';

const positiveInt = z.number().int().positive();

const timeoutsSchema = z
  .object({
    connect_ms: positiveInt.default(10_000),
    first_byte_ms: positiveInt.default(120_000),
    total_ms: positiveInt.default(600_000),
  })
  .strict();

export const providerTypes = ['openai', 'anthropic', 'gemini', 'openai-compatible'] as const;
export type ProviderType = (typeof providerTypes)[number];

const providerSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, "-" and "_"'),
    type: z.enum(providerTypes),
    /** For openai-compatible: a known host whose base URL, key variable and quirks are used as defaults. */
    preset: z.string().optional(),
    base_url: z.url().optional(),
    api_key_env: z.string().optional(),
    /** Literal key: allowed for local hosts (Ollama, vLLM) that ignore it; prefer api_key_env. */
    api_key: z.string().optional(),
    /** Provider id in the price catalog (genai-prices), e.g. "groq"; defaults from type / preset. */
    price_family: z.string().optional(),
    max_connections: positiveInt.default(128),
    timeouts: timeoutsSchema.prefault({}),
    /** openai-compatible only: field used for the output-token limit, and whether stream usage may be requested. */
    max_tokens_field: z.enum(['max_tokens', 'max_completion_tokens']).optional(),
    stream_usage: z.boolean().optional(),
  })
  .strict();

const perMtok = z.number().nonnegative();

/** Prices per million tokens. Optional kinds fall back as documented in docs/config.md (cache read -> input, ...). */
const tokenPriceFields = {
  input_per_mtok: perMtok,
  output_per_mtok: perMtok,
  cache_read_per_mtok: perMtok.optional(),
  cache_write_5m_per_mtok: perMtok.optional(),
  cache_write_1h_per_mtok: perMtok.optional(),
  reasoning_per_mtok: perMtok.optional(),
  input_audio_per_mtok: perMtok.optional(),
  input_image_per_mtok: perMtok.optional(),
  cache_read_audio_per_mtok: perMtok.optional(),
  output_audio_per_mtok: perMtok.optional(),
  output_image_per_mtok: perMtok.optional(),
};

const contextTierSchema = z.object({ above_input_tokens: z.number().int().nonnegative(), ...tokenPriceFields }).strict();

/** A service tier's prices: a factor of the standard prices (batch 0.5), or a complete price set. */
const serviceTierPriceSchema = z.union([z.object({ factor: z.number().positive() }).strict(), z.object(tokenPriceFields).strict()]);

/** UTC date or date-time from which a price applies. */
const effectiveFrom = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);

const priceVersionSchema = z
  .object({
    ...tokenPriceFields,
    /** Fixed fee per request, USD. */
    request_usd: z.number().nonnegative().optional(),
    context_tiers: z.array(contextTierSchema).optional(),
    service_tiers: z.object({ batch: serviceTierPriceSchema.optional(), flex: serviceTierPriceSchema.optional(), priority: serviceTierPriceSchema.optional() }).strict().optional(),
    effective_from: effectiveFrom.optional(),
  })
  .strict();

/** One price, or dated versions: each applies from its effective_from (the first may have none). */
const priceSchema = z.union([priceVersionSchema, z.array(priceVersionSchema).min(1)]).superRefine((value, context) => {
  if (!Array.isArray(value)) return;
  let previous = -Infinity;
  value.forEach((version, index) => {
    if (version.effective_from === undefined) {
      if (index > 0) context.addIssue({ code: 'custom', path: [index, 'effective_from'], message: 'required on every version but the first' });
      return;
    }
    const at = Date.parse(version.effective_from);
    if (at <= previous) context.addIssue({ code: 'custom', path: [index, 'effective_from'], message: 'versions must be in increasing effective_from order' });
    previous = at;
  });
});

/** A price for a provider's model that has no models[] entry (reached by family routing), or a custom model id. */
const pricingOverrideSchema = z
  .object({
    /** Name of a configured provider. */
    provider: z.string().min(1),
    /** Upstream model id (matched case-insensitively). */
    model: z.string().min(1),
    price: priceSchema,
  })
  .strict();

const modelSchema = z
  .object({
    /** The public name callers use. */
    name: z.string().min(1),
    provider: z.string().min(1),
    /** The upstream model id; defaults to name. */
    model: z.string().min(1).optional(),
    price: priceSchema.optional(),
  })
  .strict();

const attributionDefaults = {
  team: z.string().optional(),
  app: z.string().optional(),
  feature: z.string().optional(),
  customer: z.string().optional(),
};

const keySchema = z
  .object({
    name: z.string().min(1),
    /** Environment variable holding the key's secret. */
    secret_env: z.string().min(1),
    ...attributionDefaults,
  })
  .strict();

export const configSchema = z
  .object({
    server: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65_535).default(4000),
        max_body_bytes: positiveInt.default(20 * 1024 * 1024),
        /** keys: a virtual key is required; passthrough: the caller's own provider key is forwarded; none: open (local use). */
        auth: z.enum(['keys', 'passthrough', 'none']).default('keys'),
      })
      .strict()
      .prefault({}),
    storage: z
      .object({
        path: z.string().default('.jevons/jevons.db'),
        /** Ledger rows older than this are deleted; 0 keeps them forever. */
        retention_days: z.number().int().nonnegative().default(0),
        flush_interval_ms: positiveInt.default(100),
        flush_max_rows: positiveInt.default(500),
      })
      .strict()
      .prefault({}),
    pricing: z
      .object({
        /** What to do with a request for a model that has no price: allow (recorded as unpriced) or reject (403). */
        unpriced: z.enum(['allow', 'reject']).default('allow'),
        /** Prices for provider models without a models[] entry; they win over the bundled prices. */
        prices: z.array(pricingOverrideSchema).default([]),
      })
      .strict()
      .prefault({}),
    providers: z.array(providerSchema).default([]),
    models: z.array(modelSchema).default([]),
    keys: z.array(keySchema).default([]),
    ...governanceSchemas,
    cache: cacheSchema,
    routing: routingSchema,
    ...controlPlaneSchemas,
  })
  .strict();

export type JevonsConfigInput = z.input<typeof configSchema>;
export type JevonsConfig = z.output<typeof configSchema>;
export type ProviderConfig = JevonsConfig['providers'][number];
export type ModelConfig = JevonsConfig['models'][number];
export type PriceConfig = z.output<typeof priceSchema>;
export type PriceVersionConfig = z.output<typeof priceVersionSchema>;

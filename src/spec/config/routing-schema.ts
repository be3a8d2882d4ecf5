/**
 * The routing part of `jevons.yaml`: model tiers, rules that pick a tier or a model, automatic complexity routing,
 * cascades with validators, fallbacks with provider health, reasoning budgets per tier, and shadow mode. Strict like
 * the rest of the schema; every key is documented in docs/config.md and docs/routing.md.
 */
import { z } from 'zod';
import { duration } from './governance-schema.js';

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, ".", "-" and "_"');
const fraction = z.number().min(0).max(1);

/** A tier: an ordered list of candidate models (public model names, any provider); the first healthy one serves. */
const tierSchema = z
  .object({
    name,
    models: z.array(z.string().min(1)).min(1),
    /** Reasoning budget for every call served by this tier (set or cap). */
    reasoning: z
      .object({
        /** OpenAI reasoning_effort: set when absent, lowered when the caller asked for more. */
        effort: z.enum(['minimal', 'low', 'medium', 'high']).optional(),
        /** Anthropic thinking.budget_tokens / Gemini thinkingBudget: set when absent (if `enable`), capped otherwise. */
        max_thinking_tokens: z.number().int().nonnegative().optional(),
        /** Turn thinking on when the caller did not (Anthropic / Gemini); default false: only cap. */
        enable_thinking: z.boolean().default(false),
        /** Append a token-budget instruction to the system prompt of reasoning models (after TALE); default off. */
        budget_instruction: z.boolean().default(false),
      })
      .strict()
      .optional(),
  })
  .strict();

/** Which requests a rule or a feature default applies to: every field given must match. */
const matchSchema = z
  .object({
    feature: z.string().min(1).optional(),
    /** Virtual key name or id. */
    key: z.string().min(1).optional(),
    team: z.string().min(1).optional(),
    /** Request tags (x-jevons-tag-*): every one given must be present with this value. */
    tags: z.record(z.string().min(1), z.string().min(1)).optional(),
    /** A request header (lower case) with this exact value. */
    header: z.object({ name: z.string().min(1), value: z.string() }).strict().optional(),
    /** The model the caller asked for (public name or `jevons/auto`). */
    model: z.string().min(1).optional(),
  })
  .strict();

/** What a rule decides: a tier, a model, or automatic routing over tiers with a threshold per tier boundary. */
const ruleSchema = z
  .object({
    match: matchSchema.default({}),
    tier: name.optional(),
    model: z.string().min(1).optional(),
    auto: z.boolean().optional(),
  })
  .strict()
  .refine((rule) => [rule.tier, rule.model, rule.auto].filter((value) => value !== undefined).length === 1, 'exactly one of tier, model or auto');

const validatorSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('json_schema'), schema: z.record(z.string(), z.unknown()).optional() }).strict(),
  z.object({ type: z.literal('not_empty') }).strict(),
  z.object({ type: z.literal('no_refusal') }).strict(),
  z.object({ type: z.literal('length'), min_chars: z.number().int().nonnegative().optional(), max_chars: z.number().int().positive().optional() }).strict(),
  z.object({ type: z.literal('regex'), pattern: z.string().min(1), must_match: z.boolean().default(true) }).strict(),
  z.object({ type: z.literal('webhook'), url: z.url(), timeout_ms: z.number().int().positive().default(2_000) }).strict(),
]);

export const routingSchema = z
  .object({
    tiers: z.array(tierSchema).default([]),
    /** First matching rule wins; a pinned model (the caller named a real model and no rule matched) is served as is. */
    rules: z.array(ruleSchema).default([]),
    auto: z
      .object({
        /** The classifier: builtin, or an HTTP scorer answering {"score": 0..1} for the request body. */
        classifier: z
          .union([z.literal('builtin'), z.object({ url: z.url(), timeout_ms: z.number().int().positive().default(200) }).strict()])
          .default('builtin'),
        /**
         * Tiers from cheapest to strongest, and the score above which each next tier is used. With tiers [small,
         * large] and thresholds [0.6]: score < 0.6 -> small, else large.
         */
        tiers: z.array(name).min(1).optional(),
        thresholds: z.array(fraction).optional(),
        /** Per feature: other thresholds (trade cost against quality per feature). */
        features: z.record(z.string().min(1), z.object({ thresholds: z.array(fraction) }).strict()).default({}),
        /**
         * What a `jevons/auto` call (which names no model) is compared with in routing savings: the model it would
         * have been sent to without routing. Default: the first model of the last (strongest) automatic tier.
         */
        baseline_model: z.string().min(1).optional(),
      })
      .strict()
      .prefault({}),
    cascade: z
      .object({
        /** Validators an answer must pass; one failing escalates to the next tier. Empty = no cascades. */
        validators: z.array(validatorSchema).default([]),
        max_escalations: z.number().int().min(0).max(3).default(1),
        /** Only calls matching this are cascaded (a cascade buffers the answer: streams are sent once validated). */
        match: matchSchema.optional(),
      })
      .strict()
      .prefault({}),
    fallbacks: z
      .object({
        /** Retries across candidates (and the same candidate) on retryable failures. */
        max_attempts: z.number().int().min(1).max(10).default(3),
        backoff_initial: duration.default(200),
        backoff_max: duration.default(5_000),
        /** Longest retry-after honoured; a longer one moves to the next candidate instead of waiting. */
        max_retry_after: duration.default(10_000),
      })
      .strict()
      .prefault({}),
    health: z
      .object({
        /** Consecutive failures that open a provider's circuit. */
        failure_threshold: z.number().int().min(1).default(5),
        /** How long an open circuit stays open before one half-open probe. */
        open_for: duration.default(30_000),
      })
      .strict()
      .prefault({}),
    /** shadow: decide and record the tier/model the router would choose (and its estimated cost), serve the original. */
    mode: z.enum(['serve', 'shadow']).default('serve'),
  })
  .strict()
  .prefault({});

export type RoutingConfig = z.output<typeof routingSchema>;
export type TierConfig = z.output<typeof tierSchema>;
export type RoutingRuleConfig = z.output<typeof ruleSchema>;
export type RoutingMatch = z.output<typeof matchSchema>;
export type ValidatorConfig = z.output<typeof validatorSchema>;

/**
 * Load → validate → cross-check → freeze → hash. The environment is passed in (never read here) so tests and the
 * CLI decide what it is. Errors name the path of the offending key: `models[3].provider: unknown provider "opena1"`.
 */
import { createHash } from 'node:crypto';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { formatPath } from '../format-path.js';
import { configSchema, type JevonsConfig, type JevonsConfigInput, type ProviderType } from './config-schema.js';

export type Environment = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(source: string, problems: string[]) {
    super(`${source}: invalid configuration\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export interface LoadedConfig {
  config: Readonly<JevonsConfig>;
  /** sha256 of the validated config (first 16 hex chars); stamped on every ledger row. */
  hash: string;
  /** Where it came from: a file path, or "zero-config". */
  source: string;
  /** Providers added from environment variables because the file did not name them. */
  implicitProviders: string[];
}

/** Provider types that zero-config creates when their key variable is set, and their defaults. */
export const providerDefaults: Record<Exclude<ProviderType, 'openai-compatible'>, { apiKeyEnv: string; baseUrlEnv: string; baseUrl: string }> = {
  openai: { apiKeyEnv: 'OPENAI_API_KEY', baseUrlEnv: 'OPENAI_BASE_URL', baseUrl: 'https://api.openai.com/v1' },
  anthropic: { apiKeyEnv: 'ANTHROPIC_API_KEY', baseUrlEnv: 'ANTHROPIC_BASE_URL', baseUrl: 'https://api.anthropic.com' },
  gemini: { apiKeyEnv: 'GEMINI_API_KEY', baseUrlEnv: 'GEMINI_BASE_URL', baseUrl: 'https://generativelanguage.googleapis.com' },
};

const pathOf = (path: readonly PropertyKey[]): string => formatPath(path) || '(root)';

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => `${pathOf([...issue.path, key])}: unknown key`).join('; ');
  }
  return `${pathOf(issue.path)}: ${issue.message}`;
}

function crossCheck(config: JevonsConfig): string[] {
  const problems: string[] = [];
  const providerNames = new Set<string>();
  config.providers.forEach((provider, index) => {
    if (providerNames.has(provider.name)) problems.push(`providers[${index}].name: duplicate provider "${provider.name}"`);
    providerNames.add(provider.name);
    if (provider.type === 'openai-compatible' && !provider.base_url && !provider.preset) {
      problems.push(`providers[${index}]: an openai-compatible provider needs base_url or preset`);
    }
    if (provider.type !== 'openai-compatible' && (provider.preset || provider.max_tokens_field || provider.stream_usage !== undefined)) {
      problems.push(`providers[${index}]: preset, max_tokens_field and stream_usage apply to openai-compatible providers only`);
    }
  });
  const known = [...providerNames].map((name) => `"${name}"`).join(', ') || 'none configured';
  const modelNames = new Set<string>();
  config.models.forEach((model, index) => {
    if (modelNames.has(model.name)) problems.push(`models[${index}].name: duplicate model "${model.name}"`);
    modelNames.add(model.name);
    if (!providerNames.has(model.provider)) problems.push(`models[${index}].provider: unknown provider "${model.provider}" (known: ${known})`);
  });
  const priced = new Set<string>();
  config.pricing.prices.forEach((entry, index) => {
    const id = `${entry.provider}/${entry.model.trim().toLowerCase()}`;
    if (priced.has(id)) problems.push(`pricing.prices[${index}]: a second price for ${entry.provider}/${entry.model} (give dated versions as a list under one entry)`);
    priced.add(id);
    if (!providerNames.has(entry.provider)) problems.push(`pricing.prices[${index}].provider: unknown provider "${entry.provider}" (known: ${known})`);
  });
  for (const [list, items] of [['budgets', config.budgets], ['rate_limits', config.rate_limits], ['breakers', config.breakers]] as const) {
    const names = new Set<string>();
    items.forEach((item, index) => {
      if (names.has(item.name)) problems.push(`${list}[${index}].name: duplicate name "${item.name}"`);
      names.add(item.name);
    });
  }
  // Control plane: every customer is mapped to a declared plan (the admin API can change the mapping at run time).
  const planNames = new Set<string>();
  config.plans.forEach((plan, index) => {
    if (planNames.has(plan.name)) problems.push(`plans[${index}].name: duplicate plan "${plan.name}"`);
    planNames.add(plan.name);
  });
  for (const [customer, plan] of Object.entries(config.customers)) {
    if (!planNames.has(plan)) problems.push(`customers.${customer}: unknown plan "${plan}" (plans: ${[...planNames].map((name) => `"${name}"`).join(', ') || 'none declared'})`);
  }
  const keyNames = new Set<string>();
  config.keys.forEach((key, index) => {
    if (keyNames.has(key.name)) problems.push(`keys[${index}].name: duplicate key "${key.name}"`);
    keyNames.add(key.name);
  });
  problems.push(...routingProblems(config.routing));
  return problems;
}

/**
 * Routing references: tier names are unique, every tier a rule or automatic routing names exists, and each list of
 * thresholds has one value per tier boundary (tiers - 1), ascending. Whether each tier model resolves to a provider is
 * checked when the gateway starts, against the model catalog (src/policies/routing/route-decision.ts).
 */
function routingProblems(routing: JevonsConfig['routing']): string[] {
  const problems: string[] = [];
  const tiers = new Set<string>();
  routing.tiers.forEach((tier, index) => {
    if (tiers.has(tier.name)) problems.push(`routing.tiers[${index}].name: duplicate tier "${tier.name}"`);
    tiers.add(tier.name);
  });
  const known = [...tiers].map((name) => `"${name}"`).join(', ') || 'none declared';
  routing.rules.forEach((rule, index) => {
    if (rule.tier !== undefined && !tiers.has(rule.tier)) problems.push(`routing.rules[${index}].tier: unknown tier "${rule.tier}" (tiers: ${known})`);
  });
  const autoTiers = routing.auto.tiers ?? [...tiers];
  routing.auto.tiers?.forEach((tier, index) => {
    if (!tiers.has(tier)) problems.push(`routing.auto.tiers[${index}]: unknown tier "${tier}" (tiers: ${known})`);
  });
  const usesAuto = routing.rules.some((rule) => rule.auto === true) || routing.auto.tiers !== undefined || routing.auto.thresholds !== undefined;
  if (usesAuto && autoTiers.length === 0) problems.push('routing.auto.tiers: automatic routing needs at least one tier');
  const checkThresholds = (path: string, thresholds: readonly number[]) => {
    if (thresholds.length !== autoTiers.length - 1) problems.push(`${path}: expected ${autoTiers.length - 1} threshold(s), one per boundary between the ${autoTiers.length} automatic tiers, got ${thresholds.length}`);
    if (thresholds.some((value, index) => index > 0 && value < (thresholds[index - 1] ?? 0))) problems.push(`${path}: thresholds must be ascending`);
  };
  if (routing.auto.thresholds !== undefined) checkThresholds('routing.auto.thresholds', routing.auto.thresholds);
  for (const [feature, value] of Object.entries(routing.auto.features)) checkThresholds(`routing.auto.features.${feature}.thresholds`, value.thresholds);
  return problems;
}

/** Adds a provider for each of OPENAI_API_KEY / ANTHROPIC_API_KEY / GEMINI_API_KEY that is set and not configured. */
function addImplicitProviders(input: JevonsConfigInput, env: Environment): string[] {
  if (input.providers !== undefined && !Array.isArray(input.providers)) return [];
  const providers = (input.providers ??= []);
  const added: string[] = [];
  const taken = (type: string) =>
    providers.some((provider: unknown) => {
      if (typeof provider !== 'object' || provider === null) return false;
      const record = provider as Record<string, unknown>;
      return record.type === type || record.name === type;
    });
  for (const [type, defaults] of Object.entries(providerDefaults)) {
    if (!env[defaults.apiKeyEnv] || taken(type)) continue;
    providers.push({ name: type, type: type as ProviderType, api_key_env: defaults.apiKeyEnv, base_url: env[defaults.baseUrlEnv] || undefined });
    added.push(type);
  }
  return added;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** Validates a config object (already parsed from YAML or built in code). */
export function resolveConfig(options: { input: unknown; env: Environment; source: string }): LoadedConfig {
  const input: unknown = options.input ?? {};
  if (typeof input !== 'object' || Array.isArray(input)) throw new ConfigError(options.source, ['(root): expected a mapping of keys']);
  const working = structuredClone(input) as JevonsConfigInput;
  const implicitProviders = addImplicitProviders(working, options.env);
  const parsed = configSchema.safeParse(working);
  if (!parsed.success) throw new ConfigError(options.source, parsed.error.issues.map(describeIssue));
  const problems = crossCheck(parsed.data);
  if (problems.length > 0) throw new ConfigError(options.source, problems);
  const hash = createHash('sha256').update(JSON.stringify(parsed.data)).digest('hex').slice(0, 16);
  return { config: deepFreeze(parsed.data), hash, source: options.source, implicitProviders };
}

/** Parses YAML text; syntax errors name the line and column. */
export function parseConfigText(options: { text: string; env: Environment; source: string }): LoadedConfig {
  const document = parseDocument(options.text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new ConfigError(options.source, document.errors.map((error) => `line ${error.linePos?.[0].line ?? '?'}: ${error.message.split('\n')[0]}`));
  }
  return resolveConfig({ input: document.toJS(), env: options.env, source: options.source });
}

/**
 * A configured provider made ready to call: its origin and base path, credentials resolved from the environment,
 * quirks, price family and its own keep-alive connection pool.
 */
import { Pool } from 'undici';
import { compatiblePresets, type OpenAICompatibleQuirks } from '../../providers/openai-compatible/openai-compatible-quirks.js';
import { priceFamilyOf } from '../../providers/price-family.js';
import type { ProviderConfig, ProviderType } from '../../spec/config/config-schema.js';
import { providerDefaults, type Environment } from '../../spec/config/load-config.js';

export interface ProviderRuntime {
  name: string;
  type: ProviderType;
  /** Which wire format it speaks: decides the fast path and the converters. */
  wire: 'openai' | 'anthropic' | 'gemini';
  /** Price catalog provider id (genai-prices). */
  priceFamily: string;
  origin: string;
  /** Path prefix before endpoint paths, e.g. "/v1" for OpenAI, "" for Anthropic. */
  basePath: string;
  apiKey: string | null;
  quirks: OpenAICompatibleQuirks | null;
  timeouts: ProviderConfig['timeouts'];
  pool: Pool;
}

/** Builds runtimes; problems (missing key variable, unknown preset) are returned with the config path at fault. */
export function createProviderRuntimes(options: { providers: readonly ProviderConfig[]; env: Environment; requireKeys: boolean }): { runtimes: Map<string, ProviderRuntime>; problems: string[] } {
  const runtimes = new Map<string, ProviderRuntime>();
  const problems: string[] = [];
  options.providers.forEach((provider, index) => {
    const at = `providers[${index}]`;
    let baseUrl = provider.base_url;
    let apiKeyEnv = provider.api_key_env;
    let quirks: OpenAICompatibleQuirks | null = null;
    const priceFamily = priceFamilyOf(provider);
    if (provider.type === 'openai-compatible') {
      const preset = provider.preset === undefined ? undefined : compatiblePresets[provider.preset];
      if (provider.preset !== undefined && !preset) {
        problems.push(`${at}.preset: unknown preset "${provider.preset}" (known: ${Object.keys(compatiblePresets).join(', ')})`);
        return;
      }
      baseUrl ??= preset?.baseUrl;
      apiKeyEnv ??= preset?.apiKeyEnv;
      quirks = {
        maxTokensField: provider.max_tokens_field ?? preset?.quirks.maxTokensField ?? 'max_tokens',
        streamUsage: provider.stream_usage ?? preset?.quirks.streamUsage ?? true,
        priceFamily,
        reasoningField: preset?.quirks.reasoningField,
      };
    } else {
      baseUrl ??= providerDefaults[provider.type].baseUrl;
      apiKeyEnv ??= providerDefaults[provider.type].apiKeyEnv;
    }
    const apiKey = provider.api_key ?? (apiKeyEnv ? options.env[apiKeyEnv] : undefined) ?? null;
    if (apiKey === null && options.requireKeys && provider.type !== 'openai-compatible') {
      problems.push(`${at}.api_key_env: environment variable ${apiKeyEnv} is not set (provider "${provider.name}")`);
      return;
    }
    const url = new URL(baseUrl ?? '');
    runtimes.set(provider.name, {
      name: provider.name,
      type: provider.type,
      wire: provider.type === 'anthropic' ? 'anthropic' : provider.type === 'gemini' ? 'gemini' : 'openai',
      priceFamily,
      origin: url.origin,
      basePath: url.pathname.replace(/\/+$/, ''),
      apiKey,
      quirks,
      timeouts: provider.timeouts,
      pool: new Pool(url.origin, {
        connections: provider.max_connections,
        connectTimeout: provider.timeouts.connect_ms,
        keepAliveTimeout: 30_000,
        pipelining: 1,
      }),
    });
  });
  return { runtimes, problems };
}

/** The authentication headers for a provider; `credential` overrides the configured key (pass-through mode). */
export function authHeaders(runtime: ProviderRuntime, credential: string | null): Record<string, string> {
  const key = credential ?? runtime.apiKey;
  if (key === null) return {};
  if (runtime.wire === 'anthropic') return { 'x-api-key': key };
  if (runtime.wire === 'gemini') return { 'x-goog-api-key': key };
  return { authorization: `Bearer ${key}` };
}

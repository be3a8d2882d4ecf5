/**
 * Which public model names are routable, and where each goes. Resolution order: a model declared in config; then
 * `<provider>/<model>` naming a configured provider; then a provider's own model names by family (gpt-* → the
 * openai provider, claude-* → anthropic, gemini-* → gemini), which is what makes zero-config work.
 */
import type { ModelConfig, ProviderConfig, ProviderType } from '../spec/config/config-schema.js';
import type { RouteTarget } from './call.js';

const familyPatterns: ReadonlyArray<{ type: ProviderType; pattern: RegExp; label: string }> = [
  { type: 'openai', pattern: /^(gpt-|o\d|chatgpt-|text-embedding-|omni-|codex-|computer-use-)/, label: 'gpt-*, o*, text-embedding-*' },
  { type: 'anthropic', pattern: /^claude-/, label: 'claude-*' },
  { type: 'gemini', pattern: /^(gemini-|text-embedding-004|embedding-)/, label: 'gemini-*' },
];

export interface ModelCatalog {
  resolve(model: string): RouteTarget | null;
  /** Models to list on GET /v1/models: declared ones (family-routed names are open-ended and not listed). */
  declared(): ReadonlyArray<{ id: string; provider: string }>;
  /** A one-line description of what is routable, for "unknown model" errors. */
  describe(): string;
}

export function createModelCatalog(options: { providers: readonly ProviderConfig[]; models: readonly ModelConfig[] }): ModelCatalog {
  const byName = new Map<string, RouteTarget>();
  for (const model of options.models) byName.set(model.name, { provider: model.provider, upstreamModel: model.model ?? model.name });
  const providerNames = new Set(options.providers.map((provider) => provider.name));
  const families = familyPatterns.flatMap((family) => {
    const provider = options.providers.find((candidate) => candidate.type === family.type);
    return provider ? [{ ...family, provider: provider.name }] : [];
  });
  const memo = new Map<string, RouteTarget | null>();

  const lookup = (model: string): RouteTarget | null => {
    const declared = byName.get(model);
    if (declared) return declared;
    const slash = model.indexOf('/');
    if (slash > 0 && providerNames.has(model.slice(0, slash)) && slash < model.length - 1) {
      return { provider: model.slice(0, slash), upstreamModel: model.slice(slash + 1) };
    }
    const family = families.find((candidate) => candidate.pattern.test(model));
    return family ? { provider: family.provider, upstreamModel: model } : null;
  };

  return {
    resolve(model) {
      let target = memo.get(model);
      if (target === undefined) {
        target = lookup(model);
        if (memo.size < 10_000) memo.set(model, target);
      }
      return target;
    },
    declared: () => options.models.map((model) => ({ id: model.name, provider: model.provider })),
    describe() {
      const parts = [...byName.keys()].slice(0, 20).map((name) => `"${name}"`);
      for (const family of families) parts.push(`${family.label} (provider "${family.provider}")`);
      if (providerNames.size > 0) parts.push(`"<provider>/<model>" for providers ${[...providerNames].map((name) => `"${name}"`).join(', ')}`);
      return parts.length > 0 ? parts.join(', ') : 'none: no provider is configured (set OPENAI_API_KEY, ANTHROPIC_API_KEY or GEMINI_API_KEY, or write jevons.yaml)';
    },
  };
}

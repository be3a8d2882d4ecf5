import { ConfigError, type Environment } from '../../spec/config/load-config.js';
import { createProviderRuntimes } from '../../server/upstream/provider-runtime.js';
import { loadConfig } from '../load.js';

/** Validates the config and the environment it needs; returns the report to print and whether all is well. */
export function configCheck(options: { path: string | undefined; env: Environment }): { ok: boolean; text: string } {
  try {
    const loaded = loadConfig(options);
    const config = loaded.config;
    const { runtimes, problems } = createProviderRuntimes({ providers: config.providers, env: options.env, requireKeys: config.server.auth !== 'passthrough' });
    const keyProblems = config.keys.flatMap((key, index) => (options.env[key.secret_env] ? [] : [`keys[${index}].secret_env: environment variable ${key.secret_env} is not set`]));
    void Promise.all([...runtimes.values()].map((runtime) => runtime.pool.close()));
    const all = [...problems, ...keyProblems];
    const lines = [
      `config: ${loaded.source} (hash ${loaded.hash})`,
      `providers: ${config.providers.map((provider) => `${provider.name} (${provider.type})`).join(', ') || 'none'}${loaded.implicitProviders.length > 0 ? ` — from the environment: ${loaded.implicitProviders.join(', ')}` : ''}`,
      `models: ${config.models.map((model) => `${model.name} → ${model.provider}/${model.model ?? model.name}`).join(', ') || 'none declared (providers serve their own model names)'}`,
      `keys in config: ${config.keys.length}; auth: ${config.server.auth}; ledger: ${config.storage.path}`,
    ];
    if (all.length > 0) return { ok: false, text: [...lines, 'problems:', ...all.map((problem) => `  - ${problem}`)].join('\n') };
    return { ok: true, text: [...lines, 'OK'].join('\n') };
  } catch (error) {
    if (error instanceof ConfigError) return { ok: false, text: error.message };
    throw error;
  }
}

/**
 * Finding and loading the configuration for CLI commands: --config, else $JEVONS_CONFIG, else ./jevons.yaml, else the
 * zero-config defaults from the environment.
 */
import { existsSync, readFileSync } from 'node:fs';
import { ConfigError, parseConfigText, resolveConfig, type Environment, type LoadedConfig } from '../spec/config/load-config.js';

export function findConfigPath(explicit: string | undefined, env: Environment): string | null {
  if (explicit) return explicit;
  if (env.JEVONS_CONFIG) return env.JEVONS_CONFIG;
  return existsSync('jevons.yaml') ? 'jevons.yaml' : null;
}

export function loadConfig(options: { path: string | undefined; env: Environment }): LoadedConfig {
  const path = findConfigPath(options.path, options.env);
  if (path === null) return resolveConfig({ input: {}, env: options.env, source: 'zero-config' });
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(path, [`cannot read the file: ${error instanceof Error ? error.message : String(error)}`]);
  }
  return parseConfigText({ text, env: options.env, source: path });
}

import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfigText, resolveConfig } from './load-config.js';

const problemsOf = (text: string, env: Record<string, string> = {}): string[] => {
  try {
    parseConfigText({ text, env, source: 'jevons.yaml' });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('config loading', () => {
  it('names the path of an unknown provider reference', () => {
    const text = `providers:\n  - { name: openai, type: openai }\nmodels:\n  - { name: a, provider: openai }\n  - { name: b, provider: openai }\n  - { name: c, provider: openai }\n  - { name: d, provider: opena1 }\n`;
    expect(problemsOf(text)).toEqual(['models[3].provider: unknown provider "opena1" (known: "openai")']);
  });

  it('rejects unknown keys at any depth, and wrong types with their path', () => {
    expect(problemsOf('server: { prot: 4000 }')).toEqual(['server.prot: unknown key']);
    expect(problemsOf('providers:\n  - { name: x, type: openai, timeouts: { connect_ms: "fast" } }')[0]).toMatch(/^providers\[0\]\.timeouts\.connect_ms: /);
    expect(problemsOf('providers:\n  - { name: x, type: opneai }')[0]).toMatch(/^providers\[0\]\.type: /);
  });

  it('reports YAML syntax errors with their line', () => {
    expect(problemsOf('server:\n  port: [1,\n')[0]).toMatch(/^line \d+: /);
  });

  it('rejects duplicates and openai-compatible providers without a base URL or preset', () => {
    const text = 'providers:\n  - { name: a, type: openai }\n  - { name: a, type: openai-compatible }\n';
    expect(problemsOf(text)).toEqual(['providers[1].name: duplicate provider "a"', 'providers[1]: an openai-compatible provider needs base_url or preset']);
  });

  it('creates zero-config providers from the environment, with base URL overrides', () => {
    const loaded = resolveConfig({ input: {}, env: { ANTHROPIC_API_KEY: 'k', GEMINI_API_KEY: 'g', GEMINI_BASE_URL: 'http://127.0.0.1:9' }, source: 'zero-config' });
    expect(loaded.config.providers.map((provider) => [provider.name, provider.base_url])).toEqual([
      ['anthropic', undefined],
      ['gemini', 'http://127.0.0.1:9'],
    ]);
    expect(loaded.implicitProviders).toEqual(['anthropic', 'gemini']);
  });

  it('does not add a zero-config provider the file already declares, and freezes and hashes the result', () => {
    const a = resolveConfig({ input: { providers: [{ name: 'main', type: 'openai' }] }, env: { OPENAI_API_KEY: 'k' }, source: 't' });
    expect(a.config.providers).toHaveLength(1);
    expect(Object.isFrozen(a.config.providers[0])).toBe(true);
    const b = resolveConfig({ input: { providers: [{ name: 'main', type: 'openai' }], server: { port: 4001 } }, env: {}, source: 't' });
    expect(a.hash).toMatch(/^[0-9a-f]{16}$/);
    expect(b.hash).not.toBe(a.hash);
  });

  it('survives nonsense shapes without crashing', () => {
    expect(problemsOf('providers: 5')[0]).toMatch(/^providers: /);
    expect(problemsOf('- 1\n- 2')).toEqual(['(root): expected a mapping of keys']);
  });
});

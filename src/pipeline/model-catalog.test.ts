import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../spec/config/load-config.js';
import { createModelCatalog } from './model-catalog.js';

const catalog = () => {
  const { config } = resolveConfig({
    source: 't',
    env: {},
    input: {
      providers: [{ name: 'openai', type: 'openai' }, { name: 'claude', type: 'anthropic' }, { name: 'groq', type: 'openai-compatible', preset: 'groq' }],
      models: [{ name: 'fast', provider: 'groq', model: 'llama-3.1-8b-instant' }, { name: 'gpt-4o', provider: 'claude', model: 'claude-x' }],
    },
  });
  return createModelCatalog(config);
};

describe('model catalog', () => {
  it('resolves declared names first, then provider/model, then provider families', () => {
    const models = catalog();
    expect(models.resolve('fast')).toEqual({ provider: 'groq', upstreamModel: 'llama-3.1-8b-instant' });
    expect(models.resolve('gpt-4o')).toEqual({ provider: 'claude', upstreamModel: 'claude-x' });
    expect(models.resolve('groq/mixtral-8x7b')).toEqual({ provider: 'groq', upstreamModel: 'mixtral-8x7b' });
    expect(models.resolve('gpt-4o-mini')).toEqual({ provider: 'openai', upstreamModel: 'gpt-4o-mini' });
    expect(models.resolve('o3-mini')).toEqual({ provider: 'openai', upstreamModel: 'o3-mini' });
    expect(models.resolve('claude-haiku-4-5')).toEqual({ provider: 'claude', upstreamModel: 'claude-haiku-4-5' });
    expect(models.resolve('gemini-2.5-flash')).toBeNull();
    expect(models.resolve('unknown/thing')).toBeNull();
  });

  it('describes what is routable for a 404', () => {
    expect(catalog().describe()).toContain('claude-* (provider "claude")');
  });
});

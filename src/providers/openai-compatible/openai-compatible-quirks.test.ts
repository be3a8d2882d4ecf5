import { describe, expect, it } from 'vitest';
import { compatiblePresets } from './openai-compatible-quirks.js';

describe('compatiblePresets', () => {
  it('covers the known hosts with valid base URLs and key variables', () => {
    expect(Object.keys(compatiblePresets).sort()).toEqual(['deepseek', 'groq', 'mistral', 'ollama', 'openrouter', 'together', 'vllm']);
    for (const [name, preset] of Object.entries(compatiblePresets)) {
      expect(() => new URL(preset.baseUrl), name).not.toThrow();
      expect(preset.apiKeyEnv, name).toMatch(/^[A-Z][A-Z0-9_]*_API_KEY$/);
      expect(preset.quirks.priceFamily, name).not.toBe('');
    }
  });

  it('local servers default to loopback; hosted ones to https', () => {
    expect(compatiblePresets.vllm?.baseUrl).toBe('http://localhost:8000/v1');
    expect(compatiblePresets.ollama?.baseUrl).toBe('http://localhost:11434/v1');
    for (const name of ['openrouter', 'groq', 'together', 'deepseek', 'mistral']) expect(compatiblePresets[name]?.baseUrl.startsWith('https://')).toBe(true);
  });

  it('host quirks', () => {
    expect(compatiblePresets.mistral?.quirks.streamUsage).toBe(false);
    expect(compatiblePresets.groq?.quirks.maxTokensField).toBe('max_completion_tokens');
    expect(compatiblePresets.deepseek?.quirks.reasoningField).toBe('reasoning_content');
    expect(compatiblePresets.deepseek?.quirks.priceFamily).toBe('deepseek');
  });
});

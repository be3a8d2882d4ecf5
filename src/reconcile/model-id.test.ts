import { describe, expect, it } from 'vitest';
import { normaliseModelId } from './model-id.js';

describe('normaliseModelId', () => {
  it('removes OpenAI and Anthropic snapshot dates and lower-cases', () => {
    expect(normaliseModelId('gpt-4o-2024-08-06')).toBe('gpt-4o');
    expect(normaliseModelId('GPT-4o')).toBe('gpt-4o');
    expect(normaliseModelId('claude-sonnet-4-5-20250929')).toBe('claude-sonnet-4-5');
    expect(normaliseModelId('claude-3-5-sonnet@20240620')).toBe('claude-3-5-sonnet');
    expect(normaliseModelId(' o1-2024-12-17 ')).toBe('o1');
  });

  it('keeps suffixes that name other models', () => {
    expect(normaliseModelId('gpt-4-0613')).toBe('gpt-4-0613');
    expect(normaliseModelId('gpt-4o-mini')).toBe('gpt-4o-mini');
    expect(normaliseModelId('claude-3-5-haiku-latest')).toBe('claude-3-5-haiku-latest');
    expect(normaliseModelId('ft:gpt-4o-mini-2024-07-18:acme::abc123')).toBe('ft:gpt-4o-mini-2024-07-18:acme::abc123');
  });
});

import { describe, expect, it } from 'vitest';
import { estimateFamilyFor } from './estimate-family.js';

describe('estimateFamilyFor', () => {
  it.each([
    ['claude-sonnet-4-5', 'anthropic'],
    ['claude-3-5-haiku-20241022', 'anthropic'],
    ['anthropic.claude-3-7-sonnet-20250219-v1:0', 'anthropic'],
    ['vertex_ai/Claude-Opus-4', 'anthropic'],
    ['gemini-2.5-flash', 'gemini'],
    ['models/gemini-1.5-pro-002', 'gemini'],
    ['gemma-3-27b-it', 'gemini'],
    ['llama-3.3-70b-versatile', 'o200k'],
    ['open-mistral-nemo', 'o200k'],
    ['deepseek-chat', 'o200k'],
  ])('%s -> %s', (model, family) => {
    expect(estimateFamilyFor(model)).toBe(family);
  });

  it('lets the provider decide for a model id that names no family', () => {
    expect(estimateFamilyFor('house-model', { providerFamily: 'anthropic' })).toBe('anthropic');
    expect(estimateFamilyFor('house-model', { providerFamily: 'google' })).toBe('gemini');
    expect(estimateFamilyFor('house-model', { providerFamily: 'Gemini' })).toBe('gemini');
    expect(estimateFamilyFor('house-model', { providerFamily: 'groq' })).toBe('o200k');
    expect(estimateFamilyFor('house-model', {})).toBe('o200k');
  });

  it('trusts the model id over the provider (Claude served by Google Vertex)', () => {
    expect(estimateFamilyFor('claude-sonnet-4-5@20250929', { providerFamily: 'google' })).toBe('anthropic');
    expect(estimateFamilyFor('gemma-2-9b-it', { providerFamily: 'groq' })).toBe('gemini');
  });
});

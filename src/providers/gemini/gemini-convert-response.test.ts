import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../spec/errors.js';
import { fromGeminiResponse } from './gemini-convert-response.js';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8'));

describe('fromGeminiResponse', () => {
  it('converts a plain text answer', () => {
    expect(fromGeminiResponse(fixture('text.json'))).toEqual({
      id: 'mP5YaPv7N7HdjMcPkqKAyQE',
      model: 'gemini-2.0-flash',
      created: 0,
      content: [
        {
          type: 'text',
          text: 'AI works by learning patterns from large amounts of data. A model is trained on examples, adjusts its internal parameters to reduce its errors, and then uses those learned patterns to make predictions or generate new content.',
        },
      ],
      finishReason: 'stop',
      usage: { inputTokens: 11, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: 73, reasoningTokens: 0 },
    });
  });

  it('converts parallel function calls: deterministic ids, JSON arguments, signature placed before its call, STOP → tool-calls', () => {
    const response = fromGeminiResponse(fixture('function-call-parallel.json'));
    expect(response.content).toEqual([
      { type: 'reasoning', text: '', signature: 'CiQBcsjafHx6f2kUVuoXv3fSnS0tQ5f6Ov1t0H2qH5J0ZQ8yJwUSJgFyyNp8wNFl' },
      { type: 'tool-call', id: 'call_0', name: 'get_current_temperature', arguments: '{"location":"Paris"}' },
      { type: 'tool-call', id: 'call_1', name: 'get_current_temperature', arguments: '{"location":"London"}' },
    ]);
    expect(response.finishReason).toBe('tool-calls');
    expect(response.model).toBe('gemini-3-pro-preview');
    expect(response.usage).toEqual({ inputTokens: 74, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: 225, reasoningTokens: 195 });
  });

  it('converts thought summaries to reasoning and counts thoughts as output', () => {
    const response = fromGeminiResponse(fixture('thinking.json'));
    expect(response.content).toEqual([
      {
        type: 'reasoning',
        text: '**Analyzing the prime sum**\n\nI add the first primes one by one: 2, 3, 5, 7, 11, 13, 17, 19, 23, 29 and keep a running total.',
      },
      { type: 'reasoning', text: '', signature: 'Cr4BAdHtim9qIvVrUnBc3nn2G4uTmeNsr8E2Tnt7z3HA2fUS0b4Rr0bUJHX4cL0k' },
      { type: 'text', text: 'The sum of the first 10 prime numbers is **129**.' },
    ]);
    expect(response.usage).toMatchObject({ inputTokens: 14, outputTokens: 728, reasoningTokens: 712 });
  });

  it('reads cached usage', () => {
    expect(fromGeminiResponse(fixture('cached-usage.json')).usage).toEqual({
      inputTokens: 29,
      cacheReadTokens: 696190,
      cacheWrite5mTokens: 0,
      cacheWrite1hTokens: 0,
      outputTokens: 214,
      reasoningTokens: 0,
    });
  });

  it('counts tool-use prompt tokens (grounding) as input', () => {
    const response = fromGeminiResponse(fixture('grounded-tool-use-usage.json'));
    expect(response.usage).toMatchObject({ inputTokens: 299, outputTokens: 224, reasoningTokens: 206 });
    expect(response.content).toEqual([{ type: 'text', text: 'Spain won Euro 2024, beating England 2-1 in the final in Berlin.' }]);
  });

  it('turns a blocked prompt into an empty content-filter answer with its prompt usage', () => {
    const response = fromGeminiResponse(fixture('blocked-prompt.json'));
    expect(response.content).toEqual([]);
    expect(response.finishReason).toBe('content-filter');
    expect(response.usage.inputTokens).toBe(9);
  });

  it('maps the other finish reasons', () => {
    const withReason = (finishReason: string) =>
      fromGeminiResponse({ candidates: [{ content: { parts: [{ text: 'x' }], role: 'model' }, finishReason }] }).finishReason;
    expect(withReason('MAX_TOKENS')).toBe('length');
    for (const reason of ['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII']) expect(withReason(reason)).toBe('content-filter');
    expect(withReason('MALFORMED_FUNCTION_CALL')).toBe('other');
    expect(withReason('LANGUAGE')).toBe('other');
  });

  it('keeps Gemini function-call ids, gives an argument-less call "{}", and merges adjacent text parts', () => {
    const response = fromGeminiResponse({
      candidates: [
        {
          content: { parts: [{ text: 'Let me ' }, { text: 'check.' }, { functionCall: { id: 'fc-7', name: 'now' } }] },
          finishReason: 'STOP',
        },
      ],
    });
    expect(response.content).toEqual([
      { type: 'text', text: 'Let me check.' },
      { type: 'tool-call', id: 'fc-7', name: 'now', arguments: '{}' },
    ]);
    expect(response.id).toBe('');
    expect(response.usage.outputTokens).toBe(0);
  });

  it('rejects a body of the wrong shape with upstream_bad_response naming the field', () => {
    const error = (() => {
      try {
        fromGeminiResponse({ candidates: [{ content: { parts: [{ functionCall: { args: {} } }] } }] });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(GatewayError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'upstream_bad_response',
      status: 502,
      message: expect.stringContaining('candidates[0].content.parts[0].functionCall.name'),
    });
    expect(() => fromGeminiResponse('not an object')).toThrow(GatewayError);
  });
});

import { describe, expect, it } from 'vitest';
import type { ChatResponse } from '../../spec/canonical.js';
import { createResponseAssembler, replayParts } from './response-parts.js';

const usage = { inputTokens: 10, cacheReadTokens: 2, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: 20, reasoningTokens: 5 };

const response: ChatResponse = {
  id: 'r1',
  model: 'm',
  created: 1,
  content: [
    { type: 'reasoning', text: 'Think '.repeat(30), signature: 'sig' },
    { type: 'reasoning', text: '', redactedData: 'opaque' },
    { type: 'text', text: 'héllo 👋 '.repeat(20) },
    { type: 'tool-call', id: 'call_a', name: 'f', arguments: JSON.stringify({ q: 'x'.repeat(100) }) },
    { type: 'tool-call', id: 'call_b', name: 'g', arguments: '{}' },
  ],
  finishReason: 'tool-calls',
  usage,
};

describe('replayParts / createResponseAssembler', () => {
  it('round-trips a response through its replayed stream parts', () => {
    const assembler = createResponseAssembler();
    const parts = replayParts(response, { id: 'r1', created: 1 });
    for (const part of parts) assembler.push(part);
    expect(assembler.result()).toEqual(response);
    expect(parts.filter((part) => part.type === 'text-delta').length).toBeGreaterThan(1);
    // No delta splits a surrogate pair.
    for (const part of parts) if (part.type === 'text-delta') expect(part.text).not.toMatch(/[\uD800-\uDBFF]$/);
  });

  it('keeps a stop sequence', () => {
    const stopped: ChatResponse = { ...response, content: [{ type: 'text', text: 'a' }], finishReason: 'stop-sequence', stopSequence: 'END' };
    const assembler = createResponseAssembler();
    for (const part of replayParts(stopped, { id: 'r1', created: 1 })) assembler.push(part);
    expect(assembler.result()).toEqual(stopped);
  });

  it('gives nothing for a stream that failed, never finished or had no usage', () => {
    const failed = createResponseAssembler();
    failed.push({ type: 'text-delta', text: 'a' });
    failed.push({ type: 'error', errorType: 'x', message: 'y' });
    failed.push({ type: 'finish', finishReason: 'stop' });
    failed.push({ type: 'usage', usage });
    expect(failed.result()).toBeNull();
    const unfinished = createResponseAssembler();
    unfinished.push({ type: 'usage', usage });
    expect(unfinished.result()).toBeNull();
    const noUsage = createResponseAssembler();
    noUsage.push({ type: 'finish', finishReason: 'stop' });
    expect(noUsage.result()).toBeNull();
  });
});

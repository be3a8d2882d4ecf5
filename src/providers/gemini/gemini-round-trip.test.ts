/**
 * Round trips: a recorded Gemini answer is decoded to canonical form, put back into the history of the next request,
 * and re-encoded. The model turn Gemini receives must be the one it produced, minus thought summaries, with every
 * thought signature on the part that carried it (https://ai.google.dev/gemini-api/docs/thought-signatures).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AssistantContentPart, ChatMessage, StreamPart } from '../../spec/canonical.js';
import { createSseParser } from '../shared/sse.js';
import { fromGeminiResponse } from './gemini-convert-response.js';
import { toGeminiRequest } from './gemini-convert-request.js';
import { createGeminiStreamDecoder } from './gemini-stream.js';
import { geminiResponseSchema, type GeminiPart } from './gemini-api.js';

const fixtureText = (name: string): string => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');

/** What Gemini should get back for its own parts: thoughts dropped, empty unsigned text dropped, args kept. */
function expectedReplay(parts: GeminiPart[]): Record<string, unknown>[] {
  let calls = 0;
  return parts
    .filter((part) => part.thought !== true && !(part.text === '' && part.thoughtSignature == null))
    .map((part) => {
      const call = part.functionCall;
      const out: Record<string, unknown> = call ? { functionCall: { id: call.id ?? `call_${calls++}`, name: call.name, args: call.args ?? {} } } : { text: part.text };
      if (part.thoughtSignature != null) out.thoughtSignature = part.thoughtSignature;
      return out;
    });
}

/** Re-encodes an assistant turn as the next request would, answering each tool call. */
function replay(content: AssistantContentPart[]): unknown {
  const messages: ChatMessage[] = [{ role: 'user', content: [{ type: 'text', text: 'question' }] }, { role: 'assistant', content }];
  const results = content.flatMap((part) => (part.type === 'tool-call' ? [{ type: 'tool-result' as const, toolCallId: part.id, content: 'result' }] : []));
  if (results.length > 0) messages.push({ role: 'tool', content: results });
  const { body } = toGeminiRequest({ model: 'm', messages, stream: false, includeUsage: false }, { upstreamModel: 'gemini-3-pro-preview' });
  return body.contents;
}

/** Builds the assistant turn from stream parts the way a dialect encoder and its client would. */
function accumulate(parts: StreamPart[]): AssistantContentPart[] {
  const content: AssistantContentPart[] = [];
  const calls = new Map<number, { type: 'tool-call'; id: string; name: string; arguments: string }>();
  for (const part of parts) {
    const last = content.at(-1);
    if (part.type === 'text-delta') {
      if (last?.type === 'text') last.text += part.text;
      else content.push({ type: 'text', text: part.text });
    } else if (part.type === 'reasoning-delta') {
      if (last?.type === 'reasoning' && last.signature === undefined) last.text += part.text;
      else content.push({ type: 'reasoning', text: part.text });
    } else if (part.type === 'reasoning-signature') {
      if (last?.type === 'reasoning' && last.signature === undefined) last.signature = part.signature;
      else content.push({ type: 'reasoning', text: '', signature: part.signature });
    } else if (part.type === 'tool-call-start') {
      const call = { type: 'tool-call' as const, id: part.id, name: part.name, arguments: '' };
      calls.set(part.index, call);
      content.push(call);
    } else if (part.type === 'tool-call-delta') {
      const call = calls.get(part.index);
      if (call) call.arguments += part.argumentsDelta;
    }
  }
  return content;
}

function streamParts(name: string): { parts: StreamPart[]; wire: GeminiPart[] } {
  const decoder = createGeminiStreamDecoder();
  const parts: StreamPart[] = [];
  const wire: GeminiPart[] = [];
  const parser = createSseParser((event) => {
    parts.push(...decoder.decode(event));
    wire.push(...readParts(JSON.parse(event.data)));
  });
  parser.push(fixtureText(name));
  parser.end();
  parts.push(...decoder.end());
  return { parts, wire };
}

function readParts(body: unknown): GeminiPart[] {
  return geminiResponseSchema.parse(body).candidates?.[0]?.content?.parts ?? [];
}

describe('Gemini round trips', () => {
  for (const name of ['text.json', 'function-call-parallel.json', 'thinking.json']) {
    it(`replays the model turn of ${name} as Gemini produced it`, () => {
      const json: unknown = JSON.parse(fixtureText(name));
      const contents = replay(fromGeminiResponse(json).content);
      expect(contents).toEqual(expect.arrayContaining([{ role: 'model', parts: expectedReplay(readParts(json)) }]));
    });
  }

  for (const name of ['text.sse.txt', 'function-call-thinking.sse.txt', 'thinking-cached.sse.txt']) {
    it(`replays the model turn streamed in ${name} as Gemini produced it`, () => {
      const { parts, wire } = streamParts(name);
      const contents = replay(accumulate(parts));
      expect(contents).toEqual(expect.arrayContaining([{ role: 'model', parts: mergeStreamedText(expectedReplay(wire)) }]));
    });
  }

  it('answers parallel calls in one user turn, by name and in order', () => {
    const contents = replay(fromGeminiResponse(JSON.parse(fixtureText('function-call-parallel.json'))).content);
    expect(contents).toMatchObject([
      {},
      {},
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'get_current_temperature', response: { output: 'result' } } },
          { functionResponse: { name: 'get_current_temperature', response: { output: 'result' } } },
        ],
      },
    ]);
  });
});

/** Streamed text deltas are one canonical text part until a signature comes between them, hence one replayed part. */
function mergeStreamedText(parts: Record<string, unknown>[]): Record<string, unknown>[] {
  const merged: Record<string, unknown>[] = [];
  for (const part of parts) {
    const last = merged.at(-1);
    if (last !== undefined && typeof last.text === 'string' && typeof part.text === 'string' && part.thoughtSignature === undefined) {
      last.text = `${last.text}${part.text}`;
    } else {
      merged.push({ ...part });
    }
  }
  return merged;
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, geminiAuth, json, post, prompt, ssePayloads } from './emulator-test-helpers.js';
import { startEmulator, type RunningEmulator } from './index.js';

let emulator: RunningEmulator;
const model = 'gemini-2.5-flash';
const call = (method: string, body: unknown, options: { query?: string; headers?: Record<string, string> } = {}) =>
  post(`${emulator.url}/v1beta/models/${model}:${method}${options.query ?? ''}`, body, options.headers ?? geminiAuth);
const user = (text: string) => ({
  systemInstruction: { parts: [{ text: 'Be brief.' }] },
  contents: [{ role: 'user', parts: [{ text }] }],
});

beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator.close();
});

describe('generateContent', () => {
  it('returns candidates, usageMetadata with Gemini semantics, modelVersion and responseId', async () => {
    const usage = { input: 50, cache_read: 150, output: 40, reasoning: 15 };
    const result = await call('generateContent', user(prompt({ reply: 'Hallo', thinking: 'pondering', usage })));
    expect(result.status).toBe(200);
    const body = json(result.text);
    expect(at(body, 'candidates', 0)).toEqual({
      content: { parts: [{ text: 'pondering', thought: true }, { text: 'Hallo' }], role: 'model' },
      finishReason: 'STOP',
      index: 0,
    });
    expect(body.usageMetadata).toEqual({
      promptTokenCount: 200,
      candidatesTokenCount: 25,
      totalTokenCount: 240,
      promptTokensDetails: [{ modality: 'TEXT', tokenCount: 200 }],
      cachedContentTokenCount: 150,
      cacheTokensDetails: [{ modality: 'TEXT', tokenCount: 150 }],
      thoughtsTokenCount: 15,
    });
    expect(body.modelVersion).toBe(model);
    expect(body.responseId).toEqual(expect.any(String));
  });

  it('omits cachedContentTokenCount and thoughtsTokenCount when zero; functionCall parts; MAX_TOKENS', async () => {
    const tools = json((await call('generateContent', user(prompt({ tool_calls: [{ name: 'find', arguments: { q: 1 } }] })))).text);
    expect(at(tools, 'candidates', 0, 'content', 'parts')).toEqual([{ functionCall: { name: 'find', args: { q: 1 } } }]);
    expect(at(tools, 'candidates', 0, 'finishReason')).toBe('STOP');
    expect(Object.keys(at(tools, 'usageMetadata') as object)).toEqual(['promptTokenCount', 'candidatesTokenCount', 'totalTokenCount', 'promptTokensDetails']);
    const cut = json((await call('generateContent', { ...user(prompt({ reply: 'a b c d e f' })), generationConfig: { maxOutputTokens: 2 } })).text);
    expect(at(cut, 'candidates', 0, 'finishReason')).toBe('MAX_TOKENS');
  });

  it('accepts the key as ?key= and answers a keyless call with 403 PERMISSION_DENIED', async () => {
    expect((await call('generateContent', user('hi'), { query: '?key=abc', headers: {} })).status).toBe(200);
    const denied = await call('generateContent', user('hi'), { headers: {} });
    expect(denied.status).toBe(403);
    expect(json(denied.text)).toEqual({ error: { code: 403, message: expect.any(String), status: 'PERMISSION_DENIED' } });
  });

  it('scripted errors use google.rpc status names', async () => {
    const limited = await call('generateContent', user(prompt({ error: { status: 429, message: 'quota' } })));
    expect(limited.status).toBe(429);
    expect(json(limited.text)).toEqual({ error: { code: 429, message: 'quota', status: 'RESOURCE_EXHAUSTED' } });
    const malformed = await call('generateContent', '{nope');
    expect(json(malformed.text)).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT' } });
  });
});

describe('streamGenerateContent?alt=sse', () => {
  it('streams data: lines with CRLF framing; the last chunk carries finishReason and final usage', async () => {
    const usage = { input: 10, output: 9, reasoning: 3 };
    const result = await call('streamGenerateContent', user(prompt({ reply: 'one two three', thinking: 'hm', usage })), { query: '?alt=sse' });
    expect(result.headers.get('content-type')).toBe('text/event-stream');
    expect(result.text.startsWith('data: {')).toBe(true);
    expect(result.text.endsWith('}\r\n\r\n')).toBe(true);
    const chunks = ssePayloads(result.text);
    expect(chunks.map((chunk) => at(chunk, 'candidates', 0, 'content', 'parts', 0))).toEqual([
      { text: 'hm', thought: true },
      { text: 'one ' },
      { text: 'two ' },
      { text: 'three' },
    ]);
    expect(chunks.slice(0, -1).every((chunk) => at(chunk, 'candidates', 0, 'finishReason') === undefined)).toBe(true);
    expect(at(chunks.at(-1), 'candidates', 0, 'finishReason')).toBe('STOP');
    expect(at(chunks.at(-1), 'usageMetadata')).toMatchObject({ promptTokenCount: 10, candidatesTokenCount: 6, thoughtsTokenCount: 3, totalTokenCount: 19 });
    expect(new Set(chunks.map((chunk) => chunk.responseId)).size).toBe(1);
  });

  it('sends a Google error object in-stream for stream_error_after', async () => {
    const result = await call('streamGenerateContent', user(prompt({ reply: 'a b c', stream_error_after: 1 })), { query: '?alt=sse' });
    const chunks = ssePayloads(result.text);
    expect(chunks).toHaveLength(2);
    expect(chunks[1]).toEqual({ error: { code: 503, message: expect.any(String), status: 'UNAVAILABLE' } });
  });
});

describe('countTokens and embeddings', () => {
  it('countTokens returns totalTokens equal to the promptTokenCount of generateContent', async () => {
    const request = user('How many tokens is this?');
    const counted = json((await call('countTokens', { contents: request.contents })).text);
    const wrapped = json((await call('countTokens', { generateContentRequest: { model: `models/${model}`, ...request } })).text);
    const answered = json((await call('generateContent', request)).text);
    expect(counted).toEqual({ totalTokens: expect.any(Number), promptTokensDetails: [{ modality: 'TEXT', tokenCount: counted.totalTokens }] });
    expect(wrapped.totalTokens).toBe(at(answered, 'usageMetadata', 'promptTokenCount'));
  });

  it('embedContent and batchEmbedContents return deterministic vectors', async () => {
    const one = json((await call('embedContent', { content: { parts: [{ text: 'hello' }] }, outputDimensionality: 16 })).text);
    const values = at(one, 'embedding', 'values') as number[];
    expect(values).toHaveLength(16);
    const batch = json((await call('batchEmbedContents', { requests: [{ content: { parts: [{ text: 'hello' }] }, outputDimensionality: 16 }, { content: { parts: [{ text: 'bye' }] } }] })).text);
    expect(at(batch, 'embeddings', 0, 'values')).toEqual(values);
    expect((at(batch, 'embeddings', 1, 'values') as number[]).length).toBe(768);
  });
});

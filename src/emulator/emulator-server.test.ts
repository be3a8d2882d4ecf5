import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anthropicAuth, at, geminiAuth, json, openAiAuth, post, prompt, ssePayloads } from './emulator-test-helpers.js';
import { startEmulator, type RunningEmulator } from './index.js';

let emulator: RunningEmulator;
const chatBody = (content: string, extra: Record<string, unknown> = {}) => ({
  model: 'gpt-4o',
  messages: [{ role: 'user', content }],
  ...extra,
});

beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator.close();
});

describe('startEmulator', () => {
  it('listens on 127.0.0.1 with an ephemeral port and keeps connections alive', async () => {
    expect(emulator.url).toBe(`http://127.0.0.1:${emulator.port}`);
    const response = await request(`${emulator.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...openAiAuth },
      body: JSON.stringify(chatBody('hi')),
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['connection']).toBe('keep-alive');
    await response.body.text();
  });

  it('records every request in order, in memory and over GET/DELETE /_emulator/requests', async () => {
    emulator.clearRequests();
    await post(`${emulator.url}/v1/chat/completions?trace=1`, chatBody('first'), openAiAuth);
    await post(`${emulator.url}/v1/messages`, 'not json', anthropicAuth);
    expect(emulator.requests.map((entry) => [entry.method, entry.path])).toEqual([
      ['POST', '/v1/chat/completions?trace=1'],
      ['POST', '/v1/messages'],
    ]);
    expect(emulator.requests[0]?.headers['authorization']).toBe(openAiAuth.authorization);
    expect(emulator.requests[0]?.body).toEqual(chatBody('first'));
    expect(emulator.requests[1]?.body).toBeNull();
    const listed: unknown = JSON.parse(await (await fetch(`${emulator.url}/_emulator/requests`)).text());
    expect(listed).toEqual(emulator.requests);
    expect((await fetch(`${emulator.url}/_emulator/requests`, { method: 'DELETE' })).status).toBe(204);
    expect(emulator.requests).toHaveLength(0);
  });

  it('answers unknown paths with 404 in the shape of the provider the path belongs to', async () => {
    const openai = await post(`${emulator.url}/v1/nope`, {}, openAiAuth);
    expect(openai.status).toBe(404);
    expect(json(openai.text)).toEqual({ error: { message: 'Invalid URL (POST /v1/nope)', type: 'invalid_request_error', param: null, code: null } });
    const anthropic = await post(`${emulator.url}/v1/messages/batches/x`, {}, anthropicAuth);
    expect(json(anthropic.text)).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
    const gemini = await post(`${emulator.url}/v1beta/models/gemini-2.5-flash:unknownMethod`, {}, geminiAuth);
    expect(json(gemini.text)).toMatchObject({ error: { code: 404, status: 'NOT_FOUND' } });
  });

  it('paces stream chunks with chunk_delay_ms', async () => {
    const started = performance.now();
    const result = await post(`${emulator.url}/v1/chat/completions`, chatBody(prompt({ reply: 'a b c d', chunk_delay_ms: 30 }), { stream: true }), openAiAuth);
    expect(ssePayloads(result.text).length).toBe(6);
    expect(performance.now() - started).toBeGreaterThanOrEqual(6 * 30 - 10);
  });

  it('disconnect_after also cuts a paced stream after the chunks already sent', async () => {
    const response = await fetch(`${emulator.url}/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...geminiAuth },
      body: JSON.stringify({ contents: [{ parts: [{ text: prompt({ reply: 'a b c d', disconnect_after: 2, chunk_delay_ms: 5 }) }] }] }),
    });
    const reader = response.body?.getReader();
    const decoder = new TextDecoder();
    let received = '';
    await expect(
      (async () => {
        for (;;) {
          const next = await reader?.read();
          if (next === undefined || next.done) return;
          received += decoder.decode(next.value, { stream: true });
        }
      })(),
    ).rejects.toThrow();
    expect(ssePayloads(received).map((chunk) => at(chunk, 'candidates', 0, 'content', 'parts', 0, 'text'))).toEqual(['a ', 'b ']);
  });

  it('survives a client that disconnects mid-stream and keeps serving', async () => {
    const controller = new AbortController();
    const response = await fetch(`${emulator.url}/v1/messages`, {
      method: 'POST',
      signal: controller.signal,
      headers: { 'content-type': 'application/json', ...anthropicAuth },
      body: JSON.stringify({ model: 'claude', max_tokens: 100, stream: true, messages: [{ role: 'user', content: prompt({ reply: 'w '.repeat(40), chunk_delay_ms: 20 }) }] }),
    });
    const reader = response.body?.getReader();
    await reader?.read();
    controller.abort();
    await new Promise((resolve) => setTimeout(resolve, 80));
    const after = await post(`${emulator.url}/v1/chat/completions`, chatBody('still there?'), openAiAuth);
    expect(after.status).toBe(200);
    expect(at(json(after.text), 'choices', 0, 'message', 'content')).toBe('Emulated reply to: still there?');
  });

  it('applies server options: latencyMs before headers and tokensPerSecond pacing', async () => {
    const slow = await startEmulator({ latencyMs: 60, tokensPerSecond: 100 });
    try {
      const started = performance.now();
      const result = await post(`${slow.url}/v1/chat/completions`, chatBody(prompt({ reply: 'one two three four five' }), { stream: true }), openAiAuth);
      expect(result.status).toBe(200);
      // 60 ms latency + 5 one-token words at 100 tokens/s (10 ms each, the first not delayed).
      expect(performance.now() - started).toBeGreaterThanOrEqual(60 + 40 - 10);
    } finally {
      await slow.close();
    }
  });
});

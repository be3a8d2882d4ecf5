import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from './emulator-server.js';
import { at, json, openAiAuth, post, prompt } from './emulator-test-helpers.js';

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterAll(() => emulator.close());

const chat = (model: string, directive: Record<string, unknown>) => post(`${emulator.url}/v1/chat/completions`, { model, messages: [{ role: 'user', content: prompt(directive) }] }, openAiAuth);

describe('failure scripting for fallback tests', () => {
  it('models: per-model fields replace the directive’s own', async () => {
    const directive = { reply: 'fallback answer', models: { 'gpt-4o-mini': { error: { status: 503 } } } };
    expect((await chat('gpt-4o-mini', directive)).status).toBe(503);
    const other = await chat('gpt-4.1-mini', directive);
    expect(other.status).toBe(200);
    expect(at(json(other.text), 'choices', 0, 'message', 'content')).toBe('fallback answer');
  });

  it('fail_times: the error applies to the first n requests per model and directive', async () => {
    const directive = { reply: 'finally', error: { status: 500 }, fail_times: 2 };
    expect((await chat('gpt-4o-mini', directive)).status).toBe(500);
    expect((await chat('gpt-4o-mini', directive)).status).toBe(500);
    expect((await chat('gpt-4.1-mini', directive)).status).toBe(500);
    expect((await chat('gpt-4o-mini', directive)).status).toBe(200);
  });

  it('reset: the connection is reset without an answer', async () => {
    await expect(chat('gpt-4o-mini', { reset: true })).rejects.toThrow();
  });

  it('rejects unknown fields inside models', async () => {
    const result = await chat('gpt-4o-mini', { models: { x: { nope: 1 } } });
    expect(result.status).toBe(400);
    expect(result.text).toContain('Invalid emulator directive');
  });
});

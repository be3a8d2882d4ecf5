/**
 * The semantic cache in a running gateway (cache.semantic with the built-in local embedder and the hnswlib index
 * persisted in the ledger's database): a rephrased question is served from the cache in serve mode, a question that
 * differs by a number is not (false-hit guard), and shadow mode only records.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.js';

let serve: Stack;
let shadow: Stack;
const clientOf = (stack: Stack) => new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: 'unused', maxRetries: 0 });

beforeAll(async () => {
  serve = await startStack({ config: { cache: { semantic: { enabled: true, mode: 'serve' } } } });
  shadow = await startStack({ config: { cache: { semantic: { enabled: true, mode: 'shadow' } } } });
});
afterAll(async () => {
  await serve.close();
  await shadow.close();
});

const ask = (client: OpenAI, question: string) =>
  client.chat.completions.create({ model: 'gpt-4o-mini', temperature: 0, messages: [{ role: 'system', content: 'You are the support bot.' }, { role: 'user', content: question }] }).withResponse();

describe('semantic cache through the gateway', () => {
  it('serves a rephrasing from the cache and meters it as a semantic hit at no cost', async () => {
    const client = clientOf(serve);
    const first = await ask(client, 'How do I reset my password on the mobile app?');
    const second = await ask(client, 'how do i reset my password on the mobile app');
    expect(second.response.headers.get('x-jevons-cache')).toBe('semantic-hit');
    expect(Number(second.response.headers.get('x-jevons-cache-similarity'))).toBeGreaterThan(0.9);
    expect(second.data.choices[0]?.message.content).toBe(first.data.choices[0]?.message.content);
    expect(serve.emulator.requests.filter((request) => request.path.startsWith('/v1/chat'))).toHaveLength(1);
    const [row] = await serve.rowsOf(second.response.headers.get('x-jevons-request-id') ?? '');
    const [original] = await serve.rowsOf(first.response.headers.get('x-jevons-request-id') ?? '');
    expect(row).toMatchObject({ cacheSource: 'semantic', costTotalUsd: 0, inputTokens: 0 });
    expect(row?.costUncachedUsd).toBeCloseTo(original?.costTotalUsd ?? NaN, 12);
  });

  it('does not serve a question that differs by a number', async () => {
    const client = clientOf(serve);
    await ask(client, 'What is the refund window for orders over 50 dollars?');
    const other = await ask(client, 'What is the refund window for orders over 500 dollars?');
    expect(other.response.headers.get('x-jevons-cache')).toBe('miss');
  });

  it('in shadow mode calls upstream and stores the would-be hit for review', async () => {
    const client = clientOf(shadow);
    await ask(client, 'Where can I download my invoices?');
    const second = await ask(client, 'where can i download my invoices');
    expect(second.response.headers.get('x-jevons-cache')).toBe('miss');
    expect(shadow.emulator.requests.filter((request) => request.path.startsWith('/v1/chat'))).toHaveLength(2);
    const [row] = await shadow.rowsOf(second.response.headers.get('x-jevons-request-id') ?? '');
    expect(row?.cacheSource).toBeNull();
  });
});

/**
 * Budgets cover every metered endpoint: embeddings and Responses calls are reserved from their own input (not parsed
 * as chat bodies) and settled to their metered cost.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let client: OpenAI;

beforeAll(async () => {
  stack = await startStack({ config: { budgets: [{ name: 'everything', period: 'monthly', limit_usd: 10 }] } });
  client = new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: 'unused', maxRetries: 0 });
});
afterAll(() => stack.close());

describe('a global budget', () => {
  it('lets embeddings calls through, in every input form, and meters them', async () => {
    for (const input of ['one sentence to embed', ['two', 'sentences'], [[1, 2, 3], [4, 5]]] as const) {
      const { data, response } = await client.embeddings.create({ model: 'text-embedding-3-small', input: input as string | string[] | number[][] }).withResponse();
      expect(data.data.length).toBeGreaterThan(0);
      const [row] = await stack.rowsOf(response.headers.get('x-jevons-request-id') ?? '');
      expect(row).toMatchObject({ endpoint: 'embeddings', status: 200 });
    }
  });

  it('lets Responses calls through', async () => {
    const { response } = await client.responses.create({ model: 'gpt-4o-mini', input: 'Say hi', max_output_tokens: 50 }).withResponse();
    const [row] = await stack.rowsOf(response.headers.get('x-jevons-request-id') ?? '');
    expect(row).toMatchObject({ endpoint: 'responses', status: 200 });
  });
});

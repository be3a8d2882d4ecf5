import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { authenticate, hashSecret } from '../policies/authenticate.js';
import type { OutcomeRecord } from '../policies/outcome-header.js';
import { createRequestListener } from './app.js';
import { createLogger } from './logger.js';
import { createOutcomesEndpoint, parseOutcomesBody } from './outcomes-endpoint.js';

const secret = 'jv-outcomes-test-secret';
const key = { id: 'key-7', name: 'k', prefix: 'jv-out', createdAt: 0, revokedAt: null, defaults: { team: null, app: null, feature: null, customer: null } };
let server: Server;
let base: string;
let recorded: OutcomeRecord[][] = [];
let failStorage = false;
let modelCalls = 0;

beforeAll(async () => {
  let id = 0;
  const outcomes = createOutcomesEndpoint({
    authenticate: authenticate({ mode: 'keys', findKey: async (hash) => (hash === hashSecret(secret) ? key : null) }),
    record: (rows) => {
      if (failStorage) throw new Error('disk full');
      recorded.push(rows);
    },
    now: () => 1_234,
    newId: () => `o-${(id += 1)}`,
    maxBodyBytes: 1_000_000,
  });
  const listener = createRequestListener({
    handle: async () => {
      modelCalls += 1;
    },
    maxBodyBytes: 1_000_000,
    newId: () => 'req_fixed',
    now: () => 0,
    logger: createLogger({ level: 'silent' }),
    listModels: () => ({}),
    metrics: async () => ({ contentType: 'text/plain', body: '' }),
    outcomes,
  });
  server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  expect(modelCalls).toBe(0);
});
beforeEach(() => {
  recorded = [];
  failStorage = false;
});

type ErrorBody = { error: { message: string; type: string; param?: string | null } };

async function post(body: unknown, options: { headers?: Record<string, string>; method?: string; raw?: string } = {}) {
  const response = await fetch(`${base}/v1/jevons/outcomes`, {
    method: options.method ?? 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}`, ...options.headers },
    body: options.method === 'GET' ? undefined : (options.raw ?? JSON.stringify(body)),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> & ErrorBody, requestId: response.headers.get('x-jevons-request-id') };
}

describe('POST /v1/jevons/outcomes', () => {
  it('records one outcome with the caller key and answers {recorded: 1}', async () => {
    const answer = await post({ request_id: 'req-a', outcome: 'success', note: 'user clicked accept' });
    expect(answer).toMatchObject({ status: 200, body: { recorded: 1 }, requestId: 'req_fixed' });
    expect(recorded).toEqual([[{ id: 'o-1', at: 1_234, requestId: 'req-a', sessionId: null, status: 'success', score: null, keyId: 'key-7', source: 'api', note: 'user clicked accept' }]]);
  });

  it('records a batch in one call, sessions and scores included', async () => {
    const outcomes = [{ session_id: 's-1', score: 0.3 }, { request_id: 'req-b', outcome: 'failure', score: 0.9 }, ...Array.from({ length: 998 }, (_, i) => ({ request_id: `r${i}`, score: 1 }))];
    const answer = await post({ outcomes });
    expect(answer.body).toEqual({ recorded: 1_000 });
    expect(recorded).toHaveLength(1);
    expect(recorded[0]?.slice(0, 2)).toMatchObject([{ requestId: null, sessionId: 's-1', status: null, score: 0.3 }, { requestId: 'req-b', status: 'failure', score: 0.9 }]);
  });

  it('refuses a missing or unknown key with 401 before looking at the body', async () => {
    for (const headers of [{ authorization: '' }, { authorization: 'Bearer jv-wrong' }]) {
      const answer = await post({ nonsense: true }, { headers });
      expect(answer.status).toBe(401);
      expect(answer.body.error.type).toBe('invalid_request_error');
    }
    const anthropic = await post({ request_id: 'x', outcome: 'success' }, { headers: { authorization: '', 'anthropic-version': '2023-06-01' } });
    expect(anthropic.status).toBe(401);
    expect(anthropic.body).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    expect(recorded).toEqual([]);
  });

  it('names every bad field with a 400, in the OpenAI shape (Anthropic when anthropic-version is sent)', async () => {
    const cases: Array<[unknown, string, RegExp]> = [
      [{ outcome: 'success' }, 'request_id', /required: give request_id/],
      [{ request_id: 'a', session_id: 'b', outcome: 'success' }, 'session_id', /not both/],
      [{ request_id: 'a' }, 'outcome', /give outcome .* score/],
      [{ request_id: '', outcome: 'success' }, 'request_id', /non-empty/],
      [{ request_id: 7, outcome: 'success' }, 'request_id', /non-empty string, got 7/],
      [{ request_id: 'a', outcome: 'ok' }, 'outcome', /"success" or "failure", got "ok"/],
      [{ request_id: 'a', score: 1.5 }, 'score', /from 0 to 1, got 1.5/],
      [{ request_id: 'a', score: -0.1 }, 'score', /from 0 to 1/],
      [{ request_id: 'a', score: '0.5' }, 'score', /from 0 to 1, got "0.5"/],
      [{ request_id: 'a', outcome: 'success', note: 'x'.repeat(501) }, 'note', /at most 500/],
      [{ request_id: 'a', outcome: 'success', colour: 'red' }, 'colour', /unknown field/],
      [{ outcomes: [] }, 'outcomes', /1 to 1000/],
      [{ outcomes: Array.from({ length: 1_001 }, () => ({ request_id: 'a', score: 1 })) }, 'outcomes', /1 to 1000/],
      [{ outcomes: [{ request_id: 'a', score: 1 }, { request_id: 'b', score: 2 }] }, 'outcomes[1].score', /from 0 to 1, got 2/],
      [{ outcomes: [{ request_id: 'a', score: 1 }], extra: 1 }, 'extra', /unknown field \(expected outcomes\)/],
      [{ outcomes: 'all' }, 'outcomes', /array/],
      [[{ request_id: 'a', score: 1 }], 'body', /JSON object/],
    ];
    for (const [body, param, message] of cases) {
      const answer = await post(body);
      expect(answer.status, JSON.stringify(body).slice(0, 60)).toBe(400);
      expect(answer.body.error.param, JSON.stringify(body).slice(0, 60)).toBe(param);
      expect(answer.body.error.message).toMatch(message);
      expect(answer.body.error.message.startsWith(`${param}: `)).toBe(true);
    }
    const anthropic = await post({ request_id: 'a', score: 3 }, { headers: { 'anthropic-version': '2023-06-01' } });
    expect(anthropic.body).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: expect.stringMatching(/^score: /) } });
    const notJson = await post(null, { raw: '{nope' });
    expect(notJson.status).toBe(400);
    expect(notJson.body.error.message).toMatch(/not valid JSON/);
    expect(recorded).toEqual([]);
  });

  it('answers 405 to other methods and 500 (nothing recorded) when storage fails', async () => {
    expect((await post(undefined, { method: 'GET' })).status).toBe(405);
    failStorage = true;
    const answer = await post({ request_id: 'a', outcome: 'success' });
    expect(answer.status).toBe(500);
    expect(answer.body.error.type).toBe('api_error');
  });
});

describe('parseOutcomesBody', () => {
  it('returns the outcomes of a single or batch body', () => {
    expect(parseOutcomesBody({ request_id: 'a', outcome: 'success' })).toEqual([{ request_id: 'a', outcome: 'success' }]);
    expect(parseOutcomesBody({ outcomes: [{ session_id: 's', score: 0 }] })).toEqual([{ session_id: 's', score: 0 }]);
  });
});

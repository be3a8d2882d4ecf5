/**
 * Outcomes end to end, through a real gateway in front of the emulator with virtual keys on: POST
 * /v1/jevons/outcomes (auth, batch, errors in the caller's dialect), and the header round-trip with the openai SDK:
 * the x-jevons-request-id of one call is marked on a later call with x-jevons-outcome, a session with
 * x-jevons-session-outcome; a malformed header is a 400 before anything goes upstream. GET /admin/v1/outcomes then
 * counts what was recorded.
 */
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import BetterSqlite3 from 'better-sqlite3';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listOutcomes } from '../../src/stores/sqlite/outcome-store.js';
import { startStack, type Stack } from '../support/stack.js';

const secret = 'jv-outcomes-e2e-secret';
const TOKEN = 'outcomes-admin-token';
let stack: Stack;
let dir: string;
let path: string;
let client: OpenAI;

const recorded = () => {
  const db = new BetterSqlite3(path, { readonly: true });
  try {
    return listOutcomes(db);
  } finally {
    db.close();
  }
};

async function postOutcomes(body: unknown, headers: Record<string, string> = { authorization: `Bearer ${secret}` }) {
  const response = await fetch(`${stack.gateway.url}/v1/jevons/outcomes`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> & { error?: Record<string, unknown>; type?: string } };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'jevons-outcomes-'));
  path = join(dir, 'ledger.db');
  stack = await startStack({
    env: { OUTCOMES_KEY: secret, JEVONS_ADMIN_TOKEN: TOKEN },
    config: { server: { host: '127.0.0.1', port: 0, auth: 'keys' }, storage: { path, flush_interval_ms: 10 }, keys: [{ name: 'ci', secret_env: 'OUTCOMES_KEY', feature: 'support' }] },
  });
  client = new OpenAI({ apiKey: secret, baseURL: stack.openaiBaseUrl, maxRetries: 0 });
});
afterAll(async () => {
  await stack?.close();
  rmSync(dir, { recursive: true, force: true });
});

const ask = (content: string, headers: Record<string, string> = {}) =>
  client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] }, { headers }).withResponse();

describe('x-jevons-outcome round-trip with the openai SDK', () => {
  it('marks an earlier request and the call session on a later call, after it succeeded', async () => {
    const first = await ask('first question', { 'x-jevons-session': 'sess-1' });
    const firstId = first.response.headers.get('x-jevons-request-id') ?? '';
    expect(firstId).not.toBe('');
    const second = await ask('second question', { 'x-jevons-session': 'sess-1', 'x-jevons-outcome': `${firstId}=success`, 'x-jevons-session-outcome': '0.8' });
    expect(second.data.choices[0]?.message.content).toBeTruthy();
    const third = await ask('third', { 'x-jevons-outcome': `${second.response.headers.get('x-jevons-request-id')}=failure, other-id=0.25` });
    expect(third.response.status).toBe(200);
    const rows = recorded();
    expect(rows.map((row) => [row.requestId, row.sessionId, row.status, row.score, row.source, row.keyId])).toEqual([
      [firstId, null, 'success', null, 'header', 'config:ci'],
      [null, 'sess-1', null, 0.8, 'header', 'config:ci'],
      [second.response.headers.get('x-jevons-request-id'), null, 'failure', null, 'header', 'config:ci'],
      ['other-id', null, null, 0.25, 'header', 'config:ci'],
    ]);
  });

  it('refuses a malformed header with a 400 naming it, before anything goes upstream', async () => {
    stack.emulator.clearRequests();
    await stack.gateway.writer.flush();
    const before = (await stack.gateway.ledger.recent(1000)).length;
    const count = recorded().length;
    for (const [headers, param] of [[{ 'x-jevons-outcome': 'req-1=maybe' }, 'x-jevons-outcome'], [{ 'x-jevons-session-outcome': 'success' }, 'x-jevons-session-outcome'], [{ 'x-jevons-session': 's', 'x-jevons-session-outcome': '7' }, 'x-jevons-session-outcome']] as const) {
      const error = await ask('never sent', headers).catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe(param);
    }
    expect(stack.emulator.requests).toHaveLength(0);
    await stack.gateway.writer.flush();
    expect((await stack.gateway.ledger.recent(1000)).length).toBe(before);
    expect(recorded()).toHaveLength(count);
  });
});

describe('POST /v1/jevons/outcomes', () => {
  it('records a batch with the caller key, refuses a missing or unknown key, answers Anthropic callers in their shape', async () => {
    const count = recorded().length;
    expect(await postOutcomes({ outcomes: [{ request_id: 'api-1', outcome: 'success', note: 'accepted' }, { session_id: 'sess-2', score: 0.1 }] })).toEqual({ status: 200, body: { recorded: 2 } });
    expect(recorded().slice(count).map((row) => [row.requestId, row.sessionId, row.source, row.keyId, row.note])).toEqual([['api-1', null, 'api', 'config:ci', 'accepted'], [null, 'sess-2', 'api', 'config:ci', null]]);
    expect((await postOutcomes({ request_id: 'x', outcome: 'success' }, {})).status).toBe(401);
    expect((await postOutcomes({ request_id: 'x', outcome: 'success' }, { authorization: 'Bearer jv-unknown' })).status).toBe(401);
    const anthropic = await postOutcomes({ request_id: 'x', outcome: 'great' }, { 'x-api-key': secret, 'anthropic-version': '2023-06-01' });
    expect(anthropic).toMatchObject({ status: 400, body: { type: 'error', error: { type: 'invalid_request_error' } } });
    expect(recorded()).toHaveLength(count + 2);
  });

  it('feeds GET /admin/v1/outcomes: the marked requests count as successes of their feature', async () => {
    await stack.gateway.writer.flush();
    const response = await fetch(`${stack.gateway.url}/admin/v1/outcomes?group_by=feature`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const body = (await response.json()) as { total: { requests: number; successes: number; failures: number; requests_with_outcome: number }; groups: Array<{ key: string | null; successes: number }> };
    expect(response.status).toBe(200);
    // Three calls: the first (its own success), the second (its own failure beats the session's 0.8), the third (the session does not cover it).
    expect(body.total).toMatchObject({ requests: 3, requests_with_outcome: 2, successes: 1, failures: 1 });
    expect(body.groups.map((group) => [group.key, group.successes])).toEqual([['support', 1]]);
  });
});

import { describe, expect, it } from 'vitest';
import type { Call } from '../pipeline/call.js';
import { GatewayError } from '../spec/errors.js';
import { outcomeHeader, parseOutcomeHeader, parseOutcomeValue, type OutcomeRecord } from './outcome-header.js';

/** The fields the policy reads; the rest of a Call is not touched. */
function fakeCall(headers: Record<string, string | string[]>, session: string | null = null, keyId: string | null = 'key-1'): Call {
  const partial: Pick<Call, 'headers' | 'attribution' | 'key'> = {
    headers,
    attribution: { keyId, team: null, app: null, feature: null, user: null, customer: null, session, tags: {} },
    key: keyId === null ? null : { id: keyId, name: 'k', prefix: 'jv-abc', createdAt: 0, revokedAt: null, defaults: { team: null, app: null, feature: null, customer: null } },
  };
  return partial as Call;
}

function harness(record?: (rows: OutcomeRecord[]) => void | Promise<void>) {
  const recorded: OutcomeRecord[][] = [];
  const errors: unknown[] = [];
  let id = 0;
  const policy = outcomeHeader({ record: record ?? ((rows) => void recorded.push(rows)), onError: (error) => errors.push(error), now: () => 5_000, newId: () => `o-${++id}` });
  return { policy, recorded, errors };
}

describe('parseOutcomeValue / parseOutcomeHeader', () => {
  it('reads success, failure and plain decimal scores from 0 to 1', () => {
    expect(parseOutcomeValue('success', 'h')).toEqual({ status: 'success', score: null });
    expect(parseOutcomeValue(' failure ', 'h')).toEqual({ status: 'failure', score: null });
    for (const [text, score] of [['0', 0], ['1', 1], ['0.75', 0.75], ['.5', 0.5], ['1.0', 1]] as const) expect(parseOutcomeValue(text, 'h')).toEqual({ status: null, score });
  });

  it('rejects anything else with a 400 naming the header', () => {
    for (const text of ['', 'ok', 'SUCCESS', '1.5', '-0.1', '1e-1', 'NaN', 'Infinity', '0x1', '2']) {
      expect(() => parseOutcomeValue(text, 'x-jevons-session-outcome'), text).toThrow(/^x-jevons-session-outcome: expected success, failure or a score/);
    }
    try {
      parseOutcomeValue('meh', 'x-jevons-session-outcome');
    } catch (error) {
      expect(GatewayError.isInstance(error) && error.param).toBe('x-jevons-session-outcome');
      expect(GatewayError.isInstance(error) && error.status).toBe(400);
    }
  });

  it('splits a comma-separated list; the request id is what precedes the last "="', () => {
    expect(parseOutcomeHeader(' a=success, b=0.4 ,,c=d=failure')).toEqual([
      { requestId: 'a', value: { status: 'success', score: null } },
      { requestId: 'b', value: { status: null, score: 0.4 } },
      { requestId: 'c=d', value: { status: 'failure', score: null } },
    ]);
    for (const text of ['', ' , ', 'success', '=success', 'a=', 'a=maybe', `${'x'.repeat(201)}=success`, Array.from({ length: 101 }, (_, i) => `r${i}=1`).join(',')]) {
      expect(() => parseOutcomeHeader(text), text.slice(0, 20)).toThrow(/^x-jevons-outcome: /);
    }
  });
});

describe('outcomeHeader policy', () => {
  it('does nothing when neither header is present', async () => {
    const { policy, recorded } = harness();
    let ran = false;
    await policy(fakeCall({}), async () => {
      ran = true;
    });
    expect(ran).toBe(true);
    expect(recorded).toEqual([]);
  });

  it('records request and session outcomes after the call, with the key and the time the call ended', async () => {
    const { policy, recorded } = harness();
    await policy(fakeCall({ 'x-jevons-outcome': 'req-1=success,req-2=0.25', 'x-jevons-session-outcome': 'failure' }, 's-9'), async () => {
      expect(recorded).toEqual([]);
    });
    expect(recorded).toEqual([
      [
        { id: 'o-1', at: 5_000, requestId: 'req-1', sessionId: null, status: 'success', score: null, keyId: 'key-1', source: 'header', note: null },
        { id: 'o-2', at: 5_000, requestId: 'req-2', sessionId: null, status: null, score: 0.25, keyId: 'key-1', source: 'header', note: null },
        { id: 'o-3', at: 5_000, requestId: null, sessionId: 's-9', status: 'failure', score: null, keyId: 'key-1', source: 'header', note: null },
      ],
    ]);
  });

  it('rejects a malformed header before the call goes on, and a session outcome without a session', async () => {
    const { policy, recorded } = harness();
    let ran = false;
    const next = async () => {
      ran = true;
    };
    await expect(policy(fakeCall({ 'x-jevons-outcome': 'req-1=great' }), next)).rejects.toThrow(/x-jevons-outcome/);
    await expect(policy(fakeCall({ 'x-jevons-session-outcome': 'success' }, null), next)).rejects.toThrow(/x-jevons-session-outcome: needs the session/);
    expect(ran).toBe(false);
    expect(recorded).toEqual([]);
  });

  it('still records when the call fails, and keys-off callers record with an empty key id', async () => {
    const { policy, recorded } = harness();
    await expect(policy(fakeCall({ 'x-jevons-outcome': 'r=1' }, null, null), async () => Promise.reject(new Error('upstream down')))).rejects.toThrow('upstream down');
    expect(recorded[0]?.[0]).toMatchObject({ requestId: 'r', score: 1, keyId: '' });
  });

  it('never fails the call on a storage error, thrown or rejected', async () => {
    for (const record of [() => { throw new Error('disk full'); }, () => Promise.reject(new Error('locked'))]) {
      const { policy, errors } = harness(record);
      await expect(policy(fakeCall({ 'x-jevons-outcome': 'r=success' }), async () => {})).resolves.toBeUndefined();
      await new Promise((resolve) => setImmediate(resolve));
      expect(errors).toHaveLength(1);
    }
  });
});

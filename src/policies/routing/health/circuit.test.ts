import { describe, expect, it } from 'vitest';
import { createHealthTracker } from './circuit.js';

function tracker(threshold = 3, openForMs = 1_000) {
  const clock = { now: 10_000 };
  const health = createHealthTracker({ failureThreshold: threshold, openForMs, now: () => clock.now });
  return { health, clock };
}

const stateOf = (health: ReturnType<typeof createHealthTracker>, provider: string) => health.snapshot().find((entry) => entry.provider === provider);

describe('provider health circuit', () => {
  it('stays closed below the threshold, and a success resets the count', () => {
    const { health } = tracker(3);
    health.record('a', 'failure');
    health.record('a', 'failure');
    expect(stateOf(health, 'a')).toMatchObject({ state: 'closed', consecutiveFailures: 2 });
    health.record('a', 'success');
    health.record('a', 'failure');
    health.record('a', 'failure');
    expect(health.tryAcquire('a')).toBe(true);
    expect(stateOf(health, 'a')).toMatchObject({ state: 'closed', consecutiveFailures: 2, totalFailures: 4, totalSuccesses: 1 });
  });

  it('opens after N consecutive failures and refuses calls until open_for has elapsed', () => {
    const { health, clock } = tracker(3, 1_000);
    for (let index = 0; index < 3; index++) health.record('a', 'failure');
    expect(stateOf(health, 'a')).toMatchObject({ state: 'open', openedAt: 10_000, probeAt: 11_000 });
    expect(health.tryAcquire('a')).toBe(false);
    clock.now += 999;
    expect(health.tryAcquire('a')).toBe(false);
    expect(health.tryAcquire('b')).toBe(true);
  });

  it('half-open lets exactly one probe through; its success closes the circuit', () => {
    const { health, clock } = tracker(2, 1_000);
    health.record('a', 'failure');
    health.record('a', 'failure');
    clock.now += 1_000;
    expect(health.tryAcquire('a')).toBe(true);
    expect(stateOf(health, 'a')?.state).toBe('half-open');
    expect(health.tryAcquire('a')).toBe(false);
    health.record('a', 'success');
    expect(stateOf(health, 'a')).toMatchObject({ state: 'closed', consecutiveFailures: 0, openedAt: null });
    expect(health.tryAcquire('a')).toBe(true);
    expect(health.tryAcquire('a')).toBe(true);
  });

  it('a failed probe opens the circuit again for another open_for', () => {
    const { health, clock } = tracker(2, 1_000);
    health.record('a', 'failure');
    health.record('a', 'failure');
    clock.now += 1_500;
    expect(health.tryAcquire('a')).toBe(true);
    health.record('a', 'failure');
    expect(stateOf(health, 'a')).toMatchObject({ state: 'open', openedAt: 11_500, probeAt: 12_500 });
    clock.now += 999;
    expect(health.tryAcquire('a')).toBe(false);
    clock.now += 1;
    expect(health.tryAcquire('a')).toBe(true);
  });

  it('a neutral outcome (client gone) releases the probe without deciding', () => {
    const { health, clock } = tracker(1, 1_000);
    health.record('a', 'failure');
    clock.now += 1_000;
    expect(health.tryAcquire('a')).toBe(true);
    health.record('a', 'neutral');
    expect(stateOf(health, 'a')?.state).toBe('half-open');
    expect(health.tryAcquire('a')).toBe(true);
  });

  it('keeps the last failure (time, code, status), the last success, the probe in flight and its settings', () => {
    const { health, clock } = tracker(2, 1_000);
    expect(health).toMatchObject({ failureThreshold: 2, openForMs: 1_000 });
    health.record('a', 'success');
    clock.now += 5;
    health.record('a', 'failure', { code: 'upstream_timeout', status: 0 });
    clock.now += 5;
    health.record('a', 'failure', { code: 'upstream_server_error', status: 503 });
    expect(stateOf(health, 'a')).toMatchObject({ state: 'open', lastSuccessAt: 10_000, lastFailure: { at: 10_010, code: 'upstream_server_error', status: 503 }, probeInFlight: false });
    clock.now += 1_000;
    expect(health.tryAcquire('a')).toBe(true);
    expect(stateOf(health, 'a')).toMatchObject({ state: 'half-open', probeInFlight: true, probeAt: null });
    health.record('a', 'success');
    expect(stateOf(health, 'a')).toMatchObject({ state: 'closed', probeInFlight: false, lastSuccessAt: 11_010, lastFailure: { at: 10_010, code: 'upstream_server_error' } });
    // A snapshot is a copy: changing it changes nothing in the tracker.
    const [entry] = health.snapshot();
    if (entry?.lastFailure) entry.lastFailure.code = 'changed';
    expect(stateOf(health, 'a')?.lastFailure?.code).toBe('upstream_server_error');
  });

  it('rejects nonsense options', () => {
    expect(() => createHealthTracker({ failureThreshold: 0, openForMs: 1, now: () => 0 })).toThrow();
    expect(() => createHealthTracker({ failureThreshold: 1, openForMs: 0, now: () => 0 })).toThrow();
  });
});

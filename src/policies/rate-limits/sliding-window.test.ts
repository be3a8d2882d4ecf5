import { describe, expect, it } from 'vitest';
import { effectiveLimit, formatResetDuration, msUntilFits, msUntilReset, previousWeight, windowIndex } from './sliding-window.js';

const W = 60_000;

describe('window index and weight', () => {
  it('starts a window exactly at its boundary, with the previous window fully weighted', () => {
    expect(windowIndex(59_999, W)).toBe(0);
    expect(windowIndex(60_000, W)).toBe(1);
    expect(previousWeight(60_000, W)).toBe(1);
    expect(previousWeight(90_000, W)).toBe(0.5);
    expect(previousWeight(119_999, W)).toBeCloseTo(1 / 60_000, 12);
    expect(previousWeight(120_000, W)).toBe(1);
  });

  it('lowers the current window limit by the weighted previous count', () => {
    expect(effectiveLimit(10, 10, 0.25)).toBe(7.5);
    expect(effectiveLimit(10, 0, 1)).toBe(10);
  });
});

describe('msUntilFits', () => {
  it('is 0 when the amount fits now', () => {
    expect(msUntilFits({ current: 5, previous: 8, at: 90_000, windowMs: W, limit: 10 }, 1)).toBe(0);
  });

  it('waits for the previous window to decay when the current one has room', () => {
    // previous 10 at the start of the window: 1 more fits once w <= 0.9, 6 s later.
    expect(msUntilFits({ current: 0, previous: 10, at: 60_000, windowMs: W, limit: 10 }, 1)).toBe(6_000);
  });

  it('waits past the boundary when the current window alone is full', () => {
    // 30 s to the boundary, then current 10 decays to 9 after 6 s.
    expect(msUntilFits({ current: 10, previous: 0, at: 30_000, windowMs: W, limit: 10 }, 1)).toBe(36_000);
    expect(msUntilFits({ current: 10, previous: 7, at: 30_000, windowMs: W, limit: 10 }, 10)).toBe(90_000);
  });

  it('is null when the amount is larger than the limit', () => {
    expect(msUntilFits({ current: 0, previous: 0, at: 0, windowMs: W, limit: 10 }, 11)).toBeNull();
  });
});

describe('msUntilReset', () => {
  it('counts until both windows have decayed', () => {
    expect(msUntilReset({ current: 1, previous: 0, at: 0, windowMs: W })).toBe(120_000);
    expect(msUntilReset({ current: 0, previous: 3, at: 90_000, windowMs: W })).toBe(30_000);
    expect(msUntilReset({ current: 0, previous: 0, at: 90_000, windowMs: W })).toBe(0);
  });
});

describe('formatResetDuration', () => {
  it('writes durations the way OpenAI does', () => {
    expect(formatResetDuration(250)).toBe('250ms');
    expect(formatResetDuration(0.2)).toBe('1ms');
    expect(formatResetDuration(6_000)).toBe('6s');
    expect(formatResetDuration(6_500)).toBe('6.5s');
    expect(formatResetDuration(90_000)).toBe('1m30s');
    expect(formatResetDuration(120_000)).toBe('2m0s');
    expect(formatResetDuration(3_600_500)).toBe('1h0m0.5s');
  });
});

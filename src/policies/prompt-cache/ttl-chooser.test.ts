import { describe, expect, it } from 'vitest';
import { createPrefixAffinity } from './affinity.js';
import { createTtlChooser } from './ttl-chooser.js';

const minutes = (value: number) => value * 60_000;

describe('TTL choice by reuse interval', () => {
  it('is 5m at first sight and for prefixes that come back within 5 minutes', () => {
    const chooser = createTtlChooser();
    expect(chooser.observe('p', 0)).toBe('5m');
    expect(chooser.observe('p', minutes(2))).toBe('5m');
    expect(chooser.observe('p', minutes(4))).toBe('5m');
  });

  it('is 1h when the prefix comes back every 5-60 minutes, and 5m again beyond the hour', () => {
    const chooser = createTtlChooser();
    chooser.observe('p', 0);
    expect(chooser.observe('p', minutes(20))).toBe('1h');
    expect(chooser.observe('p', minutes(40))).toBe('1h');
    // One quick return does not flip it: the median of the last three intervals decides.
    expect(chooser.observe('p', minutes(41))).toBe('1h');
    const rare = createTtlChooser();
    rare.observe('q', 0);
    expect(rare.observe('q', minutes(90))).toBe('5m');
  });

  it('forgets the least recently used prefixes beyond its bound', () => {
    const chooser = createTtlChooser({ maxEntries: 1 });
    chooser.observe('a', 0);
    chooser.observe('b', 0);
    expect(chooser.observe('a', minutes(20))).toBe('5m');
  });
});

describe('prefix affinity', () => {
  it('remembers the last provider of a prefix for an hour', () => {
    const affinity = createPrefixAffinity();
    affinity.remember('h', 'anthropic-eu', 0);
    expect(affinity.preferred('h', minutes(59))).toBe('anthropic-eu');
    expect(affinity.preferred('h', minutes(61))).toBeUndefined();
    expect(affinity.preferred('other', 0)).toBeUndefined();
  });
});

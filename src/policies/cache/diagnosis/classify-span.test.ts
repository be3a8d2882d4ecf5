import { describe, expect, it } from 'vitest';
import { classifyPair, classifySpan } from './classify-span.js';
import { normalizeEmbeddedJson, sortedJson } from './json-normalize.js';

describe('classifySpan', () => {
  it.each([
    ['2026-11-23T16:38:01Z', 'timestamp', 'dddd-dd-ddTdd:dd:ddZ'],
    ['2026-11-23T16:38:01.123+01:00', 'timestamp', 'dddd-dd-ddTdd:dd:dd.ddd+dd:dd'],
    ['16:38', 'timestamp', 'dd:dd'],
    ['11/23/2026', 'timestamp', 'dd/dd/dddd'],
    ['1763916000123', 'timestamp', 'ddddddddddddd (unix time)'],
    ['f47ac10b-58cc-4372-a567-0e02b2c3d479', 'request_id', '<uuid>'],
    ['req_9f86d081884c7d65', 'request_id', '<id×20>'],
    ['9f86d081884c7d659a2feaa0c55ad015', 'request_id', '<hex×32>'],
    ['cnVuXzEyMzQ1Njc4OTA=', 'request_id', '<id×20>'],
    ['42', 'number', 'dd'],
    ['1,234.50', 'number', 'd,ddd.dd'],
    ['Alice', 'other', '<text×5>'],
  ])('%s → %s', (text, kind, example) => {
    expect(classifySpan(text)).toMatchObject({ kind, example });
  });

  it('falls back to the older text when the newer one says nothing', () => {
    const whole = (text: string) => ({ text, core: { start: 0, end: text.length } });
    expect(classifyPair(whole('2026-11-23'), whole(''))).toEqual({ kind: 'timestamp', example: 'dddd-dd-dd', start: 0, end: 0 });
    expect(classifyPair(whole('ab'), whole('xyz'))).toEqual({ kind: 'other', example: '<text×3>', start: 0, end: 3 });
  });

  it('only counts a value that overlaps the characters that differ, and says where it is', () => {
    // "build 2026-11-23 v41" → "v42": the date did not change, the number did.
    expect(classifySpan('build 2026-11-23 v42', { start: 19, end: 20 })).toEqual({ kind: 'number', example: 'dd', start: 18, end: 20 });
    expect(classifySpan('request_id=f47ac10b-58cc-4372-a567-0e02b2c3d479', { start: 20, end: 22 })).toEqual({ kind: 'request_id', example: '<uuid>', start: 11, end: 47 });
  });

  it('never lets letters of an identifier or a name into the example', () => {
    for (const text of ['user_alice_2026', 'token sk-live-ABCDEF123456', 'Bob']) {
      const { example } = classifySpan(text);
      expect(example).not.toMatch(/alice|ABCDEF|Bob|live/);
    }
  });
});

describe('JSON normalisation', () => {
  it('sorts keys of embedded objects and keeps the surrounding text', () => {
    expect(sortedJson({ b: 1, a: [{ d: 1, c: 2 }] })).toBe('{"a":[{"c":2,"d":1}],"b":1}');
    expect(normalizeEmbeddedJson('cfg: {"b": 1, "a": "}"} and {not json} {"y":2,"x":1}')).toBe('cfg: {"a":"}","b":1} and {not json} {"x":1,"y":2}');
    expect(normalizeEmbeddedJson('no json here')).toBe('no json here');
  });
});

import { describe, expect, it } from 'vitest';
import { GatewayError } from '../spec/errors.js';
import { parseTags } from './attribute.js';

describe('parseTags', () => {
  it('parses k=v pairs, trimming spaces and keeping "=" inside values', () => {
    expect(parseTags(' team=search , env=prod,query=a=b ')).toEqual({ team: 'search', env: 'prod', query: 'a=b' });
    expect(parseTags(null)).toEqual({});
  });

  it('rejects an entry without a key', () => {
    expect(() => parseTags('ok=1,broken')).toThrow(GatewayError);
    expect(() => parseTags('=x')).toThrow(/x-jevons-tags/);
  });
});

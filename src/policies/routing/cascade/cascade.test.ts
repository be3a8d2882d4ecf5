import { describe, expect, it } from 'vitest';
import type { ChatRequest, ChatResponse } from '../../../spec/canonical.js';
import { emptyUsage } from '../../../spec/usage.js';
import { findRefusal, validateJsonSchema } from './index.js';
import { createValidator, runValidators } from './validators.js';

const request: ChatRequest = { model: 'm', messages: [], stream: false, includeUsage: false };
const answer = (text: string, extra: Partial<ChatResponse> = {}): ChatResponse => ({ id: 'r', model: 'm', created: 0, content: [{ type: 'text', text }], finishReason: 'stop', usage: emptyUsage(), ...extra });
const input = (text: string, extra: Partial<ChatResponse> = {}) => ({ body: {}, request, response: answer(text, extra) });
const never = async () => {
  throw new Error('no webhook here');
};

describe('json schema subset', () => {
  const schema = {
    type: 'object',
    properties: { name: { type: 'string', minLength: 2 }, tags: { type: 'array', items: { enum: ['a', 'b'] }, maxItems: 2 }, kind: { $ref: '#/$defs/kind' }, n: { type: 'integer', minimum: 0 } },
    required: ['name'],
    additionalProperties: false,
    $defs: { kind: { anyOf: [{ const: 'x' }, { type: 'null' }] } },
  };
  it('accepts conforming values and names the first violation otherwise', () => {
    expect(validateJsonSchema({ name: 'ok', tags: ['a'], kind: null, n: 3 }, schema)).toBeNull();
    expect(validateJsonSchema({}, schema)).toBe('$: missing required property "name"');
    expect(validateJsonSchema({ name: 'x' }, schema)).toBe('$.name: shorter than 2 characters');
    expect(validateJsonSchema({ name: 'ok', tags: ['c'] }, schema)).toMatch(/^\$\.tags\[0\]: not one of/);
    expect(validateJsonSchema({ name: 'ok', other: 1 }, schema)).toBe('$.other: property not allowed');
    expect(validateJsonSchema({ name: 'ok', kind: 'y' }, schema)).toBe('$.kind: matches none of anyOf');
    expect(validateJsonSchema({ name: 'ok', n: 1.5 }, schema)).toMatch(/^\$\.n: expected "integer"/);
    expect(validateJsonSchema({ name: 'ok', n: -1 }, schema)).toBe('$.n: less than 0');
  });
});

describe('validators', () => {
  it('json_schema: not JSON fails; the response_format schema applies when none is configured; fences are tolerated', async () => {
    const validator = createValidator({ type: 'json_schema' }, { post: never });
    expect(await validator(input('hello'))).toMatchObject({ pass: false, validator: 'json_schema' });
    expect(await validator(input('```json\n{"a":1}\n```'))).toEqual({ pass: true });
    const typed = { ...input('{"a":"1"}'), request: { ...request, responseFormat: { type: 'json_schema' as const, name: 'x', schema: { type: 'object', properties: { a: { type: 'number' } } } } } };
    expect(await validator(typed)).toMatchObject({ pass: false, reason: expect.stringContaining('$.a') });
  });

  it('no_refusal: refusal openings and content filters fail; a later "I can\'t" does not', async () => {
    const validator = createValidator({ type: 'no_refusal' }, { post: never });
    expect(await validator(input('I’m sorry, but I can’t help with that.'))).toMatchObject({ pass: false });
    expect(await validator(input('As an AI language model, I have no opinions.'))).toMatchObject({ pass: false });
    expect(await validator(input('fine', { finishReason: 'content-filter' }))).toMatchObject({ pass: false });
    expect(await validator(input(`${'Here is the plan. '.repeat(20)}I can't help with the rest.`))).toEqual({ pass: true });
    expect(findRefusal('Sure! Here it is.')).toBeNull();
  });

  it('length, regex (must_match false), not_empty with tool calls, and order of validators', async () => {
    const deps = { post: never };
    expect(await createValidator({ type: 'length', max_chars: 3 }, deps)(input('four'))).toMatchObject({ pass: false, validator: 'length' });
    expect(await createValidator({ type: 'regex', pattern: 'TODO', must_match: false }, deps)(input('a TODO left'))).toMatchObject({ pass: false, validator: 'regex' });
    const toolOnly = { body: {}, request, response: { ...answer(''), content: [{ type: 'tool-call' as const, id: 'c', name: 'f', arguments: '{}' }] } };
    expect(await createValidator({ type: 'not_empty' }, deps)(toolOnly)).toEqual({ pass: true });
    const both = [createValidator({ type: 'not_empty' }, deps), createValidator({ type: 'length', min_chars: 100 }, deps)];
    expect(await runValidators(both, input(''))).toMatchObject({ validator: 'not_empty' });
  });

  it('webhook: its verdict decides; an error or a malformed answer passes (fail open) and is reported', async () => {
    const errors: unknown[] = [];
    const make = (post: () => Promise<unknown>) => createValidator({ type: 'webhook', url: 'http://127.0.0.1:1/v', timeout_ms: 10 }, { post, onWebhookError: (error) => errors.push(error) });
    expect(await make(async () => ({ pass: false, reason: 'nope' }))(input('x'))).toEqual({ pass: false, validator: 'webhook', reason: 'nope' });
    expect(await make(async () => ({ pass: true }))(input('x'))).toEqual({ pass: true });
    expect(await make(never)(input('x'))).toEqual({ pass: true });
    expect(await make(async () => ({ ok: 1 }))(input('x'))).toEqual({ pass: true });
    expect(errors).toHaveLength(2);
  });
});

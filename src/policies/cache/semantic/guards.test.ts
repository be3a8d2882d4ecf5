import { describe, expect, it } from 'vitest';
import { datesOf, entitiesOf, guardFeatures, guardVeto, negationCount, numbersOf, type GuardName } from './guards.js';

const veto = (a: string, b: string, guards?: readonly GuardName[]) => guardVeto(guardFeatures(a), guardFeatures(b), guards);

describe('negation guard', () => {
  it('fires when one question is negated and the other is not', () => {
    expect(veto('Is Python a compiled language?', 'Is Python not a compiled language?')).toBe('negation');
    expect(veto('Why does my code work?', "Why doesn't my code work?")).toBe('negation');
    expect(veto('Can I travel with a passport?', 'Can I travel without a passport?')).toBe('negation');
    expect(veto('Has it ever rained here?', 'Has it never rained here?')).toBe('negation');
  });
  it('does not fire when both negate, or on "whether or not"', () => {
    expect(veto("Why doesn't my code work?", 'Why does my code not work?')).toBeNull();
    expect(veto('How do I know if a girl likes me?', 'How do I know whether or not a girl likes me?')).toBeNull();
    expect(negationCount("I can't and won't, nor never")).toBe(4);
  });
});

describe('number guard', () => {
  it('fires on any differing number, digits or words', () => {
    expect(veto('Is 5 a prime number?', 'Is 7 a prime number?')).toBe('number');
    expect(veto('What is the square root of 144?', 'What is the square root of 169?')).toBe('number');
    expect(veto('Top ten films of the year', 'Top five films of the year')).toBe('number');
    expect(veto('Convert 3.5 km to miles', 'Convert 35 km to miles')).toBe('number');
  });
  it('does not fire on the same number written differently, or on names with digits', () => {
    expect(veto('Top 10 films', 'Top ten films')).toBeNull();
    expect(veto('Salary of 10k a year', 'Salary of 10,000 a year')).toBeNull();
    expect([...numbersOf('Which one plays mp4 files?')]).toEqual([]);
  });
});

describe('entity guard', () => {
  it('fires when the questions name different things', () => {
    expect(veto('How do I learn Python quickly?', 'How do I learn Java quickly?')).toBe('entity');
    expect(veto('What is the capital of France?', 'What is the capital of Spain?')).toBe('entity');
    expect(veto('Is the iPhone better than others?', 'Is the Pixel better than others?')).toBe('entity');
  });
  it('does not fire on case differences, inflections or sentence-initial capitals', () => {
    expect(veto('How do I learn Python quickly?', 'how do i learn python quickly')).toBeNull();
    expect(veto('Why do people ask things on Quora instead of Googling?', 'Why ask on Quora what one could Google?')).toBeNull();
    expect([...entitiesOf('What is it. Is it good? I think NASA knows.')]).toEqual(['nasa']);
  });
});

describe('date guard', () => {
  it('fires on different dates, months, weekdays or relative days', () => {
    expect(veto('Events on 2024-05-01 in town', 'Events on 2024-06-01 in town', ['date'])).toBe('date');
    expect(veto('Weather in Paris in July', 'Weather in Paris in August')).toBe('date');
    expect(veto('Is the shop open on Monday?', 'Is the shop open on Tuesday?')).toBe('date');
    expect(veto('What is the weather today?', 'What is the weather tomorrow?')).toBe('date');
    expect(veto('Meeting at 10am', 'Meeting at 11am', ['date'])).toBe('date');
  });
  it('does not fire on the same date written differently, or on "may" the verb', () => {
    expect(veto('Weather in Paris in Jan', 'Weather in Paris in January')).toBeNull();
    expect([...datesOf('You may go. What happened in May?')]).toEqual(['m:may']);
    expect(veto('Where may I park?', 'Where can I park?')).toBeNull();
  });
});

it('passes rephrasings that share every detail', () => {
  expect(veto('What is the best way to learn Python in 2024?', 'What is the best way to learn Python in 2024')).toBeNull();
});

import { describe, expect, it } from 'vitest';
import { fixture, prefix } from './breaker-test-helpers.js';
import { newPart, noProgress, repeatedToolCall, requestHash, toolCycle } from './detectors.js';
import { extractFor, type ToolCall } from './transcript.js';

const defaults = { repeated: 3, cycle: 3, noProgress: 3 };
const dialects = ['openai', 'anthropic'] as const;
const transcriptOf = (dialect: 'openai' | 'anthropic', name: string) => extractFor(dialect, fixture(`${dialect}-${name}.json`));
const call = (name: string, args: string, result: string | null = 'ok'): ToolCall => ({ id: '', name, rawArgs: args, result });

describe.each(dialects)('loop detectors on %s agent transcripts', (dialect) => {
  it('repeated tool call: same tool, same arguments (any key order), same result, three times', () => {
    const transcript = transcriptOf(dialect, 'repeated-tool-call');
    const found = repeatedToolCall(transcript.toolCalls, defaults.repeated);
    expect(found).toMatchObject({ kind: 'repeated_tool_call', details: { tool: 'get_weather', count: 3, arguments: '{"city":"Paris","units":"metric"}' } });
    expect(repeatedToolCall(transcript.toolCalls, 4)).toBeNull();
  });

  it('A-B cycle: search -> open repeated three times, even though the results differ', () => {
    const transcript = transcriptOf(dialect, 'ab-cycle');
    expect(repeatedToolCall(transcript.toolCalls, defaults.repeated)).toBeNull();
    expect(toolCycle(transcript.toolCalls, defaults.cycle)).toMatchObject({ kind: 'tool_cycle', details: { cycle: ['web_search', 'open_url'], repeats: 3, length: 2 } });
    expect(toolCycle(transcript.toolCalls.slice(0, 5), defaults.cycle)).toBeNull();
  });

  it('no progress: the model repeating the same answer', () => {
    const transcript = transcriptOf(dialect, 'no-progress');
    expect(noProgress(transcript.turns, defaults.noProgress)).toMatchObject({ kind: 'no_progress', details: { turns: 3 } });
    // Three identical answers are only two repeats.
    const body = fixture(`${dialect}-no-progress.json`);
    expect(noProgress(extractFor(dialect, prefix(body, 6)).turns, defaults.noProgress)).toBeNull();
  });

  it('a legitimate 34-round coding session trips no detector at any turn', () => {
    const body = fixture(`${dialect}-legit-long-session.json`);
    const messages = (body.messages as unknown[]).length;
    let previous: string | null = null;
    for (let count = 2; count <= messages; count++) {
      const transcript = extractFor(dialect, prefix(body, count));
      expect(repeatedToolCall(transcript.toolCalls, 2), `repeated at ${count}`).toBeNull();
      expect(toolCycle(transcript.toolCalls, 2), `cycle at ${count}`).toBeNull();
      expect(noProgress(transcript.turns, 2), `no progress at ${count}`).toBeNull();
      const part = newPart(transcript);
      expect(part).not.toBe(previous);
      previous = part;
    }
    expect(extractFor(dialect, body).toolCalls.length).toBeGreaterThanOrEqual(30);
  });
});

describe('toolCycle', () => {
  it('finds cycles of length 2 to 4 at the end of the sequence only', () => {
    const seq = (names: string) => [...names].map((name) => call(name, '{}'));
    expect(toolCycle(seq('ABCABCABC'), 3)).toMatchObject({ details: { cycle: ['A', 'B', 'C'], length: 3 } });
    expect(toolCycle(seq('ABCDABCDABCD'), 3)).toMatchObject({ details: { length: 4 } });
    expect(toolCycle(seq('ABABABX'), 3)).toBeNull();
    expect(toolCycle(seq('AAAAAA'), 3)).toBeNull();
    expect(toolCycle(seq('ABABCAB'), 3)).toBeNull();
  });

  it('compares actions (tool and arguments), not names: edit -> test with different edits is progress', () => {
    const calls = [1, 2, 3].flatMap((n) => [call('edit_file', `{"line":${n}}`), call('run_tests', '{}')]);
    expect(toolCycle(calls, 3)).toBeNull();
    expect(toolCycle([1, 1, 1].flatMap((n) => [call('edit_file', `{"line":${n}}`), call('run_tests', '{}')]), 3)).not.toBeNull();
  });
});

describe('repeatedToolCall', () => {
  it('counts a result change as progress and an unanswered call as its own outcome', () => {
    expect(repeatedToolCall([call('t', '{}', 'FAIL 1'), call('t', '{}', 'FAIL 2'), call('t', '{}', 'PASS')], 3)).toBeNull();
    expect(repeatedToolCall([call('t', '{"a":1,"b":2}'), call('t', '{"b":2,"a":1}'), call('t', ' {"a":1, "b":2} ')], 3)).not.toBeNull();
    expect(repeatedToolCall([call('t', '{}'), call('t', '{}'), call('t', '{}', null)], 3)).toBeNull();
  });
});

describe('noProgress', () => {
  it('ignores turns with tool calls only and needs every one of the last turns to repeat', () => {
    const turn = (text: string) => ({ role: 'assistant' as const, text, toolCalls: [] });
    const same = 'I could not find the file. Let me search the repository for it again.';
    expect(noProgress([turn(same), turn(''), turn(same), turn(''), turn(same), turn(same)], 3)).not.toBeNull();
    expect(noProgress([turn(same), turn(same), turn(same), turn('Found it: src/a.ts.'), turn(same)], 3)).toBeNull();
  });
});

describe('requestHash', () => {
  it('ignores volatile fields (stream, metadata, user) and key order, and sees any other change', () => {
    const body = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };
    const base = requestHash(body, Buffer.from(JSON.stringify(body)));
    const streamed = { stream: true, user: 'u', messages: body.messages, model: 'm', metadata: { id: 'x' } };
    expect(requestHash(streamed, Buffer.from(JSON.stringify(streamed)))).toBe(requestHash({ ...body, stream: false }, Buffer.from('')));
    const other = { ...body, temperature: 0.2 };
    expect(requestHash(other, Buffer.from(JSON.stringify(other)))).not.toBe(base);
  });
});

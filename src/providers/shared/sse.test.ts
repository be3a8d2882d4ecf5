import { describe, expect, it } from 'vitest';
import { createSseParser, formatSse, type SseEvent } from './sse.js';

const parseAll = (pieces: (string | Uint8Array)[]): SseEvent[] => {
  const events: SseEvent[] = [];
  const parser = createSseParser((event) => events.push(event));
  for (const piece of pieces) parser.push(piece);
  parser.end();
  return events;
};

describe('createSseParser', () => {
  it('frames events split at every byte, including inside a multi-byte character', () => {
    const text = 'event: message_start\ndata: {"t":"héllo ✓"}\n\n: ping comment\n\ndata: [DONE]\n\n';
    const bytes = new TextEncoder().encode(text);
    const pieces = Array.from(bytes, (byte) => Uint8Array.of(byte));
    expect(parseAll(pieces)).toEqual([
      { event: 'message_start', data: '{"t":"héllo ✓"}', id: undefined },
      { event: undefined, data: '[DONE]', id: undefined },
    ]);
  });

  it('accepts CRLF and CR line endings, also split between pieces', () => {
    expect(parseAll(['data: a\r', '\n\r\ndata: b\r\r'])).toEqual([
      { event: undefined, data: 'a', id: undefined },
      { event: undefined, data: 'b', id: undefined },
    ]);
  });

  it('joins multi-line data and flushes an unterminated final event', () => {
    expect(parseAll(['data: 1\ndata: 2\n\nid: 7\ndata:x'])).toEqual([
      { event: undefined, data: '1\n2', id: undefined },
      { event: undefined, data: 'x', id: '7' },
    ]);
  });

  it('formats events with and without a name', () => {
    expect(formatSse('{}')).toBe('data: {}\n\n');
    expect(formatSse('{}', 'ping')).toBe('event: ping\ndata: {}\n\n');
  });
});

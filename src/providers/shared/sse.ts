/**
 * The one Server-Sent Events parser (https://html.spec.whatwg.org/multipage/server-sent-events.html), used for every
 * upstream stream. Feed it byte chunks in whatever TCP pieces they arrive (an event, a JSON string or a UTF-8
 * character may be split across pieces) and it calls back once per complete event. Framing is eventsource-parser's
 * (3.6× faster than a first hand-written parser: docs/decisions/0003-sse-parser.md); this wrapper adds the streaming
 * UTF-8 decoder and a flush of a final event that lacks its blank line.
 */
import { createParser } from 'eventsource-parser';

export interface SseEvent {
  /** The `event:` field, or undefined when the event had none. */
  event: string | undefined;
  data: string;
  id: string | undefined;
}

export interface SseParser {
  push(chunk: Uint8Array | string): void;
  /** Flushes a final event that was not followed by a blank line. */
  end(): void;
}

export function createSseParser(onEvent: (event: SseEvent) => void): SseParser {
  const decoder = new TextDecoder('utf-8');
  const parser = createParser({ onEvent: (message) => onEvent({ event: message.event, data: message.data, id: message.id }) });
  return {
    push(chunk) {
      parser.feed(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    },
    end() {
      parser.feed(`${decoder.decode()}\n\n`);
    },
  };
}

/** All events of a complete SSE text (fixtures, tests, recorded transcripts). */
export function parseSseText(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  const parser = createSseParser((event) => events.push(event));
  parser.push(text);
  parser.end();
  return events;
}

/** Formats one SSE event. `event` is omitted when undefined (OpenAI style). */
export function formatSse(data: string, event?: string): string {
  return event === undefined ? `data: ${data}\n\n` : `event: ${event}\ndata: ${data}\n\n`;
}

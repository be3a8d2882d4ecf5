/**
 * The one Server-Sent Events parser (https://html.spec.whatwg.org/multipage/server-sent-events.html).
 * Incremental and synchronous: feed it byte chunks in whatever TCP pieces they arrive (an event, a JSON
 * string or a UTF-8 character may be split across pieces) and it calls back once per complete event.
 * Accepts LF, CRLF and CR line endings; ignores comment lines; joins multi-line data with "\n".
 */

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
  let buffer = '';
  let eventName: string | undefined;
  let data: string[] = [];
  let id: string | undefined;
  let pendingCr = false;

  const dispatch = () => {
    if (data.length > 0) onEvent({ event: eventName, data: data.join('\n'), id });
    eventName = undefined;
    data = [];
  };

  const processLine = (line: string) => {
    if (line === '') return dispatch();
    if (line.charCodeAt(0) === 58 /* ':' */) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32 /* ' ' */) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') eventName = value;
    else if (field === 'id') id = value;
  };

  const consume = (text: string) => {
    buffer += text;
    let start = 0;
    for (let i = 0; i < buffer.length; i++) {
      const code = buffer.charCodeAt(i);
      if (code === 10 /* \n */) {
        if (pendingCr && i === start) {
          pendingCr = false;
          start = i + 1;
          continue;
        }
        processLine(buffer.slice(start, i));
        start = i + 1;
        pendingCr = false;
      } else if (code === 13 /* \r */) {
        processLine(buffer.slice(start, i));
        start = i + 1;
        pendingCr = true;
      } else {
        pendingCr = false;
      }
    }
    buffer = buffer.slice(start);
  };

  return {
    push(chunk) {
      consume(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    },
    end() {
      consume(decoder.decode());
      if (buffer !== '') processLine(buffer);
      buffer = '';
      dispatch();
    },
  };
}

/** Formats one SSE event. `event` is omitted when undefined (OpenAI style). */
export function formatSse(data: string, event?: string): string {
  return event === undefined ? `data: ${data}\n\n` : `event: ${event}\ndata: ${data}\n\n`;
}

/** Loads the Anthropic fixtures of this folder for tests. */
import { readFileSync } from 'node:fs';
import { createSseParser, type SseEvent } from '../../shared/sse.js';

/** The text of a fixture file. */
export function fixtureText(name: string): string {
  return readFileSync(new URL(name, import.meta.url), 'utf8');
}

/** A JSON fixture, parsed. */
export function fixtureJson(name: string): unknown {
  const value: unknown = JSON.parse(fixtureText(name));
  return value;
}

/** SSE text → events, through the project's one SSE parser. */
export function sseEvents(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  const parser = createSseParser((event) => events.push(event));
  parser.push(text);
  parser.end();
  return events;
}

/** An SSE transcript split into events. */
export function fixtureEvents(name: string): SseEvent[] {
  return sseEvents(fixtureText(name));
}

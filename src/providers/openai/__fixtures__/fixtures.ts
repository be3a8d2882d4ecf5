/** Loads the recorded OpenAI fixtures of this folder for tests. */
import { readFileSync } from 'node:fs';
import { parseSseText, type SseEvent } from '../../shared/sse.js';

/** The text of a fixture file. */
export function fixtureText(name: string): string {
  return readFileSync(new URL(name, import.meta.url), 'utf8');
}

/** A JSON fixture, parsed. */
export function fixtureJson(name: string): unknown {
  const value: unknown = JSON.parse(fixtureText(name));
  return value;
}

/** An SSE transcript split into events by the project's one SSE parser. */
export function fixtureEvents(name: string): SseEvent[] {
  return sseEvents(fixtureText(name));
}

/** All SSE events of a complete text, through the project's one SSE parser. */
export const sseEvents = parseSseText;

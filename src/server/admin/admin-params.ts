/**
 * Query-string and body parsing for the admin API. Every reader names the parameter it rejects and what it expected;
 * parameters a route does not declare are rejected too (a typo such as `grup_by` must not silently mean "no
 * grouping"). Cursors are opaque to clients: base64url of a small JSON value, validated with zod when read back.
 */
import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import { readBody } from '../http/read-body.js';
import { AdminError, badParam } from './admin-error.js';
import { isTimeZone, parseInstant } from './admin-time.js';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1_000;
const DAY_MS = 86_400_000;

export class AdminQuery {
  constructor(
    readonly search: URLSearchParams,
    /** Names the route accepts; a name ending in `.` is a prefix (`filter.`). */
    allowed: readonly string[],
  ) {
    for (const name of new Set(search.keys())) {
      const known = allowed.some((entry) => (entry.endsWith('.') ? name.startsWith(entry) && name.length > entry.length : entry === name));
      if (!known) throw badParam(name, `unknown parameter${allowed.length > 0 ? ` (this endpoint takes: ${allowed.map((entry) => (entry.endsWith('.') ? `${entry}<dimension>` : entry)).join(', ')})` : ' (this endpoint takes none)'}`);
    }
  }

  /** One value or undefined; a parameter given twice or empty is a 400. */
  string(name: string): string | undefined {
    const values = this.search.getAll(name);
    if (values.length === 0) return undefined;
    if (values.length > 1) throw badParam(name, 'expected one value, got several');
    const value = values[0] ?? '';
    if (value === '') throw badParam(name, 'expected a value, got an empty string');
    return value;
  }

  oneOf<T extends string>(name: string, choices: readonly T[], fallback: T): T;
  oneOf<T extends string>(name: string, choices: readonly T[]): T | undefined;
  oneOf<T extends string>(name: string, choices: readonly T[], fallback?: T): T | undefined {
    const value = this.string(name);
    if (value === undefined) return fallback;
    if (!(choices as readonly string[]).includes(value)) throw badParam(name, `expected one of ${choices.join(', ')}, got ${JSON.stringify(value)}`);
    return value as T;
  }

  integer(name: string, options: { min: number; max: number; fallback: number }): number {
    const value = this.string(name);
    if (value === undefined) return options.fallback;
    const parsed = Number(value);
    if (!/^\d+$/.test(value) || parsed < options.min || parsed > options.max) throw badParam(name, `expected a whole number from ${options.min} to ${options.max}, got ${JSON.stringify(value)}`);
    return parsed;
  }

  limit(): number {
    return this.integer('limit', { min: 1, max: MAX_LIMIT, fallback: DEFAULT_LIMIT });
  }

  /** `tz` (default the configured zone), validated against Intl. */
  timeZone(fallback: string): string {
    const tz = this.string('tz') ?? fallback;
    if (!isTimeZone(tz)) throw badParam('tz', `expected an IANA time zone such as Europe/Paris or UTC, got ${JSON.stringify(tz)}`);
    return tz;
  }

  /** [from, to) in epoch ms; default the last `defaultDays` days up to now. from must be before to. */
  range(options: { timeZone: string; now: number; defaultDays?: number }): { from: number; to: number } {
    const toText = this.string('to');
    const fromText = this.string('from');
    const to = toText === undefined ? options.now : parseInstant(toText, options.timeZone, 'to');
    const from = fromText === undefined ? to - (options.defaultDays ?? 30) * DAY_MS : parseInstant(fromText, options.timeZone, 'from');
    if (from >= to) throw badParam('from', `expected an instant before to (${toText ?? 'now'}), got ${JSON.stringify(fromText ?? 'the default')}`);
    return { from, to };
  }

  /** Optional bounds only (lists that default to "everything"). */
  optionalRange(timeZone: string): { from?: number; to?: number } {
    const fromText = this.string('from');
    const toText = this.string('to');
    const from = fromText === undefined ? undefined : parseInstant(fromText, timeZone, 'from');
    const to = toText === undefined ? undefined : parseInstant(toText, timeZone, 'to');
    if (from !== undefined && to !== undefined && from >= to) throw badParam('from', 'expected an instant before to');
    return { from, to };
  }

  cursor<T>(schema: z.ZodType<T>): T | undefined {
    const text = this.string('cursor');
    if (text === undefined) return undefined;
    try {
      const parsed = schema.safeParse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
      if (parsed.success) return parsed.data;
    } catch {
      // reported below
    }
    throw badParam('cursor', 'expected a next_cursor value returned by a previous page of this endpoint');
  }
}

export const encodeCursor = (value: unknown): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

/** Reads and validates a JSON body; zod issues become a 400 naming the field. */
export async function readJsonBody<T>(request: IncomingMessage, schema: z.ZodType<T>, maxBytes: number): Promise<T> {
  const bytes = await readBody(request, maxBytes);
  let data: unknown;
  try {
    data = bytes.length === 0 ? {} : JSON.parse(bytes.toString('utf8'));
  } catch (cause) {
    throw new AdminError({ code: 'invalid_body', message: `body: not valid JSON (${cause instanceof Error ? cause.message : String(cause)})`, param: 'body' });
  }
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue === undefined ? 'body' : issue.code === 'unrecognized_keys' ? String(issue.keys[0]) : issue.path.map(String).join('.') || 'body';
  throw new AdminError({ code: 'invalid_body', param: path, message: `${path}: ${issue?.code === 'unrecognized_keys' ? 'unknown field' : (issue?.message ?? 'invalid')}` });
}

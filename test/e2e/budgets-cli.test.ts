/**
 * `jevons budgets set|reset` on a running gateway: the CLI writes the overrides to the gateway's database and the
 * gateway's poller (every 2 s) applies them to the next request, without a restart. Requests go through the real
 * OpenAI SDK; gpt-4o-mini costs $0.15 / $0.60 per Mtok.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerBudgetsCommand } from '../../src/cli/commands/budgets.js';
import { emu, startStack, type Stack } from '../support/stack.js';

const dir = mkdtempSync(join(tmpdir(), 'jevons-budgets-cli-'));
const db = join(dir, 'gateway.db');
const yaml = join(dir, 'jevons.yaml');
/** A few calls of 10 input + 50 output tokens ($0.0000315 each, $0.0000615 reserved with max_tokens 50) fit. */
const LIMIT = 0.0002;
/** The poller reads every 2 s; a change shows within that plus a request. */
const WITHIN_MS = 4_000;

let stack: Stack;
let client: OpenAI;

beforeAll(async () => {
  const budgets = [{ name: 'tiny', scope: { team: 'cli' }, period: 'daily', limit_usd: LIMIT }];
  writeFileSync(yaml, `budgets:\n  - { name: tiny, scope: { team: cli }, period: daily, limit_usd: ${LIMIT} }\nstorage:\n  path: ${JSON.stringify(db)}\n`);
  stack = await startStack({ config: { budgets, storage: { path: db, flush_interval_ms: 10 } } });
  client = new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: 'unused', maxRetries: 0, defaultHeaders: { 'x-jevons-team': 'cli' } });
});
afterAll(async () => {
  await stack.close();
  rmSync(dir, { recursive: true, force: true });
});

/** `jevons budgets <args> -c jevons.yaml` in this process (the same code as the binary); returns what it printed. */
async function cli(...args: string[]): Promise<string> {
  const program = new Command().exitOverride().configureOutput({ writeErr: () => undefined });
  const out: string[] = [];
  registerBudgetsCommand(program, { env: {}, print: (text) => out.push(text) });
  await program.parseAsync(['budgets', ...args, '-c', yaml], { from: 'user' });
  return out.join('\n');
}

/** One call: 'served', or the error code of a refusal (anything else fails the test). */
async function call(): Promise<string> {
  try {
    await client.chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 50, messages: [{ role: 'user', content: `Hi ${emu({ reply: 'ok', usage: { input: 10, output: 50 } })}` }] });
    return 'served';
  } catch (error) {
    if (!(error instanceof OpenAI.APIError) || error.status !== 429) throw error;
    expect(error.error).toMatchObject({ code: 'budget_exceeded', jevons: { budget: 'tiny' } });
    return String(error.code);
  }
}

/** Calls every 100 ms until one has the wanted outcome; returns how long that took (fails after WITHIN_MS). */
async function until(wanted: string): Promise<number> {
  const start = Date.now();
  for (;;) {
    const outcome = await call();
    if (outcome === wanted) return Date.now() - start;
    if (Date.now() - start > WITHIN_MS) throw new Error(`still "${outcome}" after ${WITHIN_MS} ms, expected "${wanted}"`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Calls until the budget refuses one; returns how many were served. */
async function exhaust(): Promise<number> {
  for (let served = 0; served < 50; served += 1) if ((await call()) !== 'served') return served;
  throw new Error('the budget never refused a call');
}

describe('jevons budgets set|reset on a running gateway', () => {
  it('set raises the limit within the poll interval; --clear puts the configured one back', async () => {
    const served = await exhaust();
    expect(served).toBeGreaterThan(0);
    expect(served).toBeLessThan(8);

    expect(await cli('set', 'tiny', '--limit-usd', '1', '--db', db)).toContain('Budget tiny: limit $1.0000');
    expect(await until('served')).toBeLessThan(WITHIN_MS);
    const raised = await stack.lastRow();
    expect(raised.attribution.team).toBe('cli');
    for (let index = 0; index < 10; index += 1) expect(await call()).toBe('served');

    expect(await cli('set', 'tiny', '--clear', '--db', db)).toContain('override removed');
    expect(await until('budget_exceeded')).toBeLessThan(WITHIN_MS);
  });

  it('reset makes the spend count from the reset: served again, then refused at the limit once more', async () => {
    expect(await call()).toBe('budget_exceeded');
    expect(await cli('reset', 'tiny', '--db', db)).toContain('spend counts from');
    expect(await until('served')).toBeLessThan(WITHIN_MS);
    // The budget counts from the reset: the same few calls fit as at the start of the day.
    const served = 1 + (await exhaust());
    expect(served).toBeGreaterThan(1);
    expect(served).toBeLessThan(8);
  });
});

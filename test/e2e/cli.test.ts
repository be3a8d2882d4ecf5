/**
 * The built `jevons` command (dist/cli/main.js) as a child process: keys, config check, serve (with a clean shutdown
 * that flushes the ledger), usage and demo. Each test works in its own temporary directory with its own ledger file and
 * an environment holding only what the test sets, so no provider key leaks in from the shell.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startEmulator } from '../../src/emulator/index.js';
import { emu, type Emulator } from '../support/stack.js';

const cliPath = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const dirs: string[] = [];
const children = new Set<ChildProcess>();

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const freshDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'jevons-cli-'));
  dirs.push(dir);
  return dir;
};

/** Only what the test sets: never the caller's OPENAI_API_KEY and friends. */
const childEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({ JEVONS_LOG_LEVEL: 'error', ...extra });

/** Runs `jevons ARGS` to completion (killed past timeoutMs) and returns its exit code and output. */
function jevons(args: string[], options: { cwd: string; env?: Record<string, string>; timeoutMs?: number }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [cliPath, ...args], { cwd: options.cwd, env: childEnv(options.env), timeout: options.timeoutMs ?? 15_000, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      if (error === null) return resolve({ code: 0, stdout, stderr });
      if (error.killed || typeof error.code !== 'number') return reject(new Error(`jevons ${args.join(' ')} did not finish: ${error.message}\n${stdout}\n${stderr}`));
      resolve({ code: error.code, stdout, stderr });
    });
  });
}

interface Served {
  child: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function spawnJevons(args: string[], options: { cwd: string; env?: Record<string, string> }): Served {
  const child = spawn(process.execPath, [cliPath, ...args], { cwd: options.cwd, env: childEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('close', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    });
  });
  return { child, output: () => output, exited };
}

/** Resolves with the exit status, or rejects (after a SIGKILL) if the process is still running after timeoutMs. */
async function exitWithin(served: Served, timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      served.child.kill('SIGKILL');
      reject(new Error(`jevons did not exit within ${timeoutMs} ms:\n${served.output()}`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([served.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls until the gateway answers HTTP at all (any status), failing early if the process exits. */
async function waitUntilAnswering(url: string, served: Served, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (served.child.exitCode !== null || served.child.signalCode !== null) throw new Error(`jevons serve exited early:\n${served.output()}`);
    try {
      const response = await request(`${url}/v1/models`);
      await response.body.text();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`jevons serve did not answer at ${url} within ${timeoutMs} ms (${String(error)}):\n${served.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

function ledgerCount(dbPath: string): number {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM ledger').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** The body rows of one "Spend by X" table: cells split on the two-space column gap. */
function tableRows(output: string, dimension: string): string[][] {
  const start = output.indexOf(`Spend by ${dimension}\n`);
  if (start < 0) throw new Error(`no "Spend by ${dimension}" table in:\n${output}`);
  const lines = output.slice(start).split('\n\n')[0]?.split('\n') ?? [];
  return lines.slice(3).filter((line) => line.trim() !== '').map((line) => line.trim().split(/\s{2,}/));
}

/** group → requests column of one table. */
const requestsBy = (output: string, dimension: string): Record<string, number> =>
  Object.fromEntries(tableRows(output, dimension).map((cells) => [cells[0] ?? '', Number((cells[1] ?? '').replace(/,/g, ''))]));

beforeAll(() => {
  if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: run \`npm run build\` first`);
});
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('jevons keys', () => {
  it('creates a key whose secret is printed once and never stored, lists it, revokes it', async () => {
    const dir = freshDir();
    const db = join(dir, 'nested', 'keys.db');
    const created = await jevons(['keys', 'create', 'search-app', '--team', 'search', '--feature', 'summaries', '--db', db], { cwd: dir });
    expect(created.code).toBe(0);
    const secret = /\bjv-[0-9A-Za-z]{32}\b/.exec(created.stdout)?.[0];
    expect(secret, created.stdout).toBeDefined();
    const id = /Created key (\S+) \(search-app\)/.exec(created.stdout)?.[1] ?? '';
    expect(id).not.toBe('');
    expect(created.stdout.split(secret ?? '').length - 1).toBe(1);

    const listed = await jevons(['keys', 'list', '--db', db], { cwd: dir });
    expect(listed.code).toBe(0);
    const row = listed.stdout.split('\n').find((line) => line.startsWith(id)) ?? '';
    expect(row.split(/\s{2,}/)).toEqual([id, 'search-app', `${secret?.slice(0, 9)}…`, 'search', 'summaries', expect.stringMatching(/^\d{4}-\d\d-\d\dT/), 'active']);
    expect(listed.stdout).not.toContain(secret);

    const files = readdirSync(join(dir, 'nested')).filter((name) => name.startsWith('keys.db'));
    expect(files).toContain('keys.db');
    for (const name of files) expect(readFileSync(join(dir, 'nested', name)).includes(secret ?? ''), name).toBe(false);

    const revoked = await jevons(['keys', 'revoke', id, '--db', db], { cwd: dir });
    expect(revoked).toMatchObject({ code: 0, stdout: expect.stringContaining(`Revoked ${id}`) });
    const after = await jevons(['keys', 'list', '--db', db], { cwd: dir });
    expect(after.stdout.split('\n').find((line) => line.startsWith(id))).toMatch(/\srevoked$/);
  });

  it('revoking an unknown id (or a key already revoked) fails with a message', async () => {
    const dir = freshDir();
    const db = join(dir, 'keys.db');
    const unknown = await jevons(['keys', 'revoke', 'no-such-id', '--db', db], { cwd: dir });
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('no active key with id no-such-id');
    const created = await jevons(['keys', 'create', 'once', '--db', db], { cwd: dir });
    const id = /Created key (\S+)/.exec(created.stdout)?.[1] ?? '';
    expect((await jevons(['keys', 'revoke', id, '--db', db], { cwd: dir })).code).toBe(0);
    const again = await jevons(['keys', 'revoke', id, '--db', db], { cwd: dir });
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain(id);
  });
});

describe('jevons config check', () => {
  const check = async (yamlText: string, env: Record<string, string> = {}) => {
    const dir = freshDir();
    writeFileSync(join(dir, 'jevons.yaml'), yamlText);
    const result = await jevons(['config', 'check', '--config', join(dir, 'jevons.yaml')], { cwd: dir, env });
    return { ...result, output: result.stdout + result.stderr };
  };

  it('a valid file → OK, exit 0', async () => {
    const result = await check(['providers:', '  - name: openai', '    type: openai', '    api_key_env: TEST_OPENAI_KEY', 'models:', '  - name: fast', '    provider: openai', '    model: gpt-4o-mini', ''].join('\n'), { TEST_OPENAI_KEY: 'sk-test' });
    expect(result.code, result.output).toBe(0);
    expect(result.stdout).toContain('providers: openai (openai)');
    expect(result.stdout).toContain('fast → openai/gpt-4o-mini');
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe('OK');
  });

  it('an unknown provider → exit 1 naming the exact path', async () => {
    const result = await check(['providers:', '  - name: openai', '    type: openai', '    api_key: sk-test', 'models:', '  - name: fast', '    provider: opena1', ''].join('\n'));
    expect(result.code).toBe(1);
    expect(result.output).toContain('models[0].provider: unknown provider "opena1"');
    expect(result.output).not.toMatch(/^OK$/m);
  });

  it('an unknown key → exit 1 naming its path', async () => {
    const result = await check(['server:', '  auth: keys', 'providers:', '  - name: openai', '    type: openai', '    api_key: sk-test', '    colour: blue', ''].join('\n'));
    expect(result.code).toBe(1);
    expect(result.output).toContain('providers[0].colour: unknown key');
  });

  it('a provider whose api_key_env is unset → exit 1 naming the variable', async () => {
    const result = await check(['providers:', '  - name: openai', '    type: openai', '    api_key_env: TEST_UNSET_KEY', ''].join('\n'));
    expect(result.code).toBe(1);
    expect(result.output).toContain('providers[0].api_key_env: environment variable TEST_UNSET_KEY is not set');
  });

  it('a missing file → exit 1 saying it cannot be read', async () => {
    const dir = freshDir();
    const result = await jevons(['config', 'check', '--config', join(dir, 'absent.yaml')], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).toContain('cannot read the file');
  });
});

describe('jevons serve, then jevons usage over its ledger', () => {
  let emulator: Emulator;
  let dir: string;
  let db: string;
  let configPath: string;
  let secret: string;
  let keyId: string;
  let url: string;
  let served: Served;

  const chat = (headers: Record<string, string>, body: Record<string, unknown>, path = '/v1/chat/completions') =>
    request(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }).then(async (response) => ({
      status: response.statusCode,
      json: (await response.body.json()) as Record<string, unknown>,
    }));

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    dir = freshDir();
    db = join(dir, 'ledger.db');
    configPath = join(dir, 'jevons.yaml');
    writeFileSync(
      configPath,
      stringify({
        server: { host: '127.0.0.1', auth: 'keys' },
        // Only the shutdown flush writes rows: nothing is due before a minute or 500 rows.
        storage: { path: db, flush_interval_ms: 60_000 },
        providers: [
          { name: 'openai', type: 'openai', base_url: `${emulator.url}/v1`, api_key: 'sk-emulated' },
          { name: 'anthropic', type: 'anthropic', base_url: emulator.url, api_key: 'sk-ant-emulated' },
        ],
      }),
    );
    const created = await jevons(['keys', 'create', 'svc', '--team', 'search', '--feature', 'answers', '--config', configPath], { cwd: dir });
    expect(created.code, created.stderr).toBe(0);
    secret = /\bjv-[0-9A-Za-z]{32}\b/.exec(created.stdout)?.[0] ?? '';
    keyId = /Created key (\S+)/.exec(created.stdout)?.[1] ?? '';
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    served = spawnJevons(['serve', '--config', configPath, '--port', String(port)], { cwd: dir, env: { JEVONS_LOG_LEVEL: 'info' } });
    await waitUntilAnswering(url, served);
  }, 30_000);
  afterAll(async () => {
    served?.child.kill('SIGKILL');
    await emulator?.close();
  });

  it('refuses a missing, wrong or revoked key with 401 and sends nothing upstream', async () => {
    const before = emulator.requests.length;
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };
    expect((await chat({}, body)).status).toBe(401);
    const wrong = await chat({ authorization: 'Bearer jv-not-a-real-key-000000000000000' }, body);
    expect(wrong.status).toBe(401);
    expect(JSON.stringify(wrong.json)).toContain('not a known Jevons key');
    const other = await jevons(['keys', 'create', 'short-lived', '--db', db], { cwd: dir });
    const otherSecret = /\bjv-[0-9A-Za-z]{32}\b/.exec(other.stdout)?.[0] ?? '';
    const otherId = /Created key (\S+)/.exec(other.stdout)?.[1] ?? '';
    expect((await jevons(['keys', 'revoke', otherId, '--db', db], { cwd: dir })).code).toBe(0);
    const revoked = await chat({ authorization: `Bearer ${otherSecret}` }, body);
    expect(revoked.status).toBe(401);
    expect(JSON.stringify(revoked.json)).toContain('revoked');
    expect(emulator.requests.length).toBe(before);
  });

  it('serves requests made with a key created by `keys create`', async () => {
    const ok = await chat({ authorization: `Bearer ${secret}` }, { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `Hi ${emu({ reply: 'Hello', usage: { input: 10, output: 2 } })}` }] });
    expect(ok.status).toBe(200);
    expect(JSON.stringify(ok.json)).toContain('Hello');
    expect(emulator.requests.at(-1)?.headers.authorization).toBe('Bearer sk-emulated');
    expect((await chat({ authorization: `Bearer ${secret}`, 'x-jevons-feature': 'summaries' }, { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Summarise' }] })).status).toBe(200);
    const anthropic = await chat(
      { 'x-api-key': secret, 'anthropic-version': '2023-06-01', 'x-jevons-feature': 'summaries' },
      { model: 'claude-haiku-4-5', max_tokens: 20, messages: [{ role: 'user', content: 'Summarise again' }] },
      '/v1/messages',
    );
    expect(anthropic.status).toBe(200);
    expect(emulator.requests.at(-1)?.headers['x-api-key']).toBe('sk-ant-emulated');
    expect(ledgerCount(db)).toBe(0);
  });

  it('SIGTERM → exit 0 with every row flushed to the ledger', async () => {
    served.child.kill('SIGTERM');
    const { code, signal } = await exitWithin(served, 10_000);
    expect({ code, signal }, served.output()).toEqual({ code: 0, signal: null });
    expect(ledgerCount(db)).toBe(3);
    const reader = new Database(db, { readonly: true, fileMustExist: true });
    try {
      const rows = reader.prepare('SELECT key_id AS keyId, team, feature, requested_model AS model, status FROM ledger ORDER BY started_at, rowid').all();
      expect(rows).toEqual([
        { keyId, team: 'search', feature: 'answers', model: 'gpt-4o-mini', status: 200 },
        { keyId, team: 'search', feature: 'summaries', model: 'gpt-4o-mini', status: 200 },
        { keyId, team: 'search', feature: 'summaries', model: 'claude-haiku-4-5', status: 200 },
      ]);
    } finally {
      reader.close();
    }
  });

  it('usage --by feature,model prints those tables with the right counts', async () => {
    const result = await jevons(['usage', '--db', db, '--by', 'feature,model'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(requestsBy(result.stdout, 'feature')).toEqual({ summaries: 2, answers: 1 });
    expect(requestsBy(result.stdout, 'model')).toEqual({ 'gpt-4o-mini': 2, 'claude-haiku-4-5': 1 });
    for (const cells of tableRows(result.stdout, 'feature')) expect(cells[2]).toBe('0');
    expect(result.stdout).not.toContain('Spend by customer');
  });

  it('usage reads storage.path from --config and groups by the defaults', async () => {
    const result = await jevons(['usage', '--config', configPath], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(requestsBy(result.stdout, 'feature')).toEqual({ summaries: 2, answers: 1 });
    expect(requestsBy(result.stdout, 'customer')).toEqual({ '(none)': 3 });
  });

  it('usage --by with an unknown dimension fails naming it', async () => {
    const result = await jevons(['usage', '--db', db, '--by', 'feature,nonsense'], { cwd: dir });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('nonsense');
    expect(result.stdout).not.toContain('Spend by');
  });

  it('usage --since accepts a span or a date and rejects garbage clearly', async () => {
    const recent = await jevons(['usage', '--db', db, '--by', 'feature', '--since', '2d'], { cwd: dir });
    expect(recent.code, recent.stderr).toBe(0);
    expect(requestsBy(recent.stdout, 'feature')).toEqual({ summaries: 2, answers: 1 });
    const future = await jevons(['usage', '--db', db, '--by', 'feature', '--since', '2999-01-01'], { cwd: dir });
    expect(future.code, future.stderr).toBe(0);
    expect(tableRows(future.stdout, 'feature')).toEqual([]);
    const garbage = await jevons(['usage', '--db', db, '--since', 'garbage'], { cwd: dir });
    expect(garbage.code).not.toBe(0);
    expect(garbage.stderr).toContain('--since');
    expect(garbage.stderr).toContain('"garbage"');
    expect(garbage.stdout).toBe('');
  });
});

describe('jevons demo', () => {
  it('--exit runs the traffic mix to completion, prints the report and leaves the rows', async () => {
    const dir = freshDir();
    const db = join(dir, 'demo.db');
    const result = await jevons(['demo', '--exit', '--port', '0', '--db', db], { cwd: dir, timeoutMs: 60_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Spend by feature');
    const sent = Number(/Sent (\d+) requests/.exec(result.stdout)?.[1] ?? 0);
    expect(sent).toBeGreaterThan(0);
    expect(Object.values(requestsBy(result.stdout, 'feature')).reduce((sum, n) => sum + n, 0)).toBe(sent);
    expect(ledgerCount(db)).toBe(sent);
  }, 70_000);
});

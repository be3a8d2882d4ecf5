import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaticFiles, findDashboardRoot, resolveInside } from './static-files.js';

let dir: string;
let root: string;
let server: Server;
let base: string;

/** A raw request (fetch normalises `..` and encoded paths away, which is exactly what must be tested here). */
function raw(path: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolvePromise, reject) => {
    const req = httpRequest(`${base}/`, { method: options.method ?? 'GET', path, headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'jevons-static-'));
  root = join(dir, 'dashboard');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Jevons</title>');
  writeFileSync(join(root, 'app-7KQ2M3XA.js'), 'console.log("app")');
  writeFileSync(join(root, 'app-7KQ2M3XA.js.gz'), gzipSync('console.log("app")'));
  writeFileSync(join(root, 'styles.css'), 'body{}');
  writeFileSync(join(root, 'assets', 'logo.svg'), '<svg/>');
  writeFileSync(join(dir, 'secret.txt'), 'outside the root');
  server = createServer(createStaticFiles({ root }));
  await new Promise<void>((resolvePromise) => server.listen(0, '127.0.0.1', resolvePromise));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolvePromise) => server.close(resolvePromise));
  rmSync(dir, { recursive: true, force: true });
});

describe('static dashboard files', () => {
  it('redirects / and /dashboard to /dashboard/ and serves index.html there, not cached', async () => {
    const home = await raw('/');
    expect(home.status).toBe(302);
    expect(home.headers.location).toBe('/dashboard/');
    const bare = await raw('/dashboard?x=1');
    expect(bare.status).toBe(301);
    expect(bare.headers.location).toBe('/dashboard/?x=1');
    const index = await raw('/dashboard/');
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.headers['cache-control']).toBe('no-cache');
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    expect(index.headers['content-security-policy']).toContain("default-src 'self'");
    expect(index.body.toString()).toContain('<title>Jevons</title>');
  });

  it('gives each file its content type; hashed names are immutable, others revalidate', async () => {
    const script = await raw('/dashboard/app-7KQ2M3XA.js');
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(script.body.toString()).toBe('console.log("app")');
    const css = await raw('/dashboard/styles.css');
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.headers['cache-control']).toBe('no-cache');
    const svg = await raw('/dashboard/assets/logo.svg');
    expect(svg.headers['content-type']).toBe('image/svg+xml');
  });

  it('sends the precompressed file only to clients that accept gzip', async () => {
    const zipped = await raw('/dashboard/app-7KQ2M3XA.js', { headers: { 'accept-encoding': 'gzip, br' } });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toBe('Accept-Encoding');
    expect(zipped.body.equals(gzipSync('console.log("app")'))).toBe(true);
    const plain = await raw('/dashboard/app-7KQ2M3XA.js', { headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers['content-encoding']).toBeUndefined();
  });

  it('answers 304 to a matching If-None-Match and HEAD without a body', async () => {
    const first = await raw('/dashboard/styles.css');
    const etag = String(first.headers.etag);
    expect((await raw('/dashboard/styles.css', { headers: { 'if-none-match': etag } })).status).toBe(304);
    const head = await raw('/dashboard/styles.css', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('6');
    expect(head.body.length).toBe(0);
  });

  it('404s unknown files, directories and every traversal attempt', async () => {
    for (const path of ['/dashboard/nope.js', '/dashboard/assets/', '/dashboard/assets', '/dashboard/../secret.txt', '/dashboard/%2e%2e/secret.txt', '/dashboard/assets/..%2f..%2fsecret.txt', '/dashboard/..%5csecret.txt', '/dashboard/%00', '/dashboard/%E0%A4%A', '/dashboardx/index.html']) {
      const answer = await raw(path);
      expect(answer.status, path).toBe(404);
      expect(answer.body.toString()).not.toContain('outside the root');
    }
  });

  it('refuses other methods with 405 and Allow', async () => {
    const answer = await raw('/dashboard/', { method: 'POST' });
    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe('GET, HEAD');
  });

  it('says how to build when the dashboard was not built', async () => {
    const missing = createServer(createStaticFiles({ root: join(dir, 'not-built') }));
    await new Promise<void>((resolvePromise) => missing.listen(0, '127.0.0.1', resolvePromise));
    try {
      const response = await fetch(`http://127.0.0.1:${(missing.address() as AddressInfo).port}/dashboard/`);
      expect(response.status).toBe(503);
      expect(await response.text()).toContain('npm run build');
    } finally {
      await new Promise((resolvePromise) => missing.close(resolvePromise));
    }
  });
});

describe('resolveInside', () => {
  it('keeps paths inside the root and maps the root to index.html', () => {
    expect(resolveInside('/srv/d', '')).toBe('/srv/d/index.html');
    expect(resolveInside('/srv/d', 'a/b.js')).toBe('/srv/d/a/b.js');
    expect(resolveInside('/srv/d', '%2e%2e/x')).toBeNull();
    expect(resolveInside('/srv/d', 'a/../../x')).toBeNull();
    expect(resolveInside('/srv/d', 'a\\..\\x')).toBeNull();
  });
});

describe('findDashboardRoot', () => {
  it('walks up to the jevons package and points at dist/dashboard', () => {
    const pkg = join(dir, 'pkg');
    mkdirSync(join(pkg, 'dist', 'chunks'), { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'jevons' }));
    mkdirSync(join(pkg, 'dist', 'chunks', 'node_modules', 'other'), { recursive: true });
    writeFileSync(join(pkg, 'dist', 'chunks', 'node_modules', 'other', 'package.json'), JSON.stringify({ name: 'other' }));
    expect(findDashboardRoot(pathToFileURL(join(pkg, 'dist', 'chunks', 'main.js')).href)).toBe(join(pkg, 'dist', 'dashboard'));
    expect(findDashboardRoot(pathToFileURL(join(pkg, 'dist', 'chunks', 'node_modules', 'other', 'x.js')).href)).toBe(join(pkg, 'dist', 'dashboard'));
  });
});

/**
 * Serves the built dashboard (dist/dashboard, produced by dashboard/build.mjs) at GET /dashboard/, and redirects GET /
 * there. Contract:
 * - only files under `root` are served: the path is decoded once, and any `..`, backslash, NUL or resolved path outside
 *   the root is a 404 (never a read outside the folder);
 * - unknown files are a 404; a directory is a 404 except the root itself, which serves index.html;
 * - index.html and unhashed files are `no-cache` (revalidated with the ETag); files whose name carries the build's
 *   content hash (`name-ABCD1234.js`) are `immutable` for a year;
 * - a precompressed `<file>.gz` written by the build is sent when the client accepts gzip;
 * - GET and HEAD only (405 with Allow otherwise); a dashboard that was not built answers 503 saying how to build it.
 * The token the dashboard uses travels in the URL fragment, which browsers never send: nothing here is secret.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DASHBOARD_PREFIX = '/dashboard';

const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};
const compressible = new Set(['.html', '.js', '.mjs', '.css', '.json', '.map', '.svg', '.txt']);

/** `app-7KQ2M3XA.js`: esbuild's [name]-[hash] entry names (8 base32 characters). */
const hashedName = /-[A-Z0-9]{8}\.[a-z0-9]+$/;

const securityHeaders: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  // echarts sets inline styles on the elements it draws; scripts only from this origin.
  'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
};

export interface StaticFilesOptions {
  /** The folder holding index.html and the built assets. */
  root: string;
  /** URL prefix, default /dashboard. */
  prefix?: string;
}

export type StaticHandler = (request: IncomingMessage, response: ServerResponse) => void;

function sendText(response: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...securityHeaders, ...headers });
  response.end(text);
}

/** The file a URL path names inside root, or null when it names nothing servable (traversal, bad encoding). */
export function resolveInside(root: string, relative: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(relative);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const segments = decoded.split('/').filter((segment) => segment !== '');
  if (segments.some((segment) => segment === '..' || segment === '.')) return null;
  const base = resolve(root);
  const file = resolve(base, ...(segments.length === 0 ? ['index.html'] : segments));
  return file === base || !file.startsWith(base + sep) ? null : file;
}

async function fileInfo(path: string): Promise<{ size: number; mtimeMs: number } | null> {
  try {
    const info = await stat(path);
    return info.isFile() ? { size: info.size, mtimeMs: info.mtimeMs } : null;
  } catch {
    return null;
  }
}

async function serve(options: { root: string; relative: string; request: IncomingMessage; response: ServerResponse }): Promise<void> {
  const { request, response } = options;
  const file = resolveInside(options.root, options.relative);
  const info = file === null ? null : await fileInfo(file);
  if (file === null || info === null) return sendText(response, 404, `Not found: ${request.url ?? ''}`);
  const extension = extname(file).toLowerCase();
  const acceptsGzip = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
  const gzipped = compressible.has(extension) && acceptsGzip ? await fileInfo(`${file}.gz`) : null;
  const chosen = gzipped ?? info;
  const etag = `W/"${chosen.size.toString(16)}-${Math.floor(chosen.mtimeMs).toString(16)}${gzipped ? '-gz' : ''}"`;
  const headers: Record<string, string> = {
    'content-type': contentTypes[extension] ?? 'application/octet-stream',
    'cache-control': hashedName.test(file) ? 'public, max-age=31536000, immutable' : 'no-cache',
    etag,
    ...securityHeaders,
  };
  if (compressible.has(extension)) headers.vary = 'Accept-Encoding';
  if (request.headers['if-none-match'] === etag) {
    response.writeHead(304, headers);
    return void response.end();
  }
  const body = await readFile(gzipped ? `${file}.gz` : file);
  if (gzipped) headers['content-encoding'] = 'gzip';
  response.writeHead(200, { ...headers, 'content-length': String(body.length) });
  response.end(request.method === 'HEAD' ? undefined : body);
}

/** The handler for GET / and GET /dashboard[/…]; the route table sends only those paths here. */
export function createStaticFiles(options: StaticFilesOptions): StaticHandler {
  const prefix = options.prefix ?? DASHBOARD_PREFIX;
  return (request, response) => {
    request.resume();
    const [path = '/', search] = (request.url ?? '/').split('?', 2);
    if (request.method !== 'GET' && request.method !== 'HEAD') return sendText(response, 405, `${request.method} ${path}: use GET.`, { allow: 'GET, HEAD' });
    if (path === '/' || path === prefix) {
      response.writeHead(path === '/' ? 302 : 301, { location: `${prefix}/${search === undefined ? '' : `?${search}`}`, 'content-length': '0', ...securityHeaders });
      return void response.end();
    }
    if (!path.startsWith(`${prefix}/`)) return sendText(response, 404, `Not found: ${path}`);
    if (!existsSync(join(options.root, 'index.html'))) {
      return sendText(response, 503, `The dashboard is not built (no ${join(options.root, 'index.html')}): run \`npm run build\` (or \`node dashboard/build.mjs\`).`);
    }
    serve({ root: options.root, relative: path.slice(prefix.length + 1), request, response }).catch((error: unknown) => {
      if (response.headersSent) return void response.destroy(error instanceof Error ? error : undefined);
      sendText(response, 500, 'Could not read the dashboard file.');
    });
  };
}

/**
 * dist/dashboard of the jevons package this module belongs to: walks up from `fromUrl` (this file's URL by default) to
 * the package.json named "jevons". Works from the sources (src/server/dashboard), from the bundle (dist/*.js) and from
 * node_modules/jevons. Falls back to ./dist/dashboard beside the working directory.
 */
export function findDashboardRoot(fromUrl: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(fromUrl));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        const parsed: unknown = JSON.parse(readFileSync(manifest, 'utf8'));
        if (typeof parsed === 'object' && parsed !== null && (parsed as { name?: unknown }).name === 'jevons') return join(dir, 'dist', 'dashboard');
      } catch {
        // an unreadable manifest is not ours; keep walking up
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return resolve('dist', 'dashboard');
    dir = parent;
  }
}

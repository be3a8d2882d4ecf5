/**
 * Builds the dashboard into dist/dashboard: esbuild bundles src/main.ts (echarts parts included, minified, content-hashed
 * name), copies styles.css under a hashed name, writes index.html pointing at both, and a .gz beside each text file
 * (the gateway sends it to clients that accept gzip). Run by `npm run build` after tsup (which empties dist/).
 * Usage: node dashboard/build.mjs [--outdir <dir>]
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const flag = process.argv.indexOf('--outdir');
const outdir = resolve(flag >= 0 ? process.argv[flag + 1] : join(here, '..', 'dist', 'dashboard'));
const started = performance.now();

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });

const result = await build({
  entryPoints: { app: join(here, 'src', 'main.ts') },
  bundle: true,
  format: 'esm',
  target: ['es2022'],
  platform: 'browser',
  minify: true,
  sourcemap: true,
  splitting: true,
  entryNames: '[name]-[hash]',
  chunkNames: '[name]-[hash]',
  outdir,
  metafile: true,
  legalComments: 'linked',
  logLevel: 'warning',
});

const script = Object.entries(result.metafile.outputs).find(([path, output]) => path.endsWith('.js') && output.entryPoint !== undefined)?.[0];
if (script === undefined) throw new Error('esbuild wrote no script');
const css = readFileSync(join(here, 'styles.css'));
const cssName = `styles-${createHash('sha256').update(css).digest('base64url').replace(/[^A-Za-z0-9]/g, '').slice(0, 8).toUpperCase()}.css`;
writeFileSync(join(outdir, cssName), css);
// The chunks (echarts) are preloaded beside the entry, so they download while the entry starts the API calls.
const chunks = Object.keys(result.metafile.outputs).filter((path) => path.endsWith('.js') && path !== script);
const preload = chunks.map((path) => `<link rel="modulepreload" href="./${path.split('/').at(-1)}">`).join('\n');
const html = readFileSync(join(here, 'index.html'), 'utf8').replace('%STYLES%', `./${cssName}`).replace('%SCRIPT%', `./${script.split('/').at(-1)}`).replace('%PRELOAD%', preload);
writeFileSync(join(outdir, 'index.html'), html);

let bytes = 0;
let gzipped = 0;
for (const name of readdirSync(outdir)) {
  if (!/\.(js|css|html|map|txt)$/.test(name)) continue;
  const content = readFileSync(join(outdir, name));
  const zipped = gzipSync(content, { level: 9 });
  writeFileSync(join(outdir, `${name}.gz`), zipped);
  if (!name.endsWith('.map')) {
    bytes += content.length;
    gzipped += zipped.length;
  }
}
console.log(`dashboard: ${outdir} (${(bytes / 1024).toFixed(0)} KB, ${(gzipped / 1024).toFixed(0)} KB gzipped) in ${(performance.now() - started).toFixed(0)} ms`);

// Bundles the real-user-monitoring script (rum/entry.ts, with the real @grafana/faro-web-sdk) into one
// classic script, dist/rum/rum.js, which the server serves as GET /rum.js. Prints its raw and gzip size.
//
//   node scripts/bundle-rum.mjs [--outdir dist/rum]
//
// - Type-checks rum/ first (rum/tsconfig.json: DOM lib, kept out of the Node program); esbuild does not.
// - IIFE, minified, ES2018/Chromium 70 syntax: commune PCs run old browsers. `globalThis` (Chromium 71)
//   is compiled to `window`, the only global object this script ever runs in.
// - Licences: the bundled packages are Apache-2.0 (Faro, web-vitals) and MIT (ua-parser-js). The banner names
//   each with its licence; rum.js.LICENSES.txt next to the bundle holds their full licence texts, and any
//   legal comment esbuild finds stays at the end of the file.
// - rum.js.map is written without a sourceMappingURL comment (no 404s from browsers); keep it for
//   symbolicating rum.js's own frames.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';

const { values: args } = parseArgs({ options: { outdir: { type: 'string', default: 'dist/rum' } } });
const outdir = args.outdir;
const outfile = join(outdir, 'rum.js');
const entry = 'rum/entry.ts';
const require = createRequire(import.meta.url);

const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'rum/tsconfig.json'], {
  stdio: 'inherit',
});
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

const options = {
  entryPoints: [entry],
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: ['es2018', 'chrome70'],
  define: { globalThis: 'window' },
  logLevel: 'warning',
};

// The packages that end up in the bundle, from a quick unminified pass (tree shaking decides).
const probe = await build({ ...options, write: false, metafile: true, minify: false });
const packages = bundledPackages(Object.values(probe.metafile.outputs)[0].inputs);
const bundled = packages
  .map((p) => `${p.name} ${p.version} (${p.license}${p.copyright ? `, ${p.copyright}` : ''})`)
  .join('; ');

mkdirSync(outdir, { recursive: true });
await build({
  ...options,
  outfile,
  minify: true,
  sourcemap: 'external',
  legalComments: 'eof',
  banner: {
    js: `/*! CommuneWatch rum.js. Bundles ${bundled}. Licence texts: rum.js.LICENSES.txt */`,
  },
});
writeFileSync(
  join(outdir, 'rum.js.LICENSES.txt'),
  packages
    .map((p) => `${p.name} ${p.version} — ${p.license}\n${p.homepage ?? ''}\n\n${p.text.trim()}\n`)
    .join(`\n${'-'.repeat(78)}\n\n`),
);

const code = readFileSync(outfile);
console.log(`${outfile}: ${kb(code.length)} raw, ${kb(gzipSync(code, { level: 9 }).length)} gzip`);

function kb(bytes) {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

/** name, version, licence, copyright line and licence text of every package a bundle input comes from. */
function bundledPackages(inputs) {
  const dirs = new Set();
  for (const file of Object.keys(inputs)) {
    const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(file);
    if (m) dirs.add(m[1]);
  }
  return [...dirs].sort().map((dir) => {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const licenceFile = readdirSync(dir).find((f) => /^licen[cs]e(\.|$)/i.test(f));
    if (!licenceFile) throw new Error(`${pkg.name}: no LICENSE file to ship with rum.js`);
    const text = readFileSync(join(dir, licenceFile), 'utf8');
    const line = /^\s*copyright\s+(?:\(c\)\s*|©\s*)?(\d{4}.*)$/im.exec(text)?.[1];
    const author = typeof pkg.author === 'string' ? pkg.author.replace(/\s*[<(].*$/, '') : pkg.author?.name;
    const copyright = `(c) ${line ? line.replace(/\s*<.*$/, '') : author}`;
    return { name: pkg.name, version: pkg.version, license: pkg.license, homepage: pkg.homepage, text, copyright };
  });
}

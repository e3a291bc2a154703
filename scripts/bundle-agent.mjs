// Bundles the agent executable (cli/agent-main.ts) into one ES module, dist/communewatch-agent.mjs.
//
// Why: loaded as ~400 separate modules (typebox alone is hundreds of files), the agent starts at about
// 85 MiB RSS; bundled and tree-shaken it starts at about 60 MiB (docs/benchmarks.md). Commune PCs are old
// and shared with the officials' browsers, so the installed agent runs the bundle.
// better-sqlite3 stays external: it loads a native addon found next to its package in node_modules.
import { build } from 'esbuild';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';

const outfile = 'dist/communewatch-agent.mjs';
await build({
  entryPoints: ['cli/agent-main.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['better-sqlite3'],
  // CommonJS dependencies (systeminformation, ping, pino) call require() for Node's built-in modules.
  banner: {
    js: "import { createRequire as __cwCreateRequire } from 'node:module'; const require = __cwCreateRequire(import.meta.url);",
  },
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  legalComments: 'linked',
  logLevel: 'warning',
});
// esbuild escapes non-ASCII text, but not inside regular-expression literals (ping's "мс", the degree
// sign in systeminformation). A single such character makes V8 keep the whole 1.2 MB source as a two-byte
// string (2.4 MB); as \uXXXX escapes, which mean the same in a regex, the source stays one-byte.
const code = readFileSync(outfile, 'utf8');
writeFileSync(
  outfile,
  code.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
);
chmodSync(outfile, 0o755);

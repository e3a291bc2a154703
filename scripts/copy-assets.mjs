// Copies the non-TypeScript files the compiled code reads at run time (SQL migrations) into dist/.
import { cpSync, chmodSync, existsSync } from 'node:fs';

cpSync('server/store/migrations', 'dist/server/store/migrations', { recursive: true });
// npm links `bin` entries itself, but a build run by hand should leave an executable CLI too.
if (existsSync('dist/cli/main.js')) chmodSync('dist/cli/main.js', 0o755);

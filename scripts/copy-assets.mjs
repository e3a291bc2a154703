// Copies the non-TypeScript files the compiled code reads at run time into dist/: SQL migrations and the
// shipped national calendars (server/calendar/holidays).
import { cpSync, chmodSync, existsSync } from 'node:fs';

cpSync('server/store/migrations', 'dist/server/store/migrations', { recursive: true });
cpSync('server/calendar/holidays', 'dist/server/calendar/holidays', { recursive: true });
cpSync('server/web/assets', 'dist/server/web/assets', { recursive: true });
// npm links `bin` entries itself, but a build run by hand should leave an executable CLI too.
if (existsSync('dist/cli/main.js')) chmodSync('dist/cli/main.js', 0o755);

/**
 * docs/openapi.json as the source describes it: builds the app over a throw-away SQLite store with the
 * default config (every route registered, the agent plan route included) and prints its OpenAPI document
 * deterministically — keys sorted, 2-space JSON, a final newline, no timestamps — so the committed file
 * changes only when the API does. Used by scripts/write-openapi.mjs (from dist/) and by the test that
 * checks the committed file is current (from source).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Value } from 'typebox/value';
import { buildApp } from '../app.js';
import { ServerConfigSchema, type ServerConfig } from '../config.js';
import { openSqliteStore } from '../store/sqlite-store.js';
import type { PlanSource } from '../plan/catalogue-source.js';

/** The document with every object's keys in sorted order (arrays keep theirs: order means something there). */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
  );
}

/** The text of docs/openapi.json. */
export function openApiText(document: unknown): string {
  return `${JSON.stringify(sortKeys(document), null, 2)}\n`;
}

/** Builds the app once (no timers, no listening) and returns its OpenAPI document as docs/openapi.json holds it. */
export async function generateOpenApi(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'cw-openapi-'));
  const store = openSqliteStore({ file: join(dir, 'openapi.db') });
  try {
    const config = Value.Default(ServerConfigSchema, {}) as ServerConfig;
    // The plan route exists only with a catalogue; it is described whether or not a server has one.
    const plans: PlanSource = {
      planFor: () => {
        throw new Error('no plans while describing the API');
      },
    };
    const { app } = await buildApp({ store, config, plans, timers: false });
    try {
      return openApiText(app.swagger());
    } finally {
      await app.close();
    }
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The package version, read once from package.json so the agent, server and User-Agent agree. */
import { readFileSync } from 'node:fs';

function findVersion(): string {
  // Works from source (common/) and from the build (dist/common/).
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'communewatch' && pkg.version) return pkg.version;
    } catch {
      // try the next location
    }
  }
  return '0.0.0-unknown';
}

export const VERSION = findVersion();

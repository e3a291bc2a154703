/**
 * A bundle on disk or on the wire: a folder of files (what `communewatch report vendor --out DIR` writes) or
 * one zip (what GET /api/v1/reports/vendor/:id answers, through fflate). Reading either gives the same
 * name → bytes map, so verification does not care which it was given. Files in sub-folders are read with
 * their relative path, so that verification can name them as extra files.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import type { BundleFiles } from './bundle-manifest.js';

/** Every file of a bundle as one zip (deflated; the PDF and XLSX, already compressed, are stored as they are). */
export function zipBundle(files: BundleFiles, mtime: number): Uint8Array {
  const entries: Record<string, [Uint8Array, { level: 0 | 6; mtime: Date }]> = {};
  for (const [name, bytes] of files)
    entries[name] = [bytes, { level: /\.(pdf|xlsx)$/.test(name) ? 0 : 6, mtime: new Date(mtime) }];
  return zipSync(entries);
}

/** Writes the files into `dir` (created if needed); returns their paths. */
export function writeBundleDir(dir: string, files: BundleFiles): string[] {
  mkdirSync(dir, { recursive: true });
  const paths: string[] = [];
  for (const [name, bytes] of files) {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    paths.push(path);
  }
  return paths;
}

function readDir(root: string, dir: string, out: BundleFiles): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) readDir(root, path, out);
    else out.set(relative(root, path).split('\\').join('/'), readFileSync(path));
  }
}

/** The files of a bundle folder or zip file. Throws with the path when it is neither. */
export function readBundle(path: string): BundleFiles {
  const stat = statSync(path);
  const files: BundleFiles = new Map();
  if (stat.isDirectory()) {
    readDir(path, path, files);
    return files;
  }
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(readFileSync(path));
  } catch (err) {
    throw new Error(`${path} is neither a bundle folder nor a zip file (${(err as Error).message})`);
  }
  for (const [name, bytes] of Object.entries(entries)) if (!name.endsWith('/')) files.set(name, bytes);
  return files;
}

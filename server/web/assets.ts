/**
 * Static assets of the UI, held in memory and served under a content hash (/assets/<hash>/<name>) so
 * browsers on slow links cache them for a year and never revalidate; a new release changes the hash.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

interface Asset {
  body: Buffer;
  type: string;
  url: string;
}

const require = createRequire(import.meta.url);
const own = (name: string) => fileURLToPath(new URL(`./assets/${name}`, import.meta.url));

function load(name: string, file: string, type: string): Asset {
  const body = readFileSync(file);
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  return { body, type, url: `/assets/${hash}/${name}` };
}

export interface Assets {
  css: string;
  js: string;
  uplotJs: string;
  uplotCss: string;
}

export function registerAssets(app: FastifyInstance): Assets {
  const list = [
    load('app.css', own('app.css'), 'text/css; charset=utf-8'),
    load('app.js', own('app.js'), 'text/javascript; charset=utf-8'),
    load('uplot.js', require.resolve('uplot/dist/uPlot.iife.min.js'), 'text/javascript; charset=utf-8'),
    load('uplot.css', require.resolve('uplot/dist/uPlot.min.css'), 'text/css; charset=utf-8'),
  ];
  const byUrl = new Map(list.map((a) => [a.url, a]));
  app.get('/assets/:hash/:name', async (request, reply) => {
    const asset = byUrl.get(request.url.split('?')[0]!);
    if (!asset)
      return reply
        .code(404)
        .type('text/plain')
        .send('no such asset (the page may be from an older release: reload it)');
    return reply.type(asset.type).header('cache-control', 'public, max-age=31536000, immutable').send(asset.body);
  });
  return { css: list[0]!.url, js: list[1]!.url, uplotJs: list[2]!.url, uplotCss: list[3]!.url };
}

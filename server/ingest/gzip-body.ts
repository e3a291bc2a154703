/**
 * Accepts `Content-Encoding: gzip` request bodies (agents compress every batch: rural links are slow).
 * The decompressed stream goes through fastify's normal body-limit check, so a gzip bomb is cut off at
 * bodyLimit bytes of JSON and answered 413.
 */
import { createGunzip } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { ErrorCode, HttpError } from '../errors.js';

export function acceptGzipBodies(app: FastifyInstance): void {
  app.addHook('preParsing', async (request, _reply, payload) => {
    const encoding = (request.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
    if (encoding === 'identity') return payload;
    if (encoding !== 'gzip') {
      throw new HttpError(
        415,
        ErrorCode.BAD_ENCODING,
        `Content-Encoding "${encoding}" is not supported; use gzip or none`,
      );
    }
    // The header describes the compressed size; fastify would compare it with the decompressed length.
    delete request.headers['content-length'];
    const gunzip = createGunzip();
    gunzip.on('error', () => undefined); // surfaced below as a 400 via the stream error
    payload.on('error', (err) => gunzip.destroy(err));
    const out = payload.pipe(gunzip);
    out.on('error', () => undefined);
    (out as unknown as { receivedEncodedLength: number }).receivedEncodedLength = 0;
    return out;
  });
}

/**
 * POST /api/v1/dossiers (admin key): dossier records as JSON, with the same header names, checks and
 * all-or-nothing rule as a file import. A refused import answers 400 with every problem.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { Store } from '../store/store.js';
import type { Units } from '../org/units.js';
import { ErrorCode, HttpError } from '../errors.js';
import { registerApiAuth, requireAdmin } from '../auth/api-auth.js';
import { importRows, ImportHeaderError, objectRows } from './importer.js';

export async function dossierRoutes(app: FastifyInstance, opts: { store: Store; units: Units; now: () => number; offsetMinutes: number }): Promise<void> {
  registerApiAuth(app, opts.store, opts.now, ['admin']);
  app.withTypeProvider<TypeBoxTypeProvider>().post(
    '/api/v1/dossiers',
    {
      schema: {
        body: Type.Object(
          {
            source: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$', description: 'where the records come from, e.g. motcua-laocai' }),
            partial: Type.Boolean({ default: false }),
            records: Type.Array(Type.Record(Type.String({ maxLength: 100 }), Type.Union([Type.String({ maxLength: 1000 }), Type.Number(), Type.Null()])), { minItems: 1, maxItems: 50_000 }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const p = requireAdmin(request);
      const { source, partial, records } = request.body;
      let report;
      try {
        report = await importRows(objectRows(records), { store: opts.store, units: opts.units, offsetMinutes: opts.offsetMinutes, source, actor: p.name, now: opts.now, partial });
      } catch (err) {
        if (err instanceof ImportHeaderError) throw new HttpError(400, ErrorCode.DOSSIER_HEADERS, `body/records: ${err.message}`);
        throw err;
      }
      if (report.status === 'refused') {
        return reply.code(400).send({
          statusCode: 400, code: ErrorCode.DOSSIER_ROWS, error: 'Bad Request',
          message: `${report.invalid} of ${report.rows} records have problems; nothing was imported (send partial: true to import the good ones)`,
          report,
        });
      }
      return report;
    },
  );
}

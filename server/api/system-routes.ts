/**
 * Commune PCs: the newest health sample and equipment inventory of every agent, and the equipment
 * questions leaders ask ("which communes lack a chip reader", "which run on < 4 GB RAM") as filters.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { COMMUNE_PATTERN } from '../../protocol/wire.js';
import type { Store } from '../store/store.js';
import { queryValidatorCompiler } from './query-validator.js';
import { errorResponses, READ_ERRORS } from './schemas/common.js';
import { HealthList, InventoryList } from './schemas/system.js';
import { registerApiAuth } from '../auth/api-auth.js';

const GIB = 1024 ** 3;

export async function systemRoutes(app: FastifyInstance, opts: { store: Store }): Promise<void> {
  // PCs and equipment of the commune offices are the province's business, not a vendor's.
  registerApiAuth(app, ['admin', 'viewer']);
  app.setValidatorCompiler(queryValidatorCompiler);
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '/api/v1/inventory',
    {
      schema: {
        querystring: Type.Object(
          {
            commune: Type.Optional(Type.String({ pattern: COMMUNE_PATTERN })),
            lacks: Type.Optional(
              Type.Union([Type.Literal('smartcard-reader'), Type.Literal('scanner'), Type.Literal('printer')]),
            ),
            maxRamGb: Type.Optional(
              Type.Number({ exclusiveMinimum: 0, maximum: 4096, description: 'only PCs with less RAM than this' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: InventoryList, ...errorResponses(...READ_ERRORS) },
      },
    },
    async (request) => {
      const { commune, lacks, maxRamGb } = request.query;
      const rows = opts.store.latestInventory({
        commune,
        lacks,
        maxMemBytes: maxRamGb === undefined ? undefined : maxRamGb * GIB,
      });
      return {
        agents: rows.map(({ commune, agent, ts, doc }) => ({
          commune,
          agent,
          ts,
          hostname: doc.hostname,
          model: doc.system ? `${doc.system.manufacturer} ${doc.system.model}`.trim() : null,
          os: doc.os ? `${doc.os.distro} ${doc.os.release}`.trim() : null,
          cpu: doc.cpu?.brand ?? null,
          memTotalBytes: doc.memTotalBytes ?? null,
          counts: doc.counts,
          usb: doc.usb,
          printers: doc.printers,
        })),
      };
    },
  );

  api.get(
    '/api/v1/health',
    {
      schema: {
        querystring: Type.Object(
          { commune: Type.Optional(Type.String({ pattern: COMMUNE_PATTERN })) },
          { additionalProperties: false },
        ),
        response: { 200: HealthList, ...errorResponses(...READ_ERRORS) },
      },
    },
    async (request) => ({
      agents: opts.store
        .latestHealth()
        .filter((h) => request.query.commune === undefined || h.commune === request.query.commune)
        .map(({ commune, agent, ts, receivedAt, sample }) => ({ commune, agent, ts, receivedAt, sample })),
    }),
  );
}

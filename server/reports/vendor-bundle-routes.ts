/**
 * GET /api/v1/reports/vendor/:id?from&to — a vendor's evidence bundle as one zip (admin, or that vendor's own
 * account: evidence/vendors.ts mayFetchBundle; any other vendor gets 404, as if it did not exist; a viewer 403),
 * and the public half of the signing key at /.well-known/communewatch/signing-key.pem (and .json with its key
 * id), open to anyone: whoever holds a bundle must be able to check it without an account.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { Store } from '../store/store.js';
import type { CalendarBook } from '../calendar/calendar-book.js';
import type { Units } from '../org/units.js';
import type { ServerConfig } from '../config.js';
import { principalOf, registerApiAuth } from '../auth/api-auth.js';
import { queryValidatorCompiler } from '../api/query-validator.js';
import { parseQuerySpan, QueryTime } from '../api/query-time.js';
import { errorResponses, READ_ERRORS } from '../api/schemas/common.js';
import { ErrorCode, HttpError } from '../errors.js';
import { canSeeVendor, mayFetchBundle } from '../evidence/vendors.js';
import { buildVendorBundle, MAX_BUNDLE_DAYS } from '../evidence/bundle.js';
import { PdfFontMissing } from '../evidence/pdf-fonts.js';
import { zipBundle } from '../evidence/bundle-files.js';
import { lazySigningKey, WELL_KNOWN_KEY_JSON_PATH, WELL_KNOWN_KEY_PATH, type SigningKey } from '../evidence/signing.js';
import { configuredVendor, vendorBundleDeps } from './vendor-bundle.js';

const DAY = 86_400_000;

/** What the bundle routes need: the server's parts, its clock and (in tests) a signing key. */
export interface VendorBundleRoutesOptions {
  store: Store;
  config: Pick<ServerConfig, 'vendors' | 'dossiers' | 'timezoneOffsetMinutes' | 'dataDir'>;
  calendars: CalendarBook;
  units: Units;
  now: () => number;
  /** Default: the key in config.dataDir, generated on first use. */
  signingKey?: () => SigningKey;
}

/** Registers GET /api/v1/reports/vendor/:id and the public signing key's two well-known URLs. */
export async function vendorBundleRoutes(app: FastifyInstance, opts: VendorBundleRoutesOptions): Promise<void> {
  const signingKey = opts.signingKey ?? lazySigningKey(opts.config.dataDir);
  await app.register(publicKeyRoutes, { signingKey });
  await app.register(bundleRoute, { ...opts, signingKey });
}

async function publicKeyRoutes(app: FastifyInstance, opts: { signingKey: () => SigningKey }): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get(
    WELL_KNOWN_KEY_PATH,
    {
      schema: {
        description: "The server's Ed25519 public key (SPKI PEM) that signs evidence bundles' manifests.",
        response: { 200: Type.String({ description: 'PEM' }) },
      },
    },
    async (_request, reply) => reply.type('application/x-pem-file').send(opts.signingKey().publicPem),
  );
  api.get(
    WELL_KNOWN_KEY_JSON_PATH,
    {
      schema: {
        description: 'The same key with its id (hex SHA-256 of the DER public key), as manifest.sig names it.',
        response: {
          200: Type.Object({
            algorithm: Type.Literal('Ed25519'),
            keyId: Type.String({ description: 'hex SHA-256 of the SPKI DER public key' }),
            publicKeyPem: Type.String(),
          }),
        },
      },
    },
    async () => {
      const key = opts.signingKey();
      return { algorithm: 'Ed25519' as const, keyId: key.keyId, publicKeyPem: key.publicPem };
    },
  );
}

async function bundleRoute(
  app: FastifyInstance,
  opts: VendorBundleRoutesOptions & { signingKey: () => SigningKey },
): Promise<void> {
  registerApiAuth(app, ['admin', 'viewer', 'vendor']);
  app.setValidatorCompiler(queryValidatorCompiler);
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/api/v1/reports/vendor/:id',
    {
      schema: {
        description:
          "A vendor's evidence bundle for [from, to) (at most 400 days) as a zip: bundle.json, SLA, incidents, not-theirs, RUM errors " +
          'and dossiers (CSV/XLSX), report.html, report.pdf, and manifest.json signed in manifest.sig ' +
          '(docs/evidence.md). A vendor account may fetch only its own.',
        params: Type.Object({ id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,63}$' }) }),
        querystring: Type.Object(
          {
            from: Type.Optional(QueryTime('period start; default 30 days before `to`')),
            to: Type.Optional(QueryTime('period end (exclusive); default now')),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Unsafe<Buffer>({
            type: 'string',
            format: 'binary',
            description: 'application/zip; Content-Disposition names the file',
          }),
          ...errorResponses(...READ_ERRORS, 404, 503),
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const vendor = configuredVendor(opts.config, request.params.id);
      // Another vendor's bundle answers as if the vendor did not exist: ids are not for vendors to discover.
      if (!vendor || !canSeeVendor(principal, vendor))
        throw new HttpError(404, ErrorCode.NOT_FOUND, `no vendor "${request.params.id}" (or not yours to see)`);
      if (!mayFetchBundle(principal, vendor))
        throw new HttpError(
          403,
          ErrorCode.AUTH_FORBIDDEN,
          "only admins and the vendor's own account take its evidence bundle",
        );
      const now = opts.now();
      const span = parseQuerySpan(request.query, opts.config.timezoneOffsetMinutes);
      const to = span.to ?? now;
      const from = span.from ?? to - 30 * DAY;
      if (from >= to) throw new HttpError(400, ErrorCode.VALIDATION, 'querystring/from must be before to');
      if (to - from > MAX_BUNDLE_DAYS * DAY)
        throw new HttpError(
          400,
          ErrorCode.VALIDATION,
          `querystring/to: the period from \`from\` is ${Math.ceil((to - from) / DAY)} days; ` +
            `a bundle covers at most ${MAX_BUNDLE_DAYS} days: make one per period`,
        );
      const bundle = await buildVendorBundle(vendorBundleDeps({ ...opts, config: opts.config }, now), {
        vendor,
        from,
        to,
        now,
      }).catch((err: unknown) => {
        // The operator's to fix (a font package), not a bug: say what is missing and how to fix it (logged as 5xx).
        if (err instanceof PdfFontMissing) throw new HttpError(503, ErrorCode.NOT_READY, err.message);
        throw err;
      });
      const day = (ms: number) => new Date(ms + opts.config.timezoneOffsetMinutes * 60_000).toISOString().slice(0, 10);
      const name = `ho-so-bang-chung-${vendor.id}-${day(from)}-${day(to - 1)}.zip`;
      return reply
        .type('application/zip')
        .header('content-disposition', `attachment; filename="${name}"`)
        .send(Buffer.from(zipBundle(bundle.files, now)));
    },
  );
}

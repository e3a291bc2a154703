/** The `rum:` section of the server config: the Faro-compatible receiver's limits, retention, privacy. */
import Type, { type Static } from 'typebox';
import { COMMUNE_PATTERN } from '../../protocol/wire.js';

const strict = { additionalProperties: false } as const;

export const RumConfigSchema = Type.Object(
  {
    /** Largest body after gzip decompression (the SDK sends 1–6 KB batches). */
    bodyLimitBytes: Type.Integer({ minimum: 1024, maximum: 16 * 1024 * 1024, default: 256 * 1024 }),
    /** Requests per minute per app key and per client IP; more get 429 with Retry-After. */
    perKeyPerMinute: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 6000 }),
    perIpPerMinute: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 120 }),
    /** Aggregates (error groups, vitals, failed fetches) older than this are deleted. */
    retentionDays: Type.Integer({ minimum: 1, maximum: 3650, default: 90 }),
    /** Idempotency-Key of accepted batches are remembered this long (SDK retries span seconds). */
    idempotencySec: Type.Integer({ minimum: 60, maximum: 86_400, default: 3600 }),
    /** Instrument the server's own web UI with the same script (app "communewatch-ui"): dogfooding. */
    instrumentUi: Type.Boolean({ default: true }),
    /** Commune offices' public address ranges, for payloads that do not carry the commune attribute. */
    communeNetworks: Type.Array(
      Type.Object(
        {
          commune: Type.String({ pattern: COMMUNE_PATTERN }),
          cidrs: Type.Array(Type.String({ minLength: 3, maxLength: 64 }), { minItems: 1, maxItems: 100 }),
        },
        strict,
      ),
      { maxItems: 20_000, default: [] },
    ),
  },
  { ...strict, default: {} },
);
export type RumConfig = Static<typeof RumConfigSchema>;

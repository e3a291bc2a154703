/**
 * Building blocks of the response schemas. Responses are serialised by fast-json-stringify from these
 * schemas: a property not listed is dropped (so nothing leaks into a vendor-scoped answer by accident), a
 * null where the schema has no null becomes 0 or "", and a fraction in an Integer is truncated — hence
 * `Nullable` wherever the domain type says `| null`, and Number for anything measured.
 */
import Type, { type Static, type TSchema } from 'typebox';
import { ApiError } from '../../../protocol/wire.js';

/**
 * `T | null` as `type: [T, 'null']` rather than anyOf: fast-json-stringify serialises it without trying
 * each branch, and @fastify/swagger writes it as `nullable: true` in OpenAPI 3.0. Primitive types only.
 */
export const Nullable = <T extends TSchema>(schema: T) =>
  Type.Unsafe<Static<T> | null>({ ...schema, type: [(schema as unknown as { type: string }).type, 'null'] });

/** An object that may be null (objects go through anyOf: they have properties to check). */
export const NullableObject = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** One of a fixed set of strings, typed as their union, serialised as a plain string. */
export const StringEnum = <const T extends readonly string[]>(values: T, options: { description?: string } = {}) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });

export const EpochMs = (description = 'epoch ms') => Type.Integer({ description });
export const Id = Type.Integer({ minimum: 1 });

/** Any JSON value, serialised as JSON.stringify would (payloads and audit details the server passes on). */
export const AnyJson = Type.Unknown();

/** A map from a name to a count (error dimensions, per-commune tallies). */
export const Counts = Type.Record(Type.String(), Type.Integer());

const ERROR_TEXT = {
  400: 'invalid input: the message names the parameter or field',
  401: 'no credential, or an unknown, revoked or expired one',
  403: 'the role or scope of the caller does not allow this',
  404: 'no such thing (or not visible to this caller)',
  409: 'conflicts with the current state (the message says why)',
  413: 'body too large',
  415: 'unsupported Content-Type',
  429: 'too many requests: retry after the Retry-After header',
  503: 'unavailable for now (the database does not answer, or a part the answer needs is missing): the message says which',
} as const;
type ErrorStatus = keyof typeof ERROR_TEXT;

/** The error body of every 4xx and 503 (server/errors.ts), described per status the route produces. */
export function errorResponses<S extends ErrorStatus>(...statuses: S[]): Record<S, typeof ApiError> {
  return Object.fromEntries(
    statuses.map((s) => [s, Type.Object(ApiError.properties, { description: ERROR_TEXT[s] })]),
  ) as Record<S, typeof ApiError>;
}

/** The errors of a read route behind an API key or session: bad query, no credential, wrong role. */
export const READ_ERRORS = [400, 401, 403] as const;

/**
 * A document an agent sent, described by its wire schema but passed on whole: every object in it keeps
 * properties the schema does not list (the wire is lenient to newer agents, and so is what we read back).
 */
export function passThrough<T extends TSchema>(schema: T): T {
  const open = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(open);
    if (node === null || typeof node !== 'object') return node;
    const copy: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) copy[k] = k === 'enum' || k === 'required' ? v : open(v);
    if (copy.type === 'object' && copy.additionalProperties === undefined) copy.additionalProperties = true;
    return copy;
  };
  return open(schema) as T;
}

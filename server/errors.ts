/**
 * Every error code the server answers with, in one registry (fastify's FST_ERR_* style), and the one
 * error handler: 4xx carry a clear message naming the problem; 5xx never leak internals.
 */
import type { FastifyError, FastifyInstance } from 'fastify';

export const ErrorCode = {
  AUTH_MISSING: 'CW_ERR_AUTH_MISSING',
  AUTH_INVALID: 'CW_ERR_AUTH_INVALID',
  AUTH_FORBIDDEN: 'CW_ERR_AUTH_FORBIDDEN',
  AUTH_CSRF: 'CW_ERR_AUTH_CSRF',
  LOGIN_FAILED: 'CW_ERR_LOGIN_FAILED',
  RATE_LIMITED: 'CW_ERR_RATE_LIMITED',
  USER_INVALID: 'CW_ERR_USER_INVALID',
  INCIDENT_INVALID: 'CW_ERR_INCIDENT_INVALID',
  INCIDENT_NOT_EDITABLE: 'CW_ERR_INCIDENT_NOT_EDITABLE',
  DOSSIER_ROWS: 'CW_ERR_DOSSIER_ROWS',
  DOSSIER_HEADERS: 'CW_ERR_DOSSIER_HEADERS',
  INGEST_COMMUNE_MISMATCH: 'CW_ERR_INGEST_COMMUNE_MISMATCH',
  INGEST_WIRE_VERSION: 'CW_ERR_INGEST_WIRE_VERSION',
  INGEST_DUPLICATE_RESULT: 'CW_ERR_INGEST_DUPLICATE_RESULT',
  VALIDATION: 'CW_ERR_VALIDATION',
  BAD_JSON: 'CW_ERR_BAD_JSON',
  BAD_ENCODING: 'CW_ERR_BAD_ENCODING',
  TOO_LARGE: 'CW_ERR_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'CW_ERR_UNSUPPORTED_MEDIA_TYPE',
  NOT_FOUND: 'CW_ERR_NOT_FOUND',
  NOT_READY: 'CW_ERR_NOT_READY',
  INTERNAL: 'CW_ERR_INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Maps fastify's own client errors onto our codes, keeping their (already clear) messages. */
function classify(
  err: FastifyError,
  contentType: string | undefined,
): { status: number; code: ErrorCode; message: string } {
  if (err instanceof HttpError) return { status: err.statusCode, code: err.code, message: err.message };
  if (err.validation) {
    const first = err.validation[0];
    const where = `${err.validationContext ?? 'body'}${first?.instancePath ?? ''}`;
    // ajv names one key (additionalProperty, missingProperty); typebox lists them (additionalProperties, requiredProperties).
    const params = first?.params as
      | {
          additionalProperty?: string;
          missingProperty?: string;
          additionalProperties?: string[];
          requiredProperties?: string[];
        }
      | undefined;
    const keys = [
      params?.additionalProperty ?? params?.missingProperty,
      ...(params?.additionalProperties ?? params?.requiredProperties ?? []),
    ].filter(Boolean);
    const extra = keys.length > 0 ? ` ${keys.map((k) => `"${k}"`).join(', ')}` : '';
    return { status: 400, code: ErrorCode.VALIDATION, message: `${where} ${first?.message ?? 'is invalid'}${extra}` };
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, code: ErrorCode.TOO_LARGE, message: err.message };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        status: 415,
        code: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
        message: `Content-Type "${contentType ?? ''}" is not supported; send application/json`,
      };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { status: 400, code: ErrorCode.BAD_JSON, message: err.message };
  }
  if (typeof err.code === 'string' && err.code.startsWith('Z_')) {
    return { status: 400, code: ErrorCode.BAD_ENCODING, message: `body is not valid gzip: ${err.message}` };
  }
  if (err instanceof SyntaxError)
    return { status: 400, code: ErrorCode.BAD_JSON, message: `body is not valid JSON: ${err.message}` };
  const status = err.statusCode ?? 500;
  if (status < 500) return { status, code: ErrorCode.VALIDATION, message: err.message };
  return { status, code: ErrorCode.INTERNAL, message: 'internal error; see the server log' };
}

export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const { status, code, message } = classify(err, request.headers['content-type']);
    if (status >= 500) request.log.error({ err }, 'request failed');
    else request.log.info({ code, message }, 'request rejected');
    void reply.status(status).send({ statusCode: status, code, error: STATUS_TEXT[status] ?? 'Error', message });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({
      statusCode: 404,
      code: ErrorCode.NOT_FOUND,
      error: 'Not Found',
      message: `no route ${request.method} ${request.url}`,
    });
  });
}

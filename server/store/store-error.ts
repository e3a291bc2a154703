/**
 * The one error type of the storage layer, part of the seam: every Store implementation reports opening and
 * schema problems as a StoreError with a stable `CW_ERR_STORE_*` code (e.g. CW_ERR_STORE_OPEN,
 * CW_ERR_STORE_SCHEMA_TOO_NEW), so callers and operators see the same codes whatever the database.
 */
export class StoreError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StoreError';
  }
}

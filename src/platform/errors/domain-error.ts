import { fieldErrorOf, messageOf, type ErrorEntry, type FieldError } from './error-catalogue.js';
import { PLATFORM_ERRORS } from './errors.js';

export type { ErrorEntry, FieldError } from './error-catalogue.js';

export interface DomainErrorOptions {
  /** Values for the `<name>` markers of the entry's message. */
  params?: Readonly<Record<string, string | number>>;
  /** For an entry on a field: the field it is reported on, when not the entry's own (`recovery_code` for `code`). */
  field?: string;
  /** For VALIDATION_FAILED: the fields that failed. */
  fields?: FieldError[];
  /** Seconds, for TOO_MANY_ATTEMPTS and SERVICE_UNAVAILABLE. */
  retryAfter?: number;
  cause?: unknown;
}

/**
 * A failure the domain anticipated, thrown from an entry of an error catalogue (see error-catalogue.ts); the
 * exception filter of the route family turns it into that family's body. Nothing here knows about HTTP bodies.
 */
export class DomainError extends Error {
  readonly code: string;
  readonly status: number;
  readonly fields: FieldError[];
  readonly retryAfter?: number;

  constructor(entry: ErrorEntry, options: DomainErrorOptions = {}) {
    // An entry on a field reads as every validation failure does, with the entry's message on its field.
    super(entry.field ? PLATFORM_ERRORS.VALIDATION_FAILED.message : messageOf(entry, options.params), { cause: options.cause });
    this.name = 'DomainError';
    this.code = entry.code;
    this.status = entry.status;
    this.fields = entry.field ? [fieldErrorOf(entry, options.field, options.params)] : (options.fields ?? []);
    this.retryAfter = options.retryAfter;
  }

  /** Whether this is the error of `entry`. */
  is(entry: ErrorEntry): boolean {
    return this.code === entry.code;
  }

  /** A validation failure on a single field, whose message is made from the field's name or limits. */
  static invalid(field: string, message: string, rule: string): DomainError {
    return new DomainError(PLATFORM_ERRORS.VALIDATION_FAILED, { fields: [{ field, message, rule }] });
  }
}

import { HttpException } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { DomainError } from './domain-error.js';
import { fieldErrorOf, type ErrorEntry, type FieldError } from './error-catalogue.js';
import { PLATFORM_ERRORS } from './errors.js';

/** A transport-neutral description of a failed request, which each route family renders in its own shape. */
export interface ErrorReport {
  status: number;
  message: string;
  fields: FieldError[];
  retryAfter?: number;
  /** True when the cause was not anticipated (logged with its stack; the body says nothing internal). */
  unexpected: boolean;
}

const {
  BAD_REQUEST,
  FORBIDDEN,
  INTERNAL,
  MALFORMED_JSON,
  METHOD_NOT_ALLOWED,
  NOT_FOUND,
  PAYLOAD_TOO_LARGE,
  REQUEST_FAILED,
  SERVICE_UNAVAILABLE,
  TOO_MANY_ATTEMPTS,
  UNAUTHENTICATED,
  UNSUPPORTED_MEDIA_TYPE,
  VALIDATION_FAILED,
  VALUE_MALFORMED,
} = PLATFORM_ERRORS;

/** The entry a failure that brings only its status (Nest's own exceptions, the body parser's) is answered with. */
const ENTRY_OF_STATUS = new Map<number, ErrorEntry>(
  [
    BAD_REQUEST,
    UNAUTHENTICATED,
    FORBIDDEN,
    NOT_FOUND,
    METHOD_NOT_ALLOWED,
    PAYLOAD_TOO_LARGE,
    UNSUPPORTED_MEDIA_TYPE,
    VALIDATION_FAILED,
    TOO_MANY_ATTEMPTS,
    INTERNAL,
    SERVICE_UNAVAILABLE,
  ].map((entry) => [entry.status, entry]),
);

/** Errors raised by Express's body parser carry `type` and `status`. */
interface BodyParserError {
  type: string;
  status?: number;
  statusCode?: number;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  return typeof error === 'object' && error !== null && typeof (error as BodyParserError).type === 'string' &&
    typeof ((error as BodyParserError).status ?? (error as BodyParserError).statusCode) === 'number';
}

function report(status: number, message?: string, fields: FieldError[] = [], retryAfter?: number): ErrorReport {
  return { status, message: message ?? (ENTRY_OF_STATUS.get(status) ?? REQUEST_FAILED).message, fields, retryAfter, unexpected: false };
}

/** PostgreSQL errors a client can provoke (a race on a unique value, a dangling reference, a value out of range). */
function fromDatabase(error: QueryFailedError): ErrorReport | undefined {
  const driverError = error.driverError as { code?: string; constraint?: string } | undefined;
  const code = driverError?.code;
  const constraint = driverError?.constraint ?? '';
  if (code === '23505') {
    const field = /_(username|email|identifier|slug)_unique$/.exec(constraint)?.[1] ?? 'id';
    return report(422, undefined, [{ field, message: `The ${field} has already been taken.`, rule: 'unique' }]);
  }
  if (code === '23503') {
    const field = /_(\w+?_id)_fkey$/.exec(constraint)?.[1] ?? 'id';
    return report(422, undefined, [{ field, message: `The selected ${field} is invalid.`, rule: 'exists' }]);
  }
  if (code === '22001' || code === '22003' || code === '22007' || code === '22008' || code === '22P02') {
    return report(422, undefined, [fieldErrorOf(VALUE_MALFORMED)]);
  }
  if (code === '57014' || code === '57P01' || code === '53300') {
    return { ...report(503), retryAfter: 5 };
  }
  return undefined;
}

function isConnectionFailure(error: unknown): boolean {
  const message = error instanceof Error ? error.message : '';
  const code = (error as { code?: string } | null)?.code;
  return (
    code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === '57P03' ||
    /Connection terminated|connection timeout|timeout exceeded when trying to connect/i.test(message)
  );
}

export function toErrorReport(error: unknown): ErrorReport {
  if (error instanceof DomainError) {
    return { ...report(error.status, error.message, error.fields, error.retryAfter) };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    // Nest's own exceptions (unknown route, body too large) keep the status but use the catalogue's wording.
    return report(status);
  }
  if (isBodyParserError(error)) {
    const status = error.status ?? error.statusCode ?? 400;
    if (error.type === 'entity.parse.failed') return report(MALFORMED_JSON.status, MALFORMED_JSON.message);
    if (error.type === 'entity.too.large') return report(413);
    if (error.type === 'encoding.unsupported' || error.type === 'charset.unsupported') return report(415);
    return report(status < 500 ? status : 400);
  }
  if (error instanceof QueryFailedError) {
    const mapped = fromDatabase(error);
    if (mapped) return mapped;
  }
  if (isConnectionFailure(error)) {
    return { ...report(503), retryAfter: 5, unexpected: false };
  }
  return { ...report(500), unexpected: true };
}

import type { LoggerService } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import pino, { type Logger } from 'pino';

/** Never written to a log: credentials, tokens, codes, key secrets (docs/security.md#what-is-logged). */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.password_confirmation',
  '*.current_password',
  '*.token',
  '*.refresh_token',
  '*.challenge_token',
  // Two-factor codes by their request field names; not every `code`: error codes (`err.code`, a mail failure's
  // `code`) are what an operator reads.
  '*.body.code',
  '*.two_factor_code',
  '*.recovery_code',
  '*.secret',
  '*.secret_token',
];

/** A database error as the driver reports it: the SQL text and its parameters ride along on TypeORM's errors. */
interface DatabaseFailure {
  name?: string;
  code?: unknown;
  constraint?: unknown;
  driverError?: { code?: unknown; constraint?: unknown };
  parameters?: unknown;
  query?: unknown;
}

function isDatabaseFailure(error: unknown): error is DatabaseFailure {
  return (
    typeof error === 'object' && error !== null &&
    ('driverError' in error || 'parameters' in error || ('severity' in error && 'routine' in error))
  );
}

/**
 * `err` in every log line: a database error by its SQLSTATE code and constraint only (its query, parameters and
 * detail can carry an argon2 hash, an email or a token); anything else as pino serialises errors.
 */
export function serializeError(error: unknown): unknown {
  if (!isDatabaseFailure(error)) return pino.stdSerializers.err(error as Error);
  const driver = error.driverError ?? error;
  return {
    type: error.name ?? 'DatabaseError',
    code: typeof driver.code === 'string' ? driver.code : undefined,
    constraint: typeof driver.constraint === 'string' ? driver.constraint : undefined,
  };
}

export function createRootLogger(level: string): Logger {
  return pino(
    {
      level,
      base: { service: 'tessera' },
      serializers: { err: serializeError },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    // Asynchronous stdout written in batches: lines gather up to 4 KB (one write per ~15 request lines instead of
    // one each, measured by `npm run bench`) and a quiet moment flushes them within LOG_FLUSH_MS. pino flushes
    // synchronously on exit.
    pino.destination({ dest: 1, sync: false, minLength: LOG_BATCH_BYTES, periodicFlush: LOG_FLUSH_MS }),
  );
}

const LOG_BATCH_BYTES = 4096;
const LOG_FLUSH_MS = 250;
const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;
const SECRET_QUERY_PARAMETERS = /([?&](token|email|code)=)[^&]*/gi;

/** Starts the access-log line of one request; the line is written when the response closes. */
export type AccessLog = (req: IncomingMessage & { originalUrl?: string }, res: ServerResponse) => void;

/**
 * One JSON line per request (`req.id`, method, URL with secrets redacted, status, response time), with a request
 * id taken from `X-Request-Id` (when sane) and echoed back. A single pino call per request: pino-http, used before,
 * built a child logger per request whose bindings it serialised, which the benchmark's profile showed on every
 * request.
 */
export function createAccessLog(logger: Logger): AccessLog {
  // The line is built from the fields above only (the URL's secret parameters already masked), so it skips pino's
  // redaction, which re-parses every redacted path on each line: about 27 µs a line here against 4 µs without.
  const access = logger.child({}, { redact: { paths: [] } });
  return (req, res) => {
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', id);
    const started = Date.now();
    // 'close' follows 'finish' for a completed response and comes alone when the client went away first.
    res.once('close', () => {
      const url = req.originalUrl ?? req.url ?? '';
      const line = {
        req: { id, method: req.method, url: url.includes('?') ? url.replace(SECRET_QUERY_PARAMETERS, '$1[redacted]') : url },
        res: { statusCode: res.headersSent ? res.statusCode : null },
        responseTime: Date.now() - started,
      };
      if (res.statusCode >= 500) access.error(line, res.writableFinished ? 'request errored' : 'request aborted');
      else access.info(line, res.writableFinished ? 'request completed' : 'request aborted');
    });
  };
}

/**
 * Nest's start-up narration (every module initialised, every controller and route mapped: about a hundred lines)
 * is for debugging; at `info` the start-up says what a person needs (main.ts's ready line).
 */
const START_UP_CHATTER = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication']);

/**
 * Nest's logger interface over pino, so framework and application logs share one stream.
 * Nest calls `method(message, ...extra, context)`: the last argument is the context, a string before it the
 * message (or, for errors, the stack).
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    const context = params[params.length - 1];
    this.write(typeof context === 'string' && START_UP_CHATTER.has(context) ? 'debug' : 'info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal', message: unknown, params: unknown[]): void {
    const context = params.length > 0 && typeof params[params.length - 1] === 'string' ? (params.pop() as string) : undefined;
    const text = params.find((param): param is string => typeof param === 'string');
    if (message instanceof Error) {
      this.logger[level]({ context, err: message }, text ?? message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.logger[level]({ context, ...(message as object) }, text);
    } else if (level === 'error' && text) {
      this.logger[level]({ context, stack: text }, String(message));
    } else {
      this.logger[level]({ context }, String(message));
    }
  }
}

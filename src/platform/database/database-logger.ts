import { Logger as NestLogger } from '@nestjs/common';
import type { Logger as TypeOrmLogger } from 'typeorm';
import { serializeError } from '../logging/logger.js';

/**
 * TypeORM's logger over the app's pino stream. Statements (DB_LOG_QUERIES) are logged with their parameters
 * replaced by a count: a parameter can be an argon2 hash, a token digest or an email. Errors by code and constraint
 * only (serializeError).
 */
export class DatabaseLogger implements TypeOrmLogger {
  private readonly logger = new NestLogger('Database');

  constructor(private readonly logQueries: boolean) {}

  logQuery(query: string, parameters?: unknown[]): void {
    if (this.logQueries) this.logger.debug({ query, parameters: redactedParameters(parameters) }, 'query');
  }

  logQueryError(error: string | Error, query: string, parameters?: unknown[]): void {
    if (!this.logQueries) return;
    this.logger.warn({ err: serializeError(error), query, parameters: redactedParameters(parameters) }, 'query failed');
  }

  logQuerySlow(time: number, query: string, parameters?: unknown[]): void {
    this.logger.warn({ time, query, parameters: redactedParameters(parameters) }, 'slow query');
  }

  logSchemaBuild(message: string): void {
    if (this.logQueries) this.logger.debug(message);
  }

  logMigration(message: string): void {
    this.logger.log(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
    else if (this.logQueries) this.logger.debug(String(message));
  }
}

function redactedParameters(parameters: unknown[] | undefined): string | undefined {
  return parameters && parameters.length > 0 ? `[${parameters.length} redacted]` : undefined;
}

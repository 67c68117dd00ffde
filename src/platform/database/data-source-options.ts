import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../../migrations/index.js';
import { DatabaseLogger } from './database-logger.js';
import { SnakeNamingStrategy } from './snake-naming.strategy.js';

export interface DatabaseSettings {
  url: string;
  statementTimeoutMs?: number;
  connectionTimeoutMs?: number;
  poolSize?: number;
  logging?: boolean;
  /** The entity classes, for a data source outside Nest (the TypeORM CLI); the app's modules register their own. */
  entities?: DataSourceOptions['entities'];
}

/**
 * The one description of how Tessera talks to PostgreSQL, shared by the app, the TypeORM CLI (ormconfig.ts)
 * and the test harness. Migrations are the schema's source of truth: synchronize stays off.
 */
export function dataSourceOptions(settings: DatabaseSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url: settings.url,
    entities: settings.entities ?? [],
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    migrationsRun: false,
    // Every statement and error goes to DatabaseLogger, which logs statements only under DB_LOG_QUERIES and never
    // their parameters.
    logging: true,
    logger: new DatabaseLogger(settings.logging ?? false),
    extra: {
      max: settings.poolSize ?? 10,
      connectionTimeoutMillis: settings.connectionTimeoutMs ?? 5000,
      statement_timeout: settings.statementTimeoutMs ?? 10000,
      application_name: 'tessera',
    },
  };
}

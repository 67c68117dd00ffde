import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { dataSourceOptions } from './data-source-options.js';

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        ...dataSourceOptions({
          url: config.databaseUrl!,
          statementTimeoutMs: config.database.statementTimeoutMs,
          connectionTimeoutMs: config.database.connectionTimeoutMs,
          poolSize: config.database.poolSize,
          logging: process.env.DB_LOG_QUERIES === 'true',
        }),
        // Migrations are applied at start-up, inside one transaction.
        migrationsRun: true,
        migrationsTransactionMode: 'all' as const,
        retryAttempts: 3,
        retryDelay: 1000,
      }),
    }),
  ],
})
export class DatabaseModule {}

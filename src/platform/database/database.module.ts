import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { dataSourceOptions } from './data-source-options.js';
import { runMigrationsWithLock } from './migrate-with-lock.js';

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
          logging: config.database.logQueries,
        }),
        // Each capability's module registers its own entities (TypeOrmModule.forFeature): no central list.
        autoLoadEntities: true,
        retryAttempts: 3,
        retryDelay: 1000,
      }),
      // Migrations are applied at start-up, in one transaction, under an advisory lock: replicas may start at once.
      dataSourceFactory: async (options?: DataSourceOptions) => {
        const dataSource = await new DataSource(options!).initialize();
        try {
          await runMigrationsWithLock(dataSource);
        } catch (error) {
          await dataSource.destroy();
          throw error;
        }
        return dataSource;
      },
    }),
  ],
})
export class DatabaseModule {}

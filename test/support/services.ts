import type { INestApplicationContext, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app/app.module.js';
import { loadConfig, type AppConfig } from '../../src/platform/config/app-config.js';
import { workerDatabaseUrl } from './app.js';

/** The medium tier: the app's services on this worker's migrated database, without HTTP. */
export interface TestServices {
  config: AppConfig;
  db: DataSource;
  /** A provider of the app, as Nest resolves it. */
  get<T>(type: Type<T>): T;
  close: () => Promise<void>;
}

/** Boots the application context (modules, providers, lifecycle hooks) with no HTTP server. */
export async function bootServices(env: Record<string, string> = {}): Promise<TestServices> {
  const config = loadConfig({ ...process.env, DATABASE_URL: workerDatabaseUrl(), ...env });
  const context: INestApplicationContext = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: false });
  return {
    config,
    db: context.get(DataSource),
    get: <T>(type: Type<T>) => context.get(type, { strict: false }),
    close: () => context.close(),
  };
}

/** The user with its credential version, as a sign-in reads it with the proof (it is not selected by default). */
export async function asProven<T extends { id: number }>(s: TestServices, user: T): Promise<T & { credentialVersion: number }> {
  const [{ credential_version: credentialVersion }] = await s.db.query(`SELECT credential_version FROM users WHERE id = $1`, [user.id]);
  return { ...user, credentialVersion: credentialVersion as number };
}

import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app.factory.js';
import { loadConfig, type AppConfig } from '../../src/config/app-config.js';

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  db: DataSource;
  http: () => ReturnType<typeof request>;
  close: () => Promise<void>;
}

function workerDatabaseUrl(): string {
  const server = process.env.TEST_DATABASE_SERVER_URL;
  const prefix = process.env.TEST_DATABASE_PREFIX;
  if (!server || !prefix) throw new Error('e2e tests need the jest global setup (run them through `npm test`)');
  const url = new URL(server);
  url.pathname = `/${prefix}_w${process.env.JEST_WORKER_ID ?? '1'}`;
  return url.toString();
}

/** Boots the real application on this worker's migrated database. `env` overrides configuration for this app. */
export async function bootTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const config = loadConfig({ ...process.env, DATABASE_URL: workerDatabaseUrl(), ...env });
  const app = await createApp(config);
  const server = app.getHttpServer();
  return {
    app,
    config,
    db: app.get(DataSource),
    http: () => request(server),
    close: () => app.close(),
  };
}

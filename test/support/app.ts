import type { NestExpressApplication } from '@nestjs/platform-express';
import { appendFileSync } from 'node:fs';
import request, { type Response, type Test } from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app/app.factory.js';
import { loadConfig, type AppConfig } from '../../src/platform/config/app-config.js';
import { buildOpenApiDocument } from '../../src/app/openapi-document.js';
import { createOpenApiValidator, type OpenApiValidator } from './openapi-validator.js';
import { createPrismContract, type PrismContract } from './prism-contract.js';
import { startSmtpSink, type SmtpSink } from './smtp-sink.js';

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  db: DataSource;
  /** supertest's agent; every response is checked against the app's OpenAPI document (see openapi-validator.ts). */
  http: () => ReturnType<typeof request>;
  openapi: OpenApiValidator;
  /** Prism's validator (see prism-contract.ts), run on every exchange after `openapi`'s check. */
  contract: PrismContract;
  close: () => Promise<void>;
}

export function workerDatabaseUrl(): string {
  const server = process.env.TEST_DATABASE_SERVER_URL;
  const prefix = process.env.TEST_DATABASE_PREFIX;
  if (!server || !prefix) throw new Error('e2e tests need the jest global setup (run them through `npm test`)');
  const url = new URL(server);
  url.pathname = `/${prefix}_w${process.env.JEST_WORKER_ID ?? '1'}`;
  return url.toString();
}

interface DocumentChecks {
  validator: OpenApiValidator;
  contract: PrismContract;
}

/** One pair of checkers per document text: every app of a test file serves the same document, compiled once. */
const checkers = new Map<string, DocumentChecks>();

async function checksOf(app: NestExpressApplication, config: AppConfig): Promise<DocumentChecks> {
  const text = JSON.stringify(buildOpenApiDocument(app, config));
  let checks = checkers.get(text);
  if (!checks) {
    checks = { validator: createOpenApiValidator(JSON.parse(text)), contract: await createPrismContract(JSON.parse(text)) };
    checkers.set(text, checks);
  }
  return checks;
}

type Assert = (resError: Error | null, res: Response | undefined, fn?: (error: Error | null, res?: Response) => void) => void;

/**
 * Checks the response against the app's OpenAPI document once the test's own expectations passed (so a wrong
 * status reads as the test wrote it); a contradiction fails the request like a failed `.expect()`.
 */
function validated(test: Test, { validator, contract }: DocumentChecks): Test {
  const inner = test as unknown as {
    assert: Assert;
    method: string;
    url: string;
    _data?: unknown;
    _formData?: unknown;
    _header: Record<string, string>;
  };
  const assert = inner.assert;
  inner.assert = function (this: Test, resError, res, fn) {
    assert.call(this, resError, res, (error, response) => {
      let failure = error;
      if (!failure && response) {
        try {
          validator.check({
            method: inner.method,
            path: new URL(inner.url).pathname,
            status: response.status,
            contentType: response.type,
            text: response.text,
            body: response.body,
          });
          const url = new URL(inner.url);
          contract.check({
            method: inner.method,
            path: `${url.pathname}${url.search}`,
            requestHeaders: inner._formData ? { ...inner._header, 'content-type': 'multipart/form-data' } : inner._header,
            requestBody: inner._formData ? undefined : inner._data,
            status: response.status,
            headers: response.headers as Record<string, string>,
            body: response.text ? (/json/.test(response.type) ? (response.body as unknown) : response.text) : undefined,
          });
        } catch (mismatch) {
          failure = mismatch as Error;
        }
      }
      fn?.call(this, failure, response);
    });
  };
  return test;
}

const HTTP_VERBS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options']);

/** supertest's agent, whose every request is checked against the document. */
function validatingAgent(server: Parameters<typeof request>[0], checks: DocumentChecks): ReturnType<typeof request> {
  return new Proxy(request(server), {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof property !== 'string' || !HTTP_VERBS.has(property) || typeof value !== 'function') return value;
      return (...args: unknown[]) => validated(value.apply(target, args) as Test, checks);
    },
  });
}

/**
 * With OPENAPI_VALIDATION_STATS=<file>, each closed app appends how many responses were checked and skipped; with
 * OPENAPI_CONTRACT_STATS=<file>, Prism's counts (scripts/contract-report.mjs sums them).
 */
function recordCounts({ validator, contract }: DocumentChecks): void {
  const testPath = expect.getState().testPath;
  const validationStats = process.env.OPENAPI_VALIDATION_STATS;
  if (validationStats) {
    appendFileSync(validationStats, `${JSON.stringify({ test: testPath, ...validator.counts })}\n`);
    validator.counts.checked = 0;
    validator.counts.skipped = 0;
  }
  const contractStats = process.env.OPENAPI_CONTRACT_STATS;
  if (contractStats && contract.counts.exchanges > 0) {
    appendFileSync(contractStats, `${JSON.stringify({ test: testPath, ...contract.counts })}\n`);
    contract.reset();
  }
}

/** Boots the real application on this worker's migrated database. `env` overrides configuration for this app. */
export async function bootTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const config = loadConfig({ ...process.env, DATABASE_URL: workerDatabaseUrl(), ...env });
  const app = await createApp(config);
  const server = app.getHttpServer();
  const checks = await checksOf(app, config);
  return {
    app,
    config,
    db: app.get(DataSource),
    http: () => validatingAgent(server, checks),
    openapi: checks.validator,
    contract: checks.contract,
    close: async () => {
      recordCounts(checks);
      await app.close();
    },
  };
}

export interface MailingTestApp extends TestApp {
  /** The SMTP server the app's mail goes to (SMTP_URL), with every message it received. */
  mail: SmtpSink;
}

/** bootTestApp with mail going over real SMTP to a local sink; close() stops both. */
export async function bootMailingTestApp(env: Record<string, string> = {}): Promise<MailingTestApp> {
  const mail = await startSmtpSink();
  const t = await bootTestApp({ SMTP_URL: mail.url, ...env });
  return {
    ...t,
    mail,
    close: async () => {
      await t.close();
      await mail.close();
    },
  };
}

/** bootTestApp with SMTP_URL on a port that refuses connections: the mail server is down. */
export async function bootTestAppWithMailDown(env: Record<string, string> = {}): Promise<TestApp> {
  const sink = await startSmtpSink();
  await sink.close();
  return bootTestApp({ SMTP_URL: sink.url, ...env });
}

import type { OpenAPIObject } from '@nestjs/swagger';
import prismHttp from '@stoplight/prism-http';
import routeModule from '@stoplight/prism-http/dist/router/index.js';
import prismValidator from '@stoplight/prism-http/dist/validator/index.js';
import { Ajv } from 'ajv';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import addFormatsPlugin from 'ajv-formats';

/**
 * Contract testing by a validator Tessera did not write: Stoplight Prism's HTTP validator (@stoplight/prism-http, the
 * code behind `prism proxy`), run in process on every exchange the e2e suite makes through bootTestApp().http() and
 * the journey client. It routes the request as the proxy does, then validates the request (parameters, body,
 * security) and the response (status, media type, headers, body) against the app's document.
 *
 * A response violation fails the request, as a failed `.expect()` does. Request violations are counted by kind and
 * never fail: the suite sends malformed, unauthenticated and undocumented requests on purpose to test the refusals.
 * With OPENAPI_CONTRACT_STATS=<file>, each closed app appends its counts (scripts/contract-report.mjs sums them);
 * with OPENAPI_CONTRACT_MODE=record, response violations are counted instead of thrown (for before/after figures).
 */
export interface Exchange {
  method: string;
  /** Path, with or without a query string. */
  path: string;
  /** Request headers as sent (lower- or mixed-case names). */
  requestHeaders: Record<string, string>;
  /** The request body: parsed JSON, or undefined for none; multipart and other bodies are `{ multipart: true }`. */
  requestBody: unknown;
  status: number;
  /** Response headers, lower-case names. */
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body, or the raw text for other media types, or undefined for none. */
  body: unknown;
}

export interface ContractCounts {
  exchanges: number;
  /** Requests whose method and path are not in the document (unknown routes, /storage files): not judged. */
  unrouted: number;
  responsesChecked: number;
  requestViolations: Record<string, number>;
  responseViolations: Record<string, number>;
}

export interface PrismContract {
  /** Throws an Error naming each response violation (unless OPENAPI_CONTRACT_MODE=record). */
  check(exchange: Exchange): void;
  readonly counts: ContractCounts;
  reset(): void;
}

/** Prism's diagnostic severities: Error and Warning are violations, Information and Hint are not. */
const VIOLATION_SEVERITIES = new Set([0, 1]);

interface Diagnostic {
  path?: (string | number)[];
  code?: string | number;
  message: string;
  severity: number;
}

type Either<L, R> = { _tag: 'Left'; left: L } | { _tag: 'Right'; right: R };

interface PrismOperation {
  path: string;
  method: string;
  security?: unknown;
}

const route = ((routeModule as { default?: unknown }).default ?? routeModule) as (args: {
  resources: PrismOperation[];
  input: unknown;
}) => Either<Error, PrismOperation>;
const { validateInput, validateOutput, validateSecurity } = prismValidator as unknown as Record<
  'validateInput' | 'validateOutput' | 'validateSecurity',
  (args: { resource: unknown; element: unknown }) => Either<Diagnostic[], unknown>
>;

/** `body.data.items.[].id`-style location: array indices folded, so one fault counts as one kind. */
function where(diagnostic: Diagnostic): string {
  return (diagnostic.path ?? []).map((part) => (typeof part === 'number' || /^\d+$/.test(String(part)) ? '[]' : String(part))).join('.');
}

function violationsOf(result: Either<Diagnostic[], unknown>): Diagnostic[] {
  return result._tag === 'Left' ? result.left.filter((diagnostic) => VIOLATION_SEVERITIES.has(diagnostic.severity)) : [];
}

function queryOf(path: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(path.split('?')[1] ?? '')) {
    const previous = query[name];
    query[name] = previous === undefined ? value : Array.isArray(previous) ? [...previous, value] : [previous, value];
  }
  return query;
}

function flatHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers)
      .filter(([, value]) => value !== undefined)
      .map(([name, value]) => [name.toLowerCase(), Array.isArray(value) ? value.join(', ') : String(value)]),
  );
}

const increment = (tally: Record<string, number>, kind: string): void => {
  tally[kind] = (tally[kind] ?? 0) + 1;
};

const emptyCounts = (): ContractCounts => ({ exchanges: 0, unrouted: 0, responsesChecked: 0, requestViolations: {}, responseViolations: {} });

interface WithSchema {
  name?: string;
  schema?: object;
  contents?: WithSchema[];
}

/** Every schema Prism validates for an operation: request parameters and bodies, response headers and bodies. */
function schemasOf(operation: PrismOperation): { where: string; schema: object }[] {
  const found: { where: string; schema: object }[] = [];
  const add = (where: string, items: WithSchema[] | undefined): void => {
    for (const item of items ?? []) {
      if (item.schema) found.push({ where: `${where} ${item.name ?? ''}`.trim(), schema: item.schema });
      add(`${where} ${item.name ?? ''}`.trim(), item.contents);
    }
  };
  const { request, responses } = operation as unknown as {
    request?: { body?: WithSchema; query?: WithSchema[]; path?: WithSchema[]; headers?: WithSchema[] };
    responses: ({ code: string; headers?: WithSchema[] } & WithSchema)[];
  };
  add('request body', request?.body?.contents);
  add('query', request?.query);
  add('path', request?.path);
  add('request header', request?.headers);
  for (const response of responses) {
    add(`${response.code} body`, response.contents);
    add(`${response.code} header`, response.headers);
  }
  return found;
}

/**
 * Prism compiles each schema when it first validates against it and, when compiling fails, silently validates
 * nothing (its validator wraps the compile in a tryCatch). Checking them all here against ajv's meta-schema (the
 * check that fails a compile, e.g. a duplicate enum item), with each operation's bundle of referenced schemas, turns
 * such a schema into a failure that names it instead of a check that always passes.
 */
function assertPrismCompiles(operations: PrismOperation[]): void {
  const ajv = new Ajv({ allowUnionTypes: true, allowMatchingProperties: true, strict: false, logger: false });
  addFormatsPlugin.default(ajv);
  const failures: string[] = [];
  const seen = new Set<string>();
  const check = (where: string, schema: unknown): void => {
    const text = JSON.stringify(schema);
    if (seen.has(text)) return;
    seen.add(text);
    if (!ajv.validateSchema(schema as object)) failures.push(`${where}: ${ajv.errorsText(ajv.errors)}`);
  };
  for (const operation of operations) {
    const name = `${operation.method.toUpperCase()} ${operation.path}`;
    for (const { where, schema } of schemasOf(operation)) check(`${name} ${where}`, schema);
  }
  if (failures.length > 0) throw new Error(`Prism cannot compile these schemas, so it would not check them:\n  ${failures.join('\n  ')}`);
}

/**
 * Prism's operations for the document (dereferenced and translated by Prism, then checked to compile). Building
 * them takes seconds, and every e2e file boots the same document: they are kept in the temporary directory under
 * the document's hash, so each run builds them once.
 */
async function prismOperationsOf(document: OpenAPIObject): Promise<PrismOperation[]> {
  const text = JSON.stringify(document);
  const file = path.join(tmpdir(), `tessera-prism-operations-${createHash('sha256').update(text).digest('hex').slice(0, 32)}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as PrismOperation[];
  // Prism dereferences in place: it gets its own copy.
  const operations = (await prismHttp.getHttpOperationsFromSpec(JSON.parse(text) as never)) as unknown as PrismOperation[];
  assertPrismCompiles(operations);
  const partial = `${file}.${process.pid}`;
  writeFileSync(partial, JSON.stringify(operations));
  renameSync(partial, file);
  return operations;
}

const URI_MALFORMED = Symbol('URI malformed');

/** `work`'s result, or URI_MALFORMED when Prism could not percent-decode the request's path (a URIError). */
function undecodable<T>(work: () => T): T | typeof URI_MALFORMED {
  try {
    return work();
  } catch (error) {
    if (error instanceof URIError) return URI_MALFORMED;
    throw error;
  }
}

/** Prism's contract check for the document; call once per document. */
export async function createPrismContract(document: OpenAPIObject): Promise<PrismContract> {
  const operations = await prismOperationsOf(document);
  const recordOnly = process.env.OPENAPI_CONTRACT_MODE === 'record';
  const counts = emptyCounts();

  function check(exchange: Exchange): void {
    counts.exchanges += 1;
    const [pathname] = exchange.path.split('?');
    const requestHeaders = flatHeaders(exchange.requestHeaders);
    const multipart = (requestHeaders['content-type'] ?? '').startsWith('multipart/');
    const bodyText = exchange.requestBody === undefined || multipart ? '' : JSON.stringify(exchange.requestBody);
    if (bodyText !== '') requestHeaders['content-length'] = String(Buffer.byteLength(bodyText));
    else delete requestHeaders['content-length'];
    const request = {
      method: exchange.method.toLowerCase(),
      url: { path: pathname, query: queryOf(exchange.path) },
      headers: requestHeaders,
      body: bodyText === '' ? undefined : exchange.requestBody,
    };
    const routed = undecodable(() => route({ resources: operations, input: request }));
    if (routed === URI_MALFORMED) {
      // A path that is not valid percent-encoding (the fuzz suite's bare `%`, overlong or invalid UTF-8) cannot be
      // routed by Prism; the app's answer to it is still held to the document by the project's own validator.
      increment(counts.requestViolations, `${exchange.method.toUpperCase()} ${pathname}: path not percent-decodable`);
      counts.unrouted += 1;
      return;
    }
    if (routed._tag === 'Left') {
      counts.unrouted += 1;
      return;
    }
    const operation = routed.right;
    const name = `${operation.method.toUpperCase()} ${operation.path}`;

    // A multipart body is not replayed here (supertest builds it while sending): its parameters and security still are.
    const inputViolations = undecodable(() => [
      ...violationsOf(validateInput({ resource: multipart ? { ...operation, request: { ...(operation as { request?: object }).request, body: undefined } } : operation, element: request })),
      ...violationsOf(validateSecurity({ resource: operation, element: request })),
    ]);
    if (inputViolations === URI_MALFORMED) increment(counts.requestViolations, `${name}: path parameter not percent-decodable`);
    else for (const diagnostic of inputViolations) increment(counts.requestViolations, `${name}: ${where(diagnostic) || 'request'} ${diagnostic.code ?? ''}`.trim());

    const response = { statusCode: exchange.status, headers: flatHeaders(exchange.headers), body: exchange.body };
    const outputViolations = violationsOf(validateOutput({ resource: operation, element: response }));
    counts.responsesChecked += 1;
    if (outputViolations.length === 0) return;
    for (const diagnostic of outputViolations) {
      increment(counts.responseViolations, `${name} ${exchange.status}: ${where(diagnostic) || 'response'} ${diagnostic.code ?? ''}`.trim());
    }
    if (recordOnly) return;
    const problems = outputViolations.map((diagnostic) => `${where(diagnostic) || 'response'}: ${diagnostic.message}`).join('\n  ');
    const text = typeof exchange.body === 'string' ? exchange.body : JSON.stringify(exchange.body);
    throw new Error(
      `Prism: ${name} answered ${exchange.status}, which contradicts the document:\n  ${problems}\nresponse body: ${(text ?? '(empty)').slice(0, 1500)}`,
    );
  }

  return {
    check,
    counts,
    reset() {
      Object.assign(counts, emptyCounts());
    },
  };
}

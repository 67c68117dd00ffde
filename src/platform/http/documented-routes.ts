import type { OpenAPIObject, OperationObject, PathItemObject } from '@nestjs/swagger';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { DomainError } from '../errors/domain-error.js';
import { PLATFORM_ERRORS } from '../errors/errors.js';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

interface DocumentedRoute {
  pattern: RegExp;
  /** Literal paths win over templated ones (`/api/me/sessions` before `/api/{x}/sessions`). */
  templated: number;
  /** Upper-case method → the media types its body may have (empty: the operation takes no body), its query names. */
  operations: Map<string, { mediaTypes: string[]; query: Set<string> }>;
}

function routesOf(document: OpenAPIObject): DocumentedRoute[] {
  return (Object.entries(document.paths) as [string, PathItemObject][])
    .map(([template, item]) => {
      const operations = new Map<string, { mediaTypes: string[]; query: Set<string> }>();
      for (const method of METHODS) {
        const operation = item[method] as OperationObject | undefined;
        if (!operation) continue;
        const content = (operation.requestBody as { content?: Record<string, unknown> } | undefined)?.content;
        const query = ((operation.parameters ?? []) as { in?: string; name?: string }[])
          .filter((parameter) => parameter.in === 'query')
          .map((parameter) => parameter.name!);
        operations.set(method.toUpperCase(), { mediaTypes: Object.keys(content ?? {}), query: new Set(query) });
      }
      const source = template
        .split('/')
        .map((segment) => (/^\{[^}]+\}$/.test(segment) ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
        .join('/');
      // Express routes are case-insensitive and take one trailing slash.
      return { pattern: new RegExp(`^${source}/?$`, 'i'), templated: (template.match(/\{/g) ?? []).length, operations };
    })
    .sort((a, b) => a.templated - b.templated);
}

function allowedMethods(route: DocumentedRoute): string {
  const methods = [...route.operations.keys()];
  if (route.operations.has('GET')) methods.push('HEAD');
  return methods.join(', ');
}

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

/** `type/subtype` in lower case and the charset parameter, if any. */
function parseContentType(header: string | undefined): { type: string; charset?: string } | undefined {
  if (!header) return undefined;
  const [type, ...parameters] = header.split(';');
  let charset: string | undefined;
  for (const parameter of parameters) {
    const [name, value] = parameter.split('=');
    if (name?.trim().toLowerCase() === 'charset') charset = (value ?? '').trim().replace(/^"|"$/g, '').toLowerCase();
  }
  return { type: type.trim().toLowerCase(), charset };
}

function unsupportedMediaType(mediaTypes: string[]): DomainError {
  return new DomainError(PLATFORM_ERRORS.MEDIA_TYPE_NOT_DOCUMENTED, { params: { mediaTypes: mediaTypes.join(' or ') } });
}

function decodablePath(path: string): boolean {
  if (!path.includes('%')) return true;
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

/** Paths the app serves besides its documented operations: Swagger UI and the document itself. */
const UNDOCUMENTED = /^\/docs(-json)?(\/|$)/;

/**
 * What the OpenAPI document says about a request before any route runs (docs/errors.md#input-checks): a path it does not know is a
 * 404 and a method it does not list a 405 with `Allow`, in or outside /api; a body in another media type than the
 * operation's, or in a charset other than UTF-8, is a 415. All in the family's error shape.
 */
export function documentedRoutes(documentOf: () => OpenAPIObject): RequestHandler {
  let routes: DocumentedRoute[] | undefined;
  return (req: Request, res: Response, next: NextFunction) => {
    if (UNDOCUMENTED.test(req.path)) return next();
    routes ??= routesOf(documentOf());
    const path = req.path;
    // A path that is not valid percent-encoded UTF-8 names nothing (Express would answer a bare 400 for its params).
    if (!decodablePath(path)) return next(new DomainError(PLATFORM_ERRORS.NOT_FOUND));
    const candidates = routes.filter((route) => route.pattern.test(path));
    if (candidates.length === 0) return next(new DomainError(PLATFORM_ERRORS.NOT_FOUND));
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    const route = candidates.find((candidate) => candidate.operations.has(method));
    if (!route) {
      res.setHeader('Allow', allowedMethods(candidates[0]));
      return next(new DomainError(PLATFORM_ERRORS.METHOD_NOT_ALLOWED));
    }
    const { mediaTypes, query } = route.operations.get(method)!;
    const api = /^\/api\//i.test(path);
    // Query parameters the operation does not document are refused like unknown body fields (docs/errors.md#input-checks); routes
    // with a query DTO name them through the validation pipe, with the same message.
    if (query.size === 0 && req.url.includes('?') && api) {
      const unknown = Object.keys(req.query as object);
      if (unknown.length > 0) {
        const fields = unknown.map((field) => ({ field, message: `The ${field} field is not allowed.`, rule: 'prohibited' }));
        return next(new DomainError(PLATFORM_ERRORS.VALIDATION_FAILED, { fields }));
      }
    }
    // Outside /api only the probes, which take no body and ignore one.
    if (!hasBody(req) || (!api && mediaTypes.length === 0)) return next();
    const contentType = parseContentType(req.headers['content-type']);
    // An operation without a body ignores a JSON one (clients send `{}` on a bodiless POST); anything else is a 415.
    const accepted = mediaTypes.length > 0 ? mediaTypes : ['application/json'];
    if (mediaTypes.length === 0 && contentType === undefined) return next();
    const charsetOk = contentType?.charset === undefined || contentType.charset === 'utf-8' || contentType.charset === 'utf8';
    if (!contentType || !accepted.includes(contentType.type) || !charsetOk) return next(unsupportedMediaType(accepted));
    next();
  };
}

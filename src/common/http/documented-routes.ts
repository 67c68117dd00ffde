import type { OpenAPIObject, OperationObject, PathItemObject } from '@nestjs/swagger';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { DomainError } from '../errors/domain-error.js';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

interface DocumentedRoute {
  pattern: RegExp;
  /** Literal paths win over templated ones (`/api/me/sessions` before `/api/{x}/sessions`). */
  templated: number;
  /** Upper-case method → the media types its body may have (empty: the operation takes no body). */
  operations: Map<string, string[]>;
}

function routesOf(document: OpenAPIObject): DocumentedRoute[] {
  return (Object.entries(document.paths) as [string, PathItemObject][])
    .map(([template, item]) => {
      const operations = new Map<string, string[]>();
      for (const method of METHODS) {
        const operation = item[method] as OperationObject | undefined;
        if (!operation) continue;
        const content = (operation.requestBody as { content?: Record<string, unknown> } | undefined)?.content;
        operations.set(method.toUpperCase(), Object.keys(content ?? {}));
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
  return new DomainError('UNSUPPORTED_MEDIA_TYPE', `The request body must be ${mediaTypes.join(' or ')}, in UTF-8.`);
}

/** Paths the app serves besides its documented operations: Swagger UI and the document itself. */
const UNDOCUMENTED = /^\/docs(-json)?(\/|$)/;

/**
 * What the OpenAPI document says about a request before any route runs (CONTRACT §10): a path it does not know is a
 * 404 and a method it does not list a 405 with `Allow`, in or outside /api; a body in another media type than the
 * operation's, or in a charset other than UTF-8, is a 415. All in the family's error shape.
 */
export function documentedRoutes(documentOf: () => OpenAPIObject): RequestHandler {
  let routes: DocumentedRoute[] | undefined;
  return (req: Request, res: Response, next: NextFunction) => {
    if (UNDOCUMENTED.test(req.path)) return next();
    routes ??= routesOf(documentOf());
    const path = req.path;
    const candidates = routes.filter((route) => route.pattern.test(path));
    if (candidates.length === 0) return next(new DomainError('NOT_FOUND'));
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    const route = candidates.find((candidate) => candidate.operations.has(method));
    if (!route) {
      res.setHeader('Allow', allowedMethods(candidates[0]));
      return next(new DomainError('METHOD_NOT_ALLOWED'));
    }
    const mediaTypes = route.operations.get(method)!;
    if (mediaTypes.length === 0 || !hasBody(req)) return next();
    const contentType = parseContentType(req.headers['content-type']);
    const charsetOk = contentType?.charset === undefined || contentType.charset === 'utf-8' || contentType.charset === 'utf8';
    if (!contentType || !mediaTypes.includes(contentType.type) || !charsetOk) return next(unsupportedMediaType(mediaTypes));
    next();
  };
}

import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { renderClientError } from './client/client-error.renderer.js';
import { renderLaravelError } from './vanguard/laravel-error.renderer.js';
import { routeFamilyOf } from '../platform/http/route-family.js';
import { toErrorReport } from '../platform/errors/error-report.js';

/** Turns every failure into the route family's error shape; nothing internal reaches the body. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const report = toErrorReport(exception);
    if (report.unexpected) {
      this.logger.error({ err: exception, method: request.method, url: request.originalUrl }, 'unhandled error');
    }
    if (response.headersSent) return;
    if (report.retryAfter !== undefined) response.setHeader('Retry-After', String(report.retryAfter));
    const body =
      routeFamilyOf(request.originalUrl ?? request.url) === 'client' ? renderClientError(report) : renderLaravelError(report);
    response.status(report.status).json(body);
  }
}

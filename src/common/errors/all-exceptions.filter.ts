import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { renderClientError } from '../../dialects/client/client-error.renderer.js';
import { renderLaravelError } from '../../dialects/vanguard/laravel-error.renderer.js';
import { routeFamilyOf } from '../http/route-family.js';
import { toErrorReport } from './error-report.js';

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

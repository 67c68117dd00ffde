import type { ErrorReport } from '../../platform/errors/error-report.js';

export interface ClientErrorItem {
  code: string;
  status: string;
  detail: string;
  meta?: { source_field: string; rule: string };
}

export interface ClientErrorBody {
  errors: ClientErrorItem[];
}

/** The Laravel/Symfony exception class names the client family reports in `code`. */
const EXCEPTION_NAMES: Record<number, string> = {
  400: 'BadRequestHttpException',
  401: 'AuthenticationException',
  403: 'AccessDeniedHttpException',
  404: 'NotFoundHttpException',
  405: 'MethodNotAllowedHttpException',
  409: 'ConflictHttpException',
  413: 'PayloadTooLargeHttpException',
  415: 'UnsupportedMediaTypeHttpException',
  422: 'ValidationException',
  429: 'TooManyRequestsHttpException',
  502: 'BadGatewayHttpException',
  503: 'ServiceUnavailableHttpException',
};

const NOT_FOUND_DETAIL = 'The requested resource could not be found on the server.';

/** `{errors: [{code, status, detail, meta?}]}`: one element per validation message (docs/errors.md#client-shape). */
export function renderClientError(report: ErrorReport): ClientErrorBody {
  const code = EXCEPTION_NAMES[report.status] ?? 'HttpException';
  const status = String(report.status);
  if (report.fields.length > 0) {
    return {
      errors: report.fields.map((field) => ({
        code,
        status,
        detail: field.message,
        meta: { source_field: field.field, rule: field.rule },
      })),
    };
  }
  const detail = report.status === 404 ? NOT_FOUND_DETAIL : report.message;
  return { errors: [{ code, status, detail }] };
}

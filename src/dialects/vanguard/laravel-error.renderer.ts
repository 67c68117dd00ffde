import type { ErrorReport } from '../../platform/errors/error-report.js';

export interface LaravelErrorBody {
  message: string;
  errors?: Record<string, string[]>;
}

/** `{message}` or, with field errors, `{message, errors: {field: [messages]}}`: the shape of every non-client route. */
export function renderLaravelError(report: ErrorReport): LaravelErrorBody {
  if (report.fields.length === 0) return { message: report.message };
  // Without a prototype, a field named `__proto__` or `constructor` is an ordinary key.
  const errors: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const { field, message } of report.fields) (errors[field] ??= []).push(message);
  return { message: report.message, errors };
}

import type { HealthCheckResult, HealthIndicatorResult } from '@nestjs/terminus';
import type { DegradableDependencyDto, MailOutboxDto, ReadinessDto } from './dto/health.dto.js';

/**
 * What readiness found. `required`: the dependencies the instance cannot serve without (terminus fails the check,
 * a 503, when one is down). `degradable`: those it serves without, each already in its presented shape; one that
 * is `down` makes the answer `degraded`, still 200. A new dependency of the second kind is one more entry here, in
 * HealthService.degradable() and in ReadinessDetailsDto.
 */
export interface ReadinessReport {
  required: HealthCheckResult<HealthIndicatorResult<'database'>>;
  degradable: DegradableDependencies;
}

export interface DegradableDependencies {
  redis?: DegradableDependencyDto;
  mail_outbox?: MailOutboxDto;
}

/** Keeps each dependency's status only: timings and terminus internals stay out of the body. */
export function presentReadiness(report: ReadinessReport): ReadinessDto {
  // An entry may carry counts only (no status): only one that says `down` degrades the answer.
  const degraded = Object.values(report.degradable).some((entry: object | undefined) => entry !== undefined && 'status' in entry && entry.status === 'down');
  return {
    status: degraded ? 'degraded' : 'ok',
    details: { database: { status: report.required.details.database.status }, ...report.degradable },
  };
}

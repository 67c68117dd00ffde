import type { HealthCheckResult, HealthIndicatorResult } from '@nestjs/terminus';
import type { ReadinessDto } from './dto/health.dto.js';

export type ReadinessResult = HealthCheckResult<HealthIndicatorResult<'database'>>;

/** Keeps each dependency's status only: timings and terminus internals stay out of the body. */
export function presentReadiness(result: ReadinessResult): ReadinessDto {
  return { status: result.status, details: { database: { status: result.details.database.status } } };
}

import type { HealthCheckResult, HealthIndicatorResult } from '@nestjs/terminus';
import type { OutboxStats } from '../../platform/outbox/outbox.service.js';
import type { ReadinessDto } from './dto/health.dto.js';

export type ReadinessResult = HealthCheckResult<HealthIndicatorResult<'database'>>;

/** Keeps each dependency's status only: timings and terminus internals stay out of the body. */
export function presentReadiness(result: ReadinessResult, outbox?: OutboxStats): ReadinessDto {
  const ready: ReadinessDto = { status: result.status, details: { database: { status: result.details.database.status } } };
  if (outbox) ready.details.mail_outbox = { pending: outbox.pending, failed: outbox.failed, oldest_pending_seconds: outbox.oldestPendingSeconds };
  return ready;
}

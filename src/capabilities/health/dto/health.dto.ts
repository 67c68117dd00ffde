/** The process is up and serving HTTP. */
export class LivenessDto {
  /** @example "ok" */
  status: 'ok';
}

/** One dependency the readiness check pinged. */
export class HealthIndicatorDto {
  /** @example "up" */
  status: string;
}

/** A dependency the instance serves without: while it is `down`, readiness stays 200. */
export class DegradableDependencyDto {
  /** @example "down" */
  status: 'up' | 'down';
}

/** The mail outbox's backlog: informative, readiness does not depend on it. */
export class MailOutboxDto {
  /** Mails still to send (due now or waiting for a retry). @example 0 */
  pending: number;
  /** Mails given up after MAIL_RETRY_HOURS (listed by `GET /api/admin/mail?status=failed`). @example 0 */
  failed: number;
  /** Age of the oldest pending mail, seconds. @example 0 */
  oldest_pending_seconds: number;
}

export class ReadinessDetailsDto {
  /** PostgreSQL answered `SELECT 1`. */
  database: HealthIndicatorDto;
  /**
   * Present when `REDIS_URL` is set. `down` while Redis does not take writes: rate limits are then counted by each
   * instance alone, and shared again as soon as Redis answers.
   */
  redis?: DegradableDependencyDto;
  /** Absent when the counts could not be read in time. */
  mail_outbox?: MailOutboxDto;
}

/** Every dependency the instance needs answered: it can take traffic. */
export class ReadinessDto {
  /**
   * `ok`, or `degraded` while a dependency the instance serves without is `down` (the answer is still 200).
   * @example "ok"
   */
  status: 'ok' | 'degraded';
  /** The dependencies checked, by name. */
  details: ReadinessDetailsDto;
}

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
  /** Absent when the counts could not be read in time. */
  mail_outbox?: MailOutboxDto;
}

/** Every dependency answered: the instance can take traffic. */
export class ReadinessDto {
  /** @example "ok" */
  status: string;
  /** The dependencies checked, by name. */
  details: ReadinessDetailsDto;
}

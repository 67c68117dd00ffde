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

export class ReadinessDetailsDto {
  /** PostgreSQL answered `SELECT 1`. */
  database: HealthIndicatorDto;
  /**
   * Present when `REDIS_URL` is set. `down` while Redis does not take writes: rate limits are then counted by each
   * instance alone, and shared again as soon as Redis answers.
   */
  redis?: DegradableDependencyDto;
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

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

export class ReadinessDetailsDto {
  /** PostgreSQL answered `SELECT 1`. */
  database: HealthIndicatorDto;
}

/** Every dependency answered: the instance can take traffic. */
export class ReadinessDto {
  /** @example "ok" */
  status: string;
  /** The dependencies checked, by name. */
  details: ReadinessDetailsDto;
}

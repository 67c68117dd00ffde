import { Injectable, ServiceUnavailableException, type BeforeApplicationShutdown } from '@nestjs/common';
import { HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { DomainError } from '../../platform/errors/domain-error.js';
import { PLATFORM_ERRORS } from '../../platform/errors/errors.js';
import { RateLimiterService } from '../../platform/rate-limit/rate-limiter.service.js';
import { OutboxService } from '../../platform/outbox/outbox.service.js';
import type { LivenessDto } from './dto/health.dto.js';
import type { DegradableDependencies, ReadinessReport } from './health.presenter.js';

const PING_TIMEOUT_MS = 1500;

@Injectable()
export class HealthService implements BeforeApplicationShutdown {
  private shuttingDown = false;

  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly rateLimiter: RateLimiterService,
    private readonly outbox: OutboxService,
  ) {}

  /**
   * From here on readiness fails so load balancers stop sending traffic while requests drain. main.ts calls it on
   * SIGTERM, before the shutdown delay; the hook covers app.close() from anywhere else.
   */
  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  beforeApplicationShutdown(): void {
    this.markShuttingDown();
  }

  /** Liveness needs nothing but the event loop: no dependency, so a database outage never restarts the process. */
  liveness(): LivenessDto {
    return { status: 'ok' };
  }

  /** 503 while a dependency the instance needs is down or it is shutting down; else what each dependency is. */
  async readiness(): Promise<ReadinessReport> {
    if (this.shuttingDown) throw new DomainError(PLATFORM_ERRORS.SERVICE_UNAVAILABLE, { retryAfter: 5 });
    const [required, degradable] = await Promise.all([this.required(), this.degradable()]);
    return { required, degradable };
  }

  private async required(): Promise<ReadinessReport['required']> {
    try {
      return await this.health.check([() => this.database.pingCheck('database', { timeout: PING_TIMEOUT_MS })]);
    } catch (error) {
      // Terminus answers a failed check with an HTTP exception carrying driver text; the body must not.
      if (error instanceof ServiceUnavailableException) {
        throw new DomainError(PLATFORM_ERRORS.SERVICE_UNAVAILABLE, { retryAfter: 5, cause: error });
      }
      throw error;
    }
  }

  /** The dependencies the instance serves without: reported, never a reason to take it out of rotation. */
  private async degradable(): Promise<DegradableDependencies> {
    const [redis, outbox] = await Promise.all([this.rateLimiter.checkSharedStore(), this.outbox.stats().catch(() => undefined)]);
    const dependencies: DegradableDependencies = redis === null ? {} : { redis: { status: redis } };
    // Counts only, never a failed probe: the backlog says whether mail is going out.
    if (outbox) dependencies.mail_outbox = { pending: outbox.pending, failed: outbox.failed, oldest_pending_seconds: outbox.oldestPendingSeconds };
    return dependencies;
  }
}

import { Injectable, ServiceUnavailableException, type BeforeApplicationShutdown } from '@nestjs/common';
import { HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { DomainError } from '../../platform/errors/domain-error.js';
import { PLATFORM_ERRORS } from '../../platform/errors/errors.js';
import { OutboxService, type OutboxStats } from '../../platform/outbox/outbox.service.js';
import type { LivenessDto } from './dto/health.dto.js';
import type { ReadinessResult } from './health.presenter.js';

const PING_TIMEOUT_MS = 1500;

@Injectable()
export class HealthService implements BeforeApplicationShutdown {
  private shuttingDown = false;

  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
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

  /** The mail outbox's counts, for the readiness details; undefined when they cannot be read (never a failed probe). */
  async mailOutbox(): Promise<OutboxStats | undefined> {
    return this.outbox.stats().catch(() => undefined);
  }

  async readiness(): Promise<ReadinessResult> {
    if (this.shuttingDown) throw new DomainError(PLATFORM_ERRORS.SERVICE_UNAVAILABLE, { retryAfter: 5 });
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
}

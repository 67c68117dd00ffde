import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../../core/credentials/auth.decorators.js';
import { LaravelErrors } from '../../dialects/error-responses.js';
import { TAGS } from '../../platform/openapi/tags.js';
import { LivenessDto, ReadinessDto } from './dto/health.dto.js';
import { presentReadiness } from './health.presenter.js';
import { HealthService } from './health.service.js';

/** Probes for orchestrators and load balancers, outside the `api` prefix. */
@ApiTags(TAGS.health)
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  /** Liveness: the process serves HTTP. */
  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: LivenessDto })
  getLiveness(): LivenessDto {
    return this.health.liveness();
  }

  /** Readiness: the database answers and the instance is not shutting down. */
  @Get('ready')
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: ReadinessDto })
  @LaravelErrors(503)
  async getReadiness(): Promise<ReadinessDto> {
    return presentReadiness(await this.health.readiness(), await this.health.mailOutbox());
  }
}

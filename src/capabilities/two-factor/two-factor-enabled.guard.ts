import { Injectable, type CanActivate } from '@nestjs/common';
import { DomainError } from '../../platform/errors/domain-error.js';
import { PLATFORM_ERRORS } from '../../platform/errors/errors.js';
import type { AppConfig } from '../../platform/config/app-config.js';
import { InjectConfig } from '../../platform/config/config.module.js';

/** With TWO_FACTOR_ENABLED=false the two-factor routes answer 404 in their family's shape (docs/configuration.md#switches). */
@Injectable()
export class TwoFactorEnabledGuard implements CanActivate {
  constructor(@InjectConfig() private readonly config: AppConfig) {}

  canActivate(): boolean {
    if (!this.config.twoFactorEnabled) throw new DomainError(PLATFORM_ERRORS.SWITCHED_OFF);
    return true;
  }
}

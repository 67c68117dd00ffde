import { Injectable } from '@nestjs/common';
import type { CredentialHolder, LifecycleParticipant } from '../lifecycle/account-lifecycle.js';
import { LoginThrottleService } from './login-throttle.service.js';

/**
 * Signing in, in the account's life: its device tokens, and the lock-outs of the login throttle. A password reset
 * proves the owner, so it clears every lock-out and failure count of the account (those the owner's own forgotten
 * passwords set, too). Device tokens stay: they open nothing without the password or a passkey, and the owner's
 * devices keep getting past locks others set after the reset. They go with the account (ON DELETE CASCADE).
 */
@Injectable()
export class SignInLifecycle implements LifecycleParticipant {
  readonly name = 'sign-in';
  readonly tables = ['device_tokens'];
  readonly credentials: CredentialHolder[] = [{
    end: async ({ userId, reason }) => {
      if (reason === 'password-reset') await this.throttle.clearAccount(userId);
      return 0;
    },
  }];

  constructor(private readonly throttle: LoginThrottleService) {}
}

import { Module } from '@nestjs/common';
import { TwoFactorChallengeService } from '../capabilities/two-factor/two-factor-challenge.service.js';
import { TwoFactorModule } from '../capabilities/two-factor/two-factor.module.js';
import { SecondFactorChallenger } from '../core/credentials/second-factor.js';

/*
 * The ports core declares and capabilities implement, each bound to its implementation here, in the assembly. The
 * consumer's module is handed its port's module (`AuthModule.register`), so it never
 * names the capability behind the port, which may sit above it in the layers (two-factor sits above auth), and no
 * module has to be global for the port to be found.
 */

/** SecondFactorChallenger, for auth's password login: the two-factor capability's login challenge. */
@Module({
  imports: [TwoFactorModule],
  providers: [{ provide: SecondFactorChallenger, useExisting: TwoFactorChallengeService }],
  exports: [SecondFactorChallenger],
})
export class SecondFactorPort {}

import { Injectable } from '@nestjs/common';
import { LoginOutcomeService, type BrowserSignedIn, type SignedIn } from '../../core/credentials/login-outcome.service.js';
import type { RequestSite } from '../../core/credentials/same-site.js';
import type { ClientInfo } from '../../core/users/auth-context.js';
import type { SecondFactorPasskeyOptionsDto } from '../passkeys/dto/passkey-login.dto.js';
import type { CompleteTwoFactorLoginDto } from './dto/two-factor-login.dto.js';
import { TWO_FACTOR_ERRORS } from './errors.js';
import { TwoFactorChallengeService } from './two-factor-challenge.service.js';

/** `POST /api/login/two-factor`: the second step of a password login, which ends as every login does. */
@Injectable()
export class TwoFactorLoginService {
  constructor(
    private readonly challenges: TwoFactorChallengeService,
    private readonly logins: LoginOutcomeService,
  ) {}

  /** Ends in the kind of session the login asked for (`session: "cookie"` at `POST /api/login`: a browser session). */
  async complete(dto: CompleteTwoFactorLoginDto, client: ClientInfo, deviceToken?: string, site?: RequestSite): Promise<SignedIn | BrowserSignedIn> {
    const { user, deviceName, secondFactor, sessionMode } = await this.challenges.pass(dto, client, deviceToken, site);
    // The password step's proof was of credentials that ended meanwhile: the challenge is as dead as if they had ended before.
    return this.logins.completeAs(
      sessionMode,
      user,
      client,
      deviceName,
      { method: 'password', second_factor: secondFactor },
      deviceToken,
      TWO_FACTOR_ERRORS.TWO_FACTOR_CHALLENGE_DEAD,
    );
  }

  passkeyOptions(challengeToken: string): Promise<SecondFactorPasskeyOptionsDto> {
    return this.challenges.passkeyOptions(challengeToken);
  }
}

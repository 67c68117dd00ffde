import { Injectable } from '@nestjs/common';
import { AuthService } from '../auth/auth.service.js';
import type { ClientInfo } from '../../core/users/auth-context.js';
import type { TokenPair } from '../../core/credentials/sessions/sessions.service.js';
import type { SecondFactorPasskeyOptionsDto } from '../passkeys/dto/passkey-login.dto.js';
import type { CompleteTwoFactorLoginDto } from './dto/two-factor-login.dto.js';
import { TwoFactorChallengeService } from './two-factor-challenge.service.js';

/**
 * `POST /api/login/two-factor`. Kept apart from the challenge service because AuthService depends on that one
 * (as its SecondFactorChallenger), and this one depends on AuthService.
 */
@Injectable()
export class TwoFactorLoginService {
  constructor(
    private readonly challenges: TwoFactorChallengeService,
    private readonly auth: AuthService,
  ) {}

  async complete(dto: CompleteTwoFactorLoginDto, client: ClientInfo): Promise<TokenPair> {
    const { user, deviceName, secondFactor } = await this.challenges.pass(dto, client);
    return this.auth.completeLogin(user, client, deviceName, { method: 'password', second_factor: secondFactor });
  }

  passkeyOptions(challengeToken: string): Promise<SecondFactorPasskeyOptionsDto> {
    return this.challenges.passkeyOptions(challengeToken);
  }
}

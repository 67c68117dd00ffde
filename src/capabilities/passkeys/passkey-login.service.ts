import { Injectable } from '@nestjs/common';
import { LoginOutcomeService, type BrowserSignedIn, type SignedIn } from '../../core/credentials/login-outcome.service.js';
import { SameSiteRequests, type RequestSite } from '../../core/credentials/same-site.js';
import { LoginThrottleService } from '../../core/credentials/login-throttle.service.js';
import type { ClientInfo } from '../../core/users/auth-context.js';
import { DomainError } from '../../platform/errors/domain-error.js';
import { CREDENTIAL_ERRORS } from '../../core/credentials/errors.js';
import { PASSKEY_ERRORS } from './errors.js';
import { RateLimiterService, type RateLimitRule } from '../../platform/rate-limit/rate-limiter.service.js';
import { addressKey } from '../../platform/rate-limit/client-address.js';
import type { AppConfig } from '../../platform/config/app-config.js';
import { InjectConfig } from '../../platform/config/config.module.js';
import { sha256Hex } from '../../core/credentials/sessions/session-tokens.js';
import { UserStatus } from '../../core/users/user.entity.js';
import { UsersService } from '../../core/users/users.service.js';
import type { PasskeySignInDto, PasskeySignInOptionsDto } from './dto/passkey-login.dto.js';
import { PasskeyAssertionsService } from './passkey-assertions.service.js';
import { WebAuthnChallengesService } from './webauthn-challenges.service.js';

/**
 * Signing in with a passkey alone (docs/api/auth.md#sign-in-with-a-passkey). A passkey with user verification is possession and a PIN or
 * biometric at once, so the session it opens is a full, recent sign-in: no two-factor challenge follows.
 */
@Injectable()
export class PasskeyLoginService {
  private readonly optionsByIp: RateLimitRule;

  constructor(
    @InjectConfig() config: AppConfig,
    private readonly challenges: WebAuthnChallengesService,
    private readonly assertions: PasskeyAssertionsService,
    private readonly users: UsersService,
    private readonly logins: LoginOutcomeService,
    private readonly rateLimiter: RateLimiterService,
    private readonly throttle: LoginThrottleService,
    private readonly sameSite: SameSiteRequests,
  ) {
    // Every options call stores a challenge row: bounded per address. Ten times the failures an address may have,
    // since most options calls end in a sign-in.
    this.optionsByIp = { name: 'passkey-options-ip', points: config.rateLimits.loginFailuresPerIp * 10, durationSeconds: 3600 };
  }

  /**
   * With a username, that account's passkeys are allowed (a made-up one when it has none or does not exist, so the
   * answer does not tell); without, any discoverable passkey of this site may answer.
   */
  async options(username: string | undefined, client: ClientInfo): Promise<PasskeySignInOptionsDto> {
    await this.rateLimiter.consume(this.optionsByIp, addressKey(client.ip));
    // One statement finds the account and folds the name, whether or not an account matches (no timing tells).
    const lookup = username === undefined ? null : await this.users.lookUpLogin(username);
    const user = lookup?.user ?? null;
    const passkeys = user ? await this.assertions.descriptorsOf(user.id) : [];
    const challenge = this.challenges.newChallenge();
    // The decoy of an account is the same for every spelling of it (username, email), as its real passkeys would be;
    // an unknown name is folded as the database folds names when it looks accounts up (`alİce` is `alice`).
    const decoyFor = lookup === null ? undefined : user ? `user:${user.id}` : `name:${lookup.folded}`;
    const options = await this.assertions.requestOptions(challenge, passkeys, 'required', decoyFor);
    const { token } = await this.challenges.issue(options.challenge, {
      purpose: 'sign_in',
      userId: user?.id ?? null,
      usernameGiven: username !== undefined,
    });
    return { challenge_token: token!, options };
  }

  /**
   * Unknown and foreign credentials, bad signatures, wrong origins and counter regressions all get the 422 of a wrong
   * password, and count as failed logins (LoginThrottleService) of the account the credential belongs to (of the
   * credential ID itself when it names none); a banned user learns so only after a valid assertion.
   */
  async signIn(dto: PasskeySignInDto, client: ClientInfo, deviceToken?: string, site?: RequestSite): Promise<SignedIn | BrowserSignedIn> {
    const mode = dto.session ?? 'bearer';
    // A browser sign-in from another site is refused before the challenge is spent.
    if (mode === 'cookie') this.sameSite.assert(site);
    const taken = await this.challenges.takeSignIn(dto.challenge_token);
    if (!taken) throw new DomainError(PASSKEY_ERRORS.PASSKEY_CHALLENGE_DEAD);
    const ownerId = await this.assertions.ownerOf(dto.response.id);
    const accountKey = ownerId === null ? `passkey:${sha256Hex(dto.response.id)}` : this.throttle.accountKeyOfUser(ownerId);
    const attempt = await this.throttle.signInAttempt(accountKey, ownerId, client.ip, deviceToken, true);
    await this.throttle.assertAllowed(attempt);
    const outcome = await this.assertions
      .verify(dto.response, {
        expectedChallenge: (challenge) => this.challenges.isTaken(challenge, taken),
        userId: taken.usernameGiven ? taken.userId : undefined,
        requireUserVerification: true,
        client,
      })
      .catch(async (error: unknown) => {
        await this.throttle.release(attempt);
        throw error;
      });
    if (!outcome.ok) throw await this.logins.fail(attempt, outcome.user, client, { method: 'passkey', reason: outcome.reason });
    await this.throttle.recordSuccess(attempt);
    if (outcome.user.status === UserStatus.Banned) throw new DomainError(CREDENTIAL_ERRORS.ACCOUNT_BANNED);
    return this.logins.completeAs(mode, outcome.user, client, dto.device_name ?? null, { method: 'passkey' }, deviceToken);
  }
}

import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { DataSource, type EntityManager, type Repository } from 'typeorm';
import { ActivityService } from '../../core/activity/activity.service.js';
import { LoginThrottleService } from '../../core/credentials/login-throttle.service.js';
import { atProvenVersion, provenVersion } from '../../core/credentials/credential-version.js';
import { SecondFactorChallenger, type LoginChallenge } from '../../core/credentials/second-factor.js';
import type { ClientInfo } from '../../core/users/auth-context.js';
import { DomainError } from '../../platform/errors/domain-error.js';
import { PLATFORM_ERRORS } from '../../platform/errors/errors.js';
import { CREDENTIAL_ERRORS } from '../../core/credentials/errors.js';
import { TWO_FACTOR_ERRORS } from './errors.js';
import type { SecondFactorPasskeyOptionsDto } from '../passkeys/dto/passkey-login.dto.js';
import type { AuthenticationResponseDto } from '../passkeys/dto/webauthn.dto.js';
import { PasskeyAssertionsService } from '../passkeys/passkey-assertions.service.js';
import { WebAuthnChallengesService } from '../passkeys/webauthn-challenges.service.js';
import { sha256Hex } from '../../core/credentials/sessions/session-tokens.js';
import type { SessionMode } from '../../core/credentials/sessions/session-cookie.js';
import { SameSiteRequests, type RequestSite } from '../../core/credentials/same-site.js';
import { SmsService } from '../../platform/sms/sms.service.js';
import { User, UserStatus } from '../../core/users/user.entity.js';
import type { CompleteTwoFactorLoginDto } from './dto/two-factor-login.dto.js';
import { TwoFactorChallenge } from './entities/two-factor-challenge.entity.js';
import { randomDigits, sameString, TwoFactorCrypto } from './two-factor-crypto.js';
import { TwoFactorStateService } from './two-factor-state.service.js';

export const CHALLENGE_TTL_MS = 5 * 60_000;
export const MAX_CHALLENGE_ATTEMPTS = 5;

/** What answered the challenge. */
export type SecondFactor = 'totp' | 'sms' | 'recovery_code' | 'passkey';

export interface PassedChallenge {
  user: User;
  deviceName: string | null;
  /** The kind of session the login asked for. */
  sessionMode: SessionMode;
  secondFactor: SecondFactor;
}

function secondFactorOf(dto: CompleteTwoFactorLoginDto, challenge: TwoFactorChallenge): SecondFactor {
  return dto.recovery_code !== undefined ? 'recovery_code' : dto.passkey !== undefined ? 'passkey' : challenge.method;
}

type Outcome = { kind: 'dead' } | { kind: 'wrong'; challenge: TwoFactorChallenge; user: User } | { kind: 'passed'; passed: PassedChallenge };

/**
 * The second step of a login (docs/api/auth.md#two-factor-login): `start` is called by AuthService after the password, `pass`
 * checks the code or recovery code. Tokens are random, stored as SHA-256, live 5 minutes and die after 5 wrong codes.
 */
@Injectable()
export class TwoFactorChallengeService extends SecondFactorChallenger {
  constructor(
    @InjectRepository(TwoFactorChallenge) private readonly challenges: Repository<TwoFactorChallenge>,
    private readonly dataSource: DataSource,
    private readonly state: TwoFactorStateService,
    private readonly crypto: TwoFactorCrypto,
    private readonly sms: SmsService,
    private readonly throttle: LoginThrottleService,
    private readonly activity: ActivityService,
    private readonly passkeyAssertions: PasskeyAssertionsService,
    private readonly webauthnChallenges: WebAuthnChallengesService,
    private readonly sameSite: SameSiteRequests,
  ) {
    super();
  }

  /**
   * Opens a challenge; for SMS the code is texted first, so a gateway failure (502) leaves no challenge behind.
   * `user` is the row as read with the password: the challenge carries its credential version, and opens only while
   * the account still has it (credential-version.ts), else the password just proved is no longer the account's and
   * the answer is that of a wrong one.
   */
  async start(user: User, client: ClientInfo, deviceName: string | null, mode: SessionMode = 'bearer'): Promise<LoginChallenge> {
    const method = user.twoFactorMethod;
    if (!method) throw new DomainError(PLATFORM_ERRORS.INTERNAL);
    let smsCodeHash: string | null = null;
    if (method === 'sms') {
      if (user.twoFactorCountryCode === null || !user.twoFactorPhone) throw new DomainError(PLATFORM_ERRORS.INTERNAL);
      const code = randomDigits(6);
      await this.sms.send(
        { countryCode: user.twoFactorCountryCode, number: user.twoFactorPhone },
        `Your Tessera login code is ${code}. It expires in 5 minutes.`,
        { userId: user.id, ip: client.ip, purpose: 'login' },
      );
      smsCodeHash = this.crypto.digest(code);
    }
    const token = randomBytes(32).toString('base64url');
    // Spent and expired challenges of this user are of no further use.
    await this.challenges
      .createQueryBuilder()
      .delete()
      .where('user_id = :userId AND (consumed_at IS NOT NULL OR expires_at <= now())', { userId: user.id })
      .execute();
    const opened = (await this.challenges.query(
      `INSERT INTO two_factor_challenges (token_hash, user_id, method, sms_code_hash, device_name, expires_at, session_mode, credential_version)
       SELECT $1, u.id, $3, $4, $5, $6, $8, u.credential_version ${atProvenVersion('$2', '$7')}
       RETURNING id`,
      [sha256Hex(token), user.id, method, smsCodeHash, deviceName, new Date(Date.now() + CHALLENGE_TTL_MS), provenVersion(user), mode],
    )) as Array<{ id: number }>;
    if (opened.length !== 1) {
      await this.activity.record({ event: 'auth:login-failed', userId: user.id, actorId: null, client, properties: { method: 'password', reason: 'credentials-changed' } });
      throw new DomainError(CREDENTIAL_ERRORS.INVALID_CREDENTIALS);
    }
    return { two_factor_required: true, challenge_token: token, method };
  }

  /**
   * Options for answering a live challenge with one of the user's passkeys instead of a code. The WebAuthn challenge
   * is bound to this login challenge; user presence is enough (the password was the first factor).
   */
  async passkeyOptions(challengeToken: string): Promise<SecondFactorPasskeyOptionsDto> {
    const live = await this.liveChallenge(this.challenges, sha256Hex(challengeToken));
    if (!live) throw new DomainError(TWO_FACTOR_ERRORS.TWO_FACTOR_CHALLENGE_DEAD);
    const passkeys = await this.passkeyAssertions.descriptorsOf(live.userId);
    if (passkeys.length === 0) throw new DomainError(TWO_FACTOR_ERRORS.NO_PASSKEY_FOR_CHALLENGE);
    const options = await this.passkeyAssertions.requestOptions(this.webauthnChallenges.newChallenge(), passkeys, 'preferred');
    await this.webauthnChallenges.issue(options.challenge, { purpose: 'second_factor', userId: live.userId, twoFactorChallengeId: live.id });
    return { options };
  }

  /**
   * Checks a code (TOTP or the texted one), a recovery code or a passkey assertion against a live challenge and spends the challenge.
   * The challenge row is locked for the check, so two requests on one challenge are judged one after the other.
   * A challenge of a browser sign-in (`session: "cookie"`) is answered only from the site (SameSiteRequests): a
   * cross-site request is refused before the answer is judged or counted.
   */
  async pass(dto: CompleteTwoFactorLoginDto, client: ClientInfo, deviceToken?: string, site?: RequestSite): Promise<PassedChallenge> {
    const answers = [dto.code, dto.recovery_code, dto.passkey].filter((answer) => answer !== undefined).length;
    if (answers > 1) {
      const field = dto.passkey !== undefined ? 'passkey' : 'recovery_code';
      throw new DomainError(TWO_FACTOR_ERRORS.TOO_MANY_ANSWERS, { field });
    }
    const tokenHash = sha256Hex(dto.challenge_token);
    const live = await this.liveChallenge(this.challenges, tokenHash);
    if (!live) throw new DomainError(TWO_FACTOR_ERRORS.TWO_FACTOR_CHALLENGE_DEAD);
    if (live.sessionMode === 'cookie') this.sameSite.assert(site);
    // A wrong code is a failed login of the account: it shares the password's counters and lock-out (the device's
    // own, when it sent its device token). The sign-in was counted at its password step.
    const attempt = await this.throttle.signInAttempt(this.throttle.accountKeyOfUser(live.userId), live.userId, client.ip, deviceToken, false);
    await this.throttle.assertAllowed(attempt);
    const outcome = await this.judge(dto, tokenHash, client).catch(async (error: unknown) => {
      await this.throttle.release(attempt);
      throw error;
    });

    if (outcome.kind === 'dead') {
      await this.throttle.release(attempt);
      throw new DomainError(TWO_FACTOR_ERRORS.TWO_FACTOR_CHALLENGE_DEAD);
    }
    if (outcome.kind === 'wrong') {
      const { challenge, user } = outcome;
      await this.throttle.recordFailure(attempt, { id: user.id, email: user.email, name: user.firstName ?? '' });
      await this.activity.record({
        event: 'auth:two-factor-failed',
        userId: challenge.userId,
        actorId: null,
        client,
        properties: { method: secondFactorOf(dto, challenge), attempt: challenge.attempts + 1 },
      });
      if (dto.passkey !== undefined) throw new DomainError(TWO_FACTOR_ERRORS.SECOND_FACTOR_PASSKEY_REFUSED);
      throw new DomainError(TWO_FACTOR_ERRORS.INVALID_TWO_FACTOR_CODE, { field: dto.recovery_code !== undefined ? 'recovery_code' : 'code' });
    }
    await this.throttle.recordSuccess(attempt);
    if (outcome.passed.user.status === UserStatus.Banned) throw new DomainError(CREDENTIAL_ERRORS.ACCOUNT_BANNED);
    return outcome.passed;
  }

  /**
   * The answer against the challenge, with the challenge row locked: a wrong one spends an attempt, a right one the
   * challenge. The account's row is locked before it, in the order every ending of the credentials takes them (the
   * user row, then what it ends): a recovery code written to the user row while an ending waited for the challenge
   * would otherwise deadlock the two. Against an ending in progress the answer therefore waits for its commit, and
   * then finds the challenge gone.
   */
  private judge(dto: CompleteTwoFactorLoginDto, tokenHash: string, client: ClientInfo): Promise<Outcome> {
    return this.dataSource.transaction(async (em): Promise<Outcome> => {
      const found = await this.liveChallenge(em.getRepository(TwoFactorChallenge), tokenHash);
      if (!found) return { kind: 'dead' };
      await em.query(`SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE`, [found.userId]);
      const challenge = await this.liveChallenge(em.getRepository(TwoFactorChallenge), tokenHash, true);
      if (!challenge) return { kind: 'dead' };
      const user = await em
        .getRepository(User)
        .createQueryBuilder('u')
        .addSelect('u.credentialVersion')
        .innerJoinAndSelect('u.role', 'r')
        .where('u.id = :id', { id: challenge.userId })
        .getOne();
      if (!user || user.twoFactorMethod !== challenge.method || user.credentialVersion !== challenge.credentialVersion) {
        // Two-factor was turned off or switched, or the credentials ended, since the password step: this challenge
        // means nothing now.
        await em.update(TwoFactorChallenge, { id: challenge.id }, { consumedAt: new Date() });
        return { kind: 'dead' };
      }
      const accepted =
        dto.recovery_code !== undefined
          ? await this.state.consumeRecoveryCode(em, user.id, dto.recovery_code)
          : dto.passkey !== undefined
            ? await this.acceptPasskey(challenge, dto.passkey, client, em)
            : await this.acceptCode(challenge, dto.code ?? '', em);
      if (!accepted) {
        await em.increment(TwoFactorChallenge, { id: challenge.id }, 'attempts', 1);
        return { kind: 'wrong', challenge, user };
      }
      await em.update(TwoFactorChallenge, { id: challenge.id }, { consumedAt: new Date() });
      return {
        kind: 'passed',
        passed: { user, deviceName: challenge.deviceName, sessionMode: challenge.sessionMode, secondFactor: secondFactorOf(dto, challenge) },
      };
    });
  }

  /** A passkey of the challenge's user, answering a WebAuthn challenge issued for this very login challenge. */
  private async acceptPasskey(challenge: TwoFactorChallenge, response: AuthenticationResponseDto, client: ClientInfo, em: EntityManager): Promise<boolean> {
    const binding = { purpose: 'second_factor' as const, userId: challenge.userId, twoFactorChallengeId: challenge.id };
    const outcome = await this.passkeyAssertions.verify(
      response,
      {
        expectedChallenge: (signed) => this.webauthnChallenges.consume(signed, binding, em),
        userId: challenge.userId,
        requireUserVerification: false,
        client,
      },
      em,
    );
    return outcome.ok;
  }

  private acceptCode(challenge: TwoFactorChallenge, code: string, em: EntityManager): Promise<boolean> {
    if (challenge.method === 'totp') return this.state.acceptTotpCode(em, challenge.userId, code);
    return Promise.resolve(challenge.smsCodeHash !== null && sameString(challenge.smsCodeHash, this.crypto.digest(code.trim())));
  }

  private liveChallenge(repository: Repository<TwoFactorChallenge>, tokenHash: string, lock = false): Promise<TwoFactorChallenge | null> {
    const query = repository
      .createQueryBuilder('c')
      .addSelect('c.smsCodeHash')
      .where('c.token_hash = :tokenHash AND c.consumed_at IS NULL AND c.expires_at > now() AND c.attempts < :max', {
        tokenHash,
        max: MAX_CHALLENGE_ATTEMPTS,
      });
    if (lock) query.setLock('pessimistic_write');
    return query.getOne();
  }
}

import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import {
  generateAuthenticationOptions,
  verifyAuthenticationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import { decodeClientDataJSON } from '@simplewebauthn/server/helpers';
import { createHmac } from 'node:crypto';
import type { EntityManager, Repository } from 'typeorm';
import { ActivityService } from '../activity/activity.service.js';
import type { ClientInfo } from '../common/auth/auth-context.js';
import type { AppConfig } from '../config/app-config.js';
import { InjectConfig } from '../config/config.module.js';
import { User } from '../users/entities/user.entity.js';
import type { AuthenticationResponseDto, RequestOptionsDto } from './dto/webauthn.dto.js';
import { Passkey } from './entities/passkey.entity.js';
import { CHALLENGE_TTL_MS } from './webauthn-challenges.service.js';
import { userHandleBase64Url } from './webauthn-user-handle.js';

/** Why an assertion did not sign anyone in. Callers answer all of them alike (no enumeration). */
export type AssertionOutcome =
  | { ok: true; passkey: Passkey; user: User }
  | { ok: false; reason: 'unknown-credential' | 'invalid' | 'counter-regressed'; user: User | null };

export interface AssertionCheck {
  /** Consumes the challenge the browser signed; false when it is not a live one of this ceremony. */
  expectedChallenge: (challenge: string) => boolean | Promise<boolean>;
  /** When set, only this user's passkeys may answer (null: a username that named nobody, so none may). */
  userId?: number | null;
  /** Passkey-only sign-in needs user verification (it is both factors); a second factor needs presence only. */
  requireUserVerification: boolean;
  client: ClientInfo;
}

/**
 * The sign-in side of passkeys: request options, and assertions checked by @simplewebauthn/server against the
 * stored public key, the configured RP ID and origins, and a challenge of this ceremony. The signature counter
 * is compared here, after the signature verified, so that only a genuine (cloned) authenticator can record a
 * regression, never a forged request.
 */
@Injectable()
export class PasskeyAssertionsService {
  private readonly logger = new Logger(PasskeyAssertionsService.name);
  private readonly decoyKey: Buffer;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    @InjectRepository(Passkey) private readonly passkeys: Repository<Passkey>,
    private readonly activity: ActivityService,
  ) {
    this.decoyKey = createHmac('sha256', config.jwtSecret ?? '').update('tessera:passkey-decoy').digest();
  }

  /**
   * Options for `navigator.credentials.get`. `allowCredentials` lists the passkeys given; with `decoyFor` and none
   * to list, one made-up credential stands in, derived from `decoyFor` (the account, or the unknown identifier), so
   * an answer for a username without passkeys (or without an account) looks like one for a user with a passkey.
   */
  async requestOptions(
    challenge: Uint8Array<ArrayBuffer>,
    passkeys: Pick<Passkey, 'credentialId' | 'transports'>[],
    userVerification: 'required' | 'preferred',
    decoyFor?: string,
  ): Promise<RequestOptionsDto> {
    const allow = passkeys.map((passkey) => ({ id: passkey.credentialId, transports: passkey.transports }));
    if (allow.length === 0 && decoyFor !== undefined) allow.push({ id: this.decoyCredentialId(decoyFor), transports: ['internal', 'hybrid'] });
    const options: PublicKeyCredentialRequestOptionsJSON = await generateAuthenticationOptions({
      rpID: this.config.webauthn.rpId,
      challenge,
      allowCredentials: allow,
      userVerification,
      timeout: CHALLENGE_TTL_MS,
    });
    return {
      rpId: this.config.webauthn.rpId,
      challenge: options.challenge,
      allowCredentials: (options.allowCredentials ?? []).map(({ id, transports }) => ({ id, type: 'public-key' as const, transports })),
      timeout: options.timeout ?? CHALLENGE_TTL_MS,
      userVerification,
    };
  }

  /** A user's passkeys as `allowCredentials` entries. */
  descriptorsOf(userId: number, manager?: EntityManager): Promise<Pick<Passkey, 'credentialId' | 'transports'>[]> {
    return (manager?.getRepository(Passkey) ?? this.passkeys).find({
      select: { credentialId: true, transports: true },
      where: { userId },
      order: { id: 'ASC' },
    });
  }

  /** The account a credential ID belongs to, if any (credential IDs are not secret: options list them). */
  async ownerOf(credentialId: string): Promise<number | null> {
    const passkey = await this.passkeys.findOne({ select: { userId: true }, where: { credentialId } });
    return passkey?.userId ?? null;
  }

  /**
   * Checks an assertion and, when it holds, records the new counter and the time of use. Every refusal is an
   * outcome, never a thrown error: the caller answers them all the same way.
   */
  async verify(response: AuthenticationResponseDto, check: AssertionCheck, manager?: EntityManager): Promise<AssertionOutcome> {
    const repository = manager?.getRepository(Passkey) ?? this.passkeys;
    const query = repository
      .createQueryBuilder('p')
      .addSelect('p.publicKey')
      .innerJoinAndSelect('p.user', 'u')
      .innerJoinAndSelect('u.role', 'r')
      .where('p.credential_id = :credentialId', { credentialId: response.id });
    if (check.userId !== undefined) query.andWhere('p.user_id = :userId', { userId: check.userId ?? 0 });
    const passkey = await query.getOne();
    // The challenge is spent whatever follows, so a refused assertion cannot be retried against it.
    if (!passkey || !passkey.user) {
      await this.spend(response, check);
      return { ok: false, reason: 'unknown-credential', user: null };
    }
    const user = passkey.user;
    const handle = response.response.userHandle;
    if (handle !== undefined && handle !== null && handle !== userHandleBase64Url(user.uuid)) {
      await this.spend(response, check);
      return { ok: false, reason: 'unknown-credential', user: null };
    }

    let verification: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
    try {
      verification = await verifyAuthenticationResponse({
        response: response as AuthenticationResponseJSON,
        expectedChallenge: check.expectedChallenge,
        expectedOrigin: this.config.webauthn.origins,
        expectedRPID: this.config.webauthn.rpId,
        // Counter 0 here: the library would compare before checking the signature; see the class comment.
        credential: { id: passkey.credentialId, publicKey: new Uint8Array(passkey.publicKey), counter: 0, transports: passkey.transports },
        requireUserVerification: check.requireUserVerification,
      });
    } catch (error) {
      this.logger.debug({ err: error, passkeyId: passkey.id }, 'passkey assertion refused');
      return { ok: false, reason: 'invalid', user };
    }
    if (!verification.verified) return { ok: false, reason: 'invalid', user };

    const { newCounter, credentialBackedUp } = verification.authenticationInfo;
    // Authenticators that keep no counter always report 0; any other must report more than last time.
    const counted = newCounter > 0 || passkey.counter > 0;
    const update = repository
      .createQueryBuilder()
      .update(Passkey)
      .set({ counter: newCounter, backedUp: credentialBackedUp, lastUsedAt: () => 'now()' })
      .where('id = :id', { id: passkey.id });
    // Compare-and-set, so two assertions with the same counter racing each other cannot both pass.
    if (counted) update.andWhere('counter < :newCounter', { newCounter });
    const updated = await update.execute();
    if ((updated.affected ?? 0) !== 1) {
      await this.activity.record(
        {
          event: 'auth:passkey-counter-regressed',
          userId: user.id,
          actorId: null,
          client: check.client,
          properties: { passkey_id: passkey.id, stored_counter: passkey.counter, presented_counter: newCounter },
        },
        manager,
      );
      return { ok: false, reason: 'counter-regressed', user };
    }
    return { ok: true, passkey: { ...passkey, counter: newCounter, backedUp: credentialBackedUp }, user };
  }

  /** Consumes the signed challenge of an assertion that is refused before the library would have. */
  private async spend(response: AuthenticationResponseDto, check: AssertionCheck): Promise<void> {
    try {
      const { challenge } = decodeClientDataJSON(response.response.clientDataJSON);
      if (typeof challenge === 'string') await check.expectedChallenge(challenge);
    } catch {
      // Unreadable client data names no challenge to spend.
    }
  }

  /** A stable, made-up credential ID (32 bytes, like a platform authenticator's) for an identifier. */
  private decoyCredentialId(identifier: string): string {
    return createHmac('sha256', this.decoyKey).update(identifier.toLowerCase()).digest('base64url');
  }
}

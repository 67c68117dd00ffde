import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import {
  generateAuthenticationOptions,
  verifyAuthenticationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type VerifiedAuthenticationResponse,
  type WebAuthnCredential,
} from '@simplewebauthn/server';
import { isoCBOR } from '@simplewebauthn/server/helpers';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import type { EntityManager, Repository } from 'typeorm';
import { ActivityService } from '../../core/activity/activity.service.js';
import type { ClientInfo } from '../../core/users/auth-context.js';
import type { AppConfig } from '../../platform/config/app-config.js';
import { InjectConfig } from '../../platform/config/config.module.js';
import { User } from '../../core/users/user.entity.js';
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
  /** A P-256 key nobody holds, standing in for unknown credentials. */
  private readonly decoyCredential: WebAuthnCredential;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    @InjectRepository(Passkey) private readonly passkeys: Repository<Passkey>,
    private readonly activity: ActivityService,
  ) {
    this.decoyKey = createHmac('sha256', config.jwtSecret ?? '').update('tessera:passkey-decoy').digest();
    const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
    // COSE_Key (RFC 9053): kty EC2, alg ES256, crv P-256, x, y.
    const coseKey = new Map<number, number | Uint8Array>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, new Uint8Array(Buffer.from(jwk.x!, 'base64url'))],
      [-3, new Uint8Array(Buffer.from(jwk.y!, 'base64url'))],
    ]);
    this.decoyCredential = { id: 'decoy', publicKey: isoCBOR.encode(coseKey), counter: 0 };
  }

  /**
   * Options for `navigator.credentials.get`. `allowCredentials` lists the passkeys given; with `decoyFor` and none
   * to list, one made-up credential stands in, derived from `decoyFor` (the account, or the unknown identifier as
   * the database folds it), so an answer for a username without passkeys (or without an account) looks like one for
   * a user with a passkey.
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
      // With the passkey, the account's credential version: the sign-in's session opens only at it.
      .addSelect('u.credentialVersion')
      .innerJoinAndSelect('u.role', 'r')
      .where('p.credential_id = :credentialId', { credentialId: response.id });
    if (check.userId !== undefined) query.andWhere('p.user_id = :userId', { userId: check.userId ?? 0 });
    const found = await query.getOne();
    const handle = response.response.userHandle;
    const passkey =
      found?.user && (handle === undefined || handle === null || handle === userHandleBase64Url(found.user.uuid)) ? found : null;
    // An unknown credential is checked against a decoy key: the same work as a known one (no timing tells them
    // apart), and its challenge is spent alike, so a refused assertion cannot be retried against it.
    const verification = await this.check(response, check, passkey ? this.credentialOf(passkey) : this.decoyCredential);
    if (!passkey) return { ok: false, reason: 'unknown-credential', user: null };
    const user = passkey.user!;
    if (!verification?.verified) return { ok: false, reason: 'invalid', user };

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

  /** @simplewebauthn/server's verdict on an assertion by `credential`; null when it refuses it. */
  private async check(response: AuthenticationResponseDto, check: AssertionCheck, credential: WebAuthnCredential): Promise<VerifiedAuthenticationResponse | null> {
    try {
      return await verifyAuthenticationResponse({
        response: response as AuthenticationResponseJSON,
        expectedChallenge: check.expectedChallenge,
        expectedOrigin: this.config.webauthn.origins,
        expectedRPID: this.config.webauthn.rpId,
        credential,
        requireUserVerification: check.requireUserVerification,
      });
    } catch (error) {
      this.logger.debug({ err: error, credentialId: credential.id }, 'passkey assertion refused');
      return null;
    }
  }

  /** Counter 0: the library would compare counters before checking the signature; see the class comment. */
  private credentialOf(passkey: Passkey): WebAuthnCredential {
    return { id: passkey.credentialId, publicKey: new Uint8Array(passkey.publicKey), counter: 0, transports: passkey.transports };
  }

  /** A stable, made-up credential ID (32 bytes, like a platform authenticator's) for an identifier, taken as folded. */
  private decoyCredentialId(identifier: string): string {
    return createHmac('sha256', this.decoyKey).update(identifier).digest('base64url');
  }
}

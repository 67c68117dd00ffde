import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { userRef } from '../../core/events/event-catalogue.js';
import { EventsService } from '../../core/events/events.service.js';
import { generateRegistrationOptions, verifyRegistrationResponse, type RegistrationResponseJSON } from '@simplewebauthn/server';
import type { EntityManager, Repository } from 'typeorm';
import { ActivityService } from '../../core/activity/activity.service.js';
import { assertAddressProven, announceNewCredential, lockAccountForNewCredential } from '../../core/credentials/new-credential.js';
import { ReauthenticationService } from '../../core/credentials/reauthentication.service.js';
import type { Actor, AuthContext } from '../../core/users/auth-context.js';
import { DomainError } from '../../platform/errors/domain-error.js';
import { PLATFORM_ERRORS } from '../../platform/errors/errors.js';
import { PASSKEY_ERRORS } from './errors.js';
import type { AppConfig } from '../../platform/config/app-config.js';
import { InjectConfig } from '../../platform/config/config.module.js';
import { MailService } from '../../platform/mail/mail.service.js';
import { UsersService } from '../../core/users/users.service.js';
import type { CreatePasskeyDto } from './dto/passkey.dto.js';
import { TRANSPORTS, type CreationOptionsDto } from './dto/webauthn.dto.js';
import { Passkey } from './entities/passkey.entity.js';
import { CHALLENGE_TTL_MS, WebAuthnChallengesService } from './webauthn-challenges.service.js';
import { userHandleOf } from './webauthn-user-handle.js';

/** ES256 and RS256 (COSE -7, -257): what every platform authenticator and security key offers. */
export const PASSKEY_ALGORITHMS = [-7, -257];
export const PASSKEYS_PER_USER = 25;

/** Why every passkey of a user was removed at once. */
export type PasskeyRevocationReason = 'password-reset' | 'email-change-reverted';

/**
 * Registering and managing passkeys (issue 23). Adding and removing one is a credential change: the proof rule
 * applies and API keys are refused; adding one needs a proven address too, and is mailed to it. Registration
 * challenges are bound to the session that asked.
 */
@Injectable()
export class PasskeysService {
  private readonly logger = new Logger(PasskeysService.name);

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    @InjectRepository(Passkey) private readonly passkeys: Repository<Passkey>,
    private readonly challenges: WebAuthnChallengesService,
    private readonly reauthentication: ReauthenticationService,
    private readonly users: UsersService,
    private readonly activity: ActivityService,
    private readonly mail: MailService,
    private readonly events: EventsService,
  ) {}

  /** Options for `navigator.credentials.create`: the user's passkeys excluded, user verification required. */
  async registrationOptions(auth: AuthContext, currentPassword: string | undefined): Promise<CreationOptionsDto> {
    await this.reauthentication.requireRecentAuth(auth, currentPassword);
    assertAddressProven(auth);
    const existing = await this.list(auth.user.id);
    if (existing.length >= PASSKEYS_PER_USER) throw new DomainError(PASSKEY_ERRORS.PASSKEY_LIMIT_REACHED, { params: { limit: PASSKEYS_PER_USER } });
    const { user } = auth;
    const displayName = [user.firstName, user.lastName].filter(Boolean).join(' ') || user.username;
    const options = await generateRegistrationOptions({
      rpName: this.config.webauthn.rpName,
      rpID: this.config.webauthn.rpId,
      userName: user.username,
      userID: userHandleOf(user.uuid),
      userDisplayName: displayName,
      challenge: this.challenges.newChallenge(),
      timeout: CHALLENGE_TTL_MS,
      attestationType: 'none',
      excludeCredentials: existing.map((passkey) => ({ id: passkey.credentialId, transports: passkey.transports })),
      authenticatorSelection: { residentKey: 'preferred', userVerification: 'required' },
      supportedAlgorithmIDs: PASSKEY_ALGORITHMS,
    });
    await this.challenges.issue(options.challenge, { purpose: 'registration', userId: user.id, sessionId: auth.session!.id });
    return options as CreationOptionsDto;
  }

  /** Verifies the browser's answer to the options (this session's, live, unused), stores the passkey and mails the owner. */
  async register(auth: AuthContext, dto: CreatePasskeyDto): Promise<Passkey> {
    await this.reauthentication.requireRecentAuth(auth, dto.current_password);
    assertAddressProven(auth);
    const binding = { purpose: 'registration' as const, userId: auth.user.id, sessionId: auth.session!.id };
    let verification: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
    try {
      verification = await verifyRegistrationResponse({
        response: dto.response as RegistrationResponseJSON,
        expectedChallenge: (challenge) => this.challenges.consume(challenge, binding),
        expectedOrigin: this.config.webauthn.origins,
        expectedRPID: this.config.webauthn.rpId,
        requireUserVerification: true,
        supportedAlgorithmIDs: PASSKEY_ALGORITHMS,
      });
    } catch (error) {
      this.logger.debug({ err: error, userId: auth.user.id }, 'passkey registration refused');
      throw new DomainError(PASSKEY_ERRORS.PASSKEY_NOT_VERIFIED);
    }
    // The ID stored is the one in the signed authenticator data; the JSON's must name the same credential.
    if (!verification.verified || verification.registrationInfo.credential.id !== dto.response.id) {
      throw new DomainError(PASSKEY_ERRORS.PASSKEY_NOT_VERIFIED);
    }
    const info = verification.registrationInfo;
    const transports = (dto.response.response.transports ?? []).filter((transport) => (TRANSPORTS as readonly string[]).includes(transport));

    const stored = await this.passkeys.manager.transaction(async (manager) => {
      // Also serialises registrations per user, so concurrent ones cannot pass the limit.
      await lockAccountForNewCredential(auth, manager);
      const repository = manager.getRepository(Passkey);
      if ((await repository.countBy({ userId: auth.user.id })) >= PASSKEYS_PER_USER) {
        throw new DomainError(PASSKEY_ERRORS.PASSKEY_LIMIT_REACHED, { params: { limit: PASSKEYS_PER_USER } });
      }
      // A credential ID is registered once, to one account: nobody can claim another user's passkey as theirs.
      if (await repository.existsBy({ credentialId: info.credential.id })) throw new DomainError(PASSKEY_ERRORS.PASSKEY_ALREADY_REGISTERED);
      const passkey = await repository.save(
        repository.create({
          userId: auth.user.id,
          credentialId: info.credential.id,
          publicKey: Buffer.from(info.credential.publicKey),
          counter: info.credential.counter,
          name: dto.name,
          deviceType: info.credentialDeviceType,
          backedUp: info.credentialBackedUp,
          transports,
          aaguid: info.aaguid,
          lastUsedAt: null,
        }),
      );
      await this.activity.record(
        { event: 'user:passkey.create', userId: auth.user.id, auth, properties: { passkey_id: passkey.id, name: passkey.name } },
        manager,
      );
      await announceNewCredential(this.mail, auth, manager, { kind: 'passkey', name: passkey.name });
      await this.events.emit(manager, 'user.passkey_added', { ...userRef(auth.user), passkey_id: passkey.id });
      return passkey;
    });
    return stored;
  }

  /** A user's passkeys, oldest first. */
  list(userId: number): Promise<Passkey[]> {
    return this.passkeys.find({ where: { userId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  async rename(auth: AuthContext, passkeyId: number, name: string): Promise<Passkey> {
    const passkey = await this.getOwn(auth.user.id, passkeyId);
    await this.passkeys.update({ id: passkey.id }, { name });
    return { ...passkey, name };
  }

  /** Removes one of the caller's passkeys (proof rule); another user's is NOT_FOUND. */
  async remove(auth: AuthContext, passkeyId: number, currentPassword: string | undefined): Promise<void> {
    await this.reauthentication.requireRecentAuth(auth, currentPassword);
    await this.deleteRecorded(auth, auth.user.id, passkeyId, 'user:passkey.delete');
  }

  /**
   * Removes every passkey of a user (a password reset, a reverted email change), each recorded as
   * `user:passkey.revoked` with the reason, on the caller's transaction; returns how many.
   */
  async removeAllForUser(userId: number, reason: PasskeyRevocationReason, by: Actor, manager: EntityManager): Promise<number> {
    const result = await manager.createQueryBuilder().delete().from(Passkey).where('user_id = :userId', { userId }).returning(['id', 'name']).execute();
    const removed = result.raw as Array<{ id: number; name: string }>;
    for (const passkey of removed) {
      await this.activity.record({ event: 'user:passkey.revoked', userId, ...by, properties: { passkey_id: passkey.id, name: passkey.name, reason } }, manager);
      await this.events.emitForUser(manager, 'user.passkey_removed', userId, { passkey_id: passkey.id });
    }
    return removed.length;
  }

  /** An admin's view of a user's passkeys (NOT_FOUND for an unknown user). */
  async listForUser(userId: number): Promise<Passkey[]> {
    const user = await this.users.getById(userId);
    return this.list(user.id);
  }

  /** An admin removes a user's passkey (say, of a lost device); the admin is recorded as the actor. */
  /** `alsoWrite` runs on the deletion's transaction (the admin's notice to the user). */
  async removeForUser(auth: AuthContext, userId: number, passkeyId: number, alsoWrite?: (manager: EntityManager) => Promise<void>): Promise<void> {
    const user = await this.users.getById(userId);
    await this.deleteRecorded(auth, user.id, passkeyId, 'admin:passkey.delete', alsoWrite);
  }

  private async deleteRecorded(
    auth: AuthContext,
    userId: number,
    passkeyId: number,
    event: 'user:passkey.delete' | 'admin:passkey.delete',
    alsoWrite?: (manager: EntityManager) => Promise<void>,
  ): Promise<void> {
    const passkey = await this.getOwn(userId, passkeyId);
    await this.passkeys.manager.transaction(async (manager) => {
      await manager.delete(Passkey, { id: passkey.id });
      await this.activity.record({ event, userId, auth, properties: { passkey_id: passkey.id, name: passkey.name } }, manager);
      await this.events.emitForUser(manager, 'user.passkey_removed', userId, { passkey_id: passkey.id });
      await alsoWrite?.(manager);
    });
  }

  private async getOwn(userId: number, passkeyId: number): Promise<Passkey> {
    const passkey = await this.passkeys.findOneBy({ id: passkeyId, userId });
    if (!passkey) throw new DomainError(PLATFORM_ERRORS.NOT_FOUND);
    return passkey;
  }
}

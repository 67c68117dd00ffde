import { Injectable } from '@nestjs/common';
import { isoOrNull, type ExportSection, type ExportSubject, type LifecycleParticipant } from '../../core/lifecycle/account-lifecycle.js';
import { PasskeysService } from './passkeys.service.js';

/** Passkeys and their WebAuthn challenges in the account's life. No ending reason ends a passkey. */
@Injectable()
export class PasskeysLifecycle implements LifecycleParticipant {
  readonly name = 'passkeys';
  readonly tables = ['passkeys', 'webauthn_challenges'];
  readonly exportSections: ExportSection[] = [{ key: 'passkeys', order: 70, write: (subject) => this.exportPasskeys(subject) }];

  constructor(private readonly passkeys: PasskeysService) {}

  /** Passkeys as `GET /api/me/passkeys` lists them: metadata only (not the credential ID, public key or counter). */
  private async exportPasskeys({ profile: { user } }: ExportSubject) {
    return (await this.passkeys.list(user.id)).map((passkey) => ({
      id: passkey.id,
      name: passkey.name,
      device_type: passkey.deviceType,
      backed_up: passkey.backedUp,
      transports: passkey.transports,
      created_at: isoOrNull(passkey.createdAt),
      last_used_at: isoOrNull(passkey.lastUsedAt),
    }));
  }
}

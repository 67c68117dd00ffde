import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CredentialEnding, CredentialHolder, ExportSection, ExportSubject, LifecycleParticipant } from '../../core/lifecycle/account-lifecycle.js';
import { presentApiKey } from './api-key.presenter.js';
import { ApiKeysService } from './api-keys.service.js';

/** Personal API keys in the account's life. */
@Injectable()
export class ApiKeysLifecycle implements LifecycleParticipant {
  readonly name = 'api-keys';
  readonly tables = ['api_keys'];
  readonly credentials: CredentialHolder[] = [{ kind: 'apiKeys', end: (ending) => this.endKeys(ending), list: (userId, manager) => this.nameKeys(userId, manager) }];
  readonly exportSections: ExportSection[] = [{ key: 'api_keys', order: 60, write: (subject) => this.exportKeys(subject) }];

  constructor(private readonly apiKeys: ApiKeysService) {}

  /** A reset, a ban and a reverted email change delete every key; a password change or a cancelled change keeps them. */
  private async endKeys({ userId, reason, by, manager }: CredentialEnding): Promise<number> {
    if (reason !== 'password-reset' && reason !== 'account-banned' && reason !== 'email-change-reverted') return 0;
    return this.apiKeys.revokeAllForUser(userId, reason, by, manager);
  }

  /** Each key by its public identifier and description (never its secret), as a notice lists what keeps working. */
  private async nameKeys(userId: number, manager: EntityManager): Promise<string[]> {
    return (await this.apiKeys.list(userId, manager)).map((key) => `API key ${key.identifier} (${key.description || 'no description'})`);
  }

  /** The keys as the client family lists them: metadata only (the secret's hash is never selected). */
  private async exportKeys({ profile: { user } }: ExportSubject) {
    return (await this.apiKeys.list(user.id)).map((key) => presentApiKey(key).attributes);
  }
}

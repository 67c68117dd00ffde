import { Injectable } from '@nestjs/common';
import type { AccountErasure, AfterErasure, ExportSection, ExportSubject, LifecycleParticipant } from '../../core/lifecycle/account-lifecycle.js';
import { avatarFileNames } from '../../core/users/avatar-urls.js';
import { AvatarFileRemovals } from './avatar-file-removals.service.js';

/** The picture in the account's life: its columns are on the user row, its files in the avatar storage. */
@Injectable()
export class AvatarLifecycle implements LifecycleParticipant {
  readonly name = 'avatar';
  readonly tables = [];
  readonly exportSections: ExportSection[] = [{ key: 'avatar', order: 30, write: (subject) => this.exportPicture(subject) }];

  constructor(private readonly removals: AvatarFileRemovals) {}

  /**
   * Files cannot take part in the transaction: an uploaded picture's names are scheduled in it (never forgotten,
   * whatever happens after the commit) and removed once it committed (retried while the storage is down).
   */
  async erase({ userId, manager }: AccountErasure): Promise<AfterErasure | void> {
    const [account]: { avatar_key: string | null }[] = await manager.query(`SELECT avatar_key FROM users WHERE id = $1`, [userId]);
    if (!account?.avatar_key) return;
    const names = avatarFileNames(account.avatar_key);
    await this.removals.schedule(names, manager);
    return async () => {
      await this.removals.removeNow(names);
    };
  }

  /** The picture's URLs, and where they come from (an upload, an external URL, or the default picture). */
  private async exportPicture({ profile: { user, avatar } }: ExportSubject) {
    const source = user.avatarUrl ? 'external' : user.avatarKey ? 'upload' : 'default';
    return { source, ...avatar };
  }
}

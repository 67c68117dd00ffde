import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ActivityService } from '../../core/activity/activity.service.js';
import type { AuthContext } from '../../core/users/auth-context.js';
import { DomainError } from '../../platform/errors/domain-error.js';
import { PLATFORM_ERRORS } from '../../platform/errors/errors.js';
import { AVATAR_ERRORS } from './errors.js';
import { User } from '../../core/users/user.entity.js';
import { UserProfileService } from '../../core/users/user-profile.service.js';
import type { UserProfile } from '../../core/users/user-profile.js';
import { AvatarFileRemovals } from './avatar-file-removals.service.js';
import { AvatarImageProcessor } from './avatar-image.processor.js';
import { AVATAR_FORMAT, avatarFileName, avatarFileNames } from '../../core/users/avatar-urls.js';
import { AVATAR_STORAGE, type AvatarStorage } from './storage/avatar-storage.js';
import { inStorage, removeQuietly } from './storage/storage-steps.js';

/** The part of an uploaded file the service reads (multer's memory storage gives it). */
export interface UploadedImage {
  buffer: Buffer;
}

type AvatarState = Pick<User, 'avatarKey' | 'avatarUrl'>;

export const MAX_EXTERNAL_URL_LENGTH = 2048;

/**
 * The one way a user's avatar changes: an upload turned into three renditions, an external URL, or removal.
 *
 * An upload is written under temporary names first. Its files get their public names inside the transaction that
 * points the row at them, after the row is updated: a failure before the commit rolls the row back and removes the
 * files, so the old avatar stays and nothing is left behind. The previous upload's files are scheduled for removal in
 * that transaction and removed once it committed, retried while the storage is down (AvatarFileRemovals). The row
 * lock also orders concurrent changes of one user's avatar.
 */
@Injectable()
export class AvatarService {
  private readonly logger = new Logger(AvatarService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly images: AvatarImageProcessor,
    @Inject(AVATAR_STORAGE) private readonly storage: AvatarStorage,
    private readonly activity: ActivityService,
    private readonly profiles: UserProfileService,
    private readonly removals: AvatarFileRemovals,
  ) {}

  /** Replaces the avatar with an uploaded image; `field` names the form field in errors. */
  async upload(auth: AuthContext, file: UploadedImage | undefined, field = 'file'): Promise<UserProfile> {
    if (!file) throw DomainError.invalid(field, `The ${field.replace(/_/g, ' ')} field is required.`, 'required');
    const renditions = await this.images.render(file.buffer, field);
    const key = randomBytes(16).toString('hex');
    const files = renditions.map(({ rendition, body }) => ({
      name: avatarFileName(key, rendition),
      body,
      contentType: AVATAR_FORMAT.contentType,
    }));
    const names = files.map((file) => file.name);
    try {
      await inStorage(this.logger, 'avatar', () => this.storage.stage(files));
      await this.change(auth, { avatarKey: key, avatarUrl: null }, 'upload', () => inStorage(this.logger, 'avatar', () => this.storage.commit(names)));
    } catch (error) {
      await this.discardUnlessCurrent(auth.user.id, key, names);
      throw error;
    }
    return this.profiles.load(auth.user.id);
  }

  /** Points the avatar at an external image: stored as given, never fetched. An admin passes the target `userId`. */
  async setExternal(auth: AuthContext, url: string, userId = auth.user.id): Promise<UserProfile> {
    assertExternalAvatarUrl(url);
    await this.change(auth, { avatarKey: null, avatarUrl: url }, 'external', undefined, userId);
    return this.profiles.load(userId);
  }

  /** Back to the default picture. An admin passes the target `userId`. */
  async remove(auth: AuthContext, userId = auth.user.id): Promise<UserProfile> {
    await this.change(auth, { avatarKey: null, avatarUrl: null }, 'removed', undefined, userId);
    return this.profiles.load(userId);
  }

  /**
   * Updates the row (locked) and records the event in one transaction; `beforeCommit` runs inside it, after the
   * update. Then removes the previous upload's files. The event is on `userId`, with the caller as actor.
   */
  private async change(
    auth: AuthContext,
    next: AvatarState,
    source: 'upload' | 'external' | 'removed',
    beforeCommit?: () => Promise<void>,
    userId = auth.user.id,
  ): Promise<void> {
    const previous = await this.dataSource.transaction(async (manager) => {
      const users = manager.getRepository(User);
      const current = await users.findOne({
        where: { id: userId },
        select: { id: true, avatarKey: true, avatarUrl: true },
        lock: { mode: 'pessimistic_write' },
      });
      if (!current) throw new DomainError(PLATFORM_ERRORS.NOT_FOUND);
      if (current.avatarKey === next.avatarKey && current.avatarUrl === next.avatarUrl) return current;
      await users.update({ id: userId }, next);
      await this.activity.record({ event: 'user:avatar.updated', userId, auth, properties: { source } }, manager);
      if (current.avatarKey && current.avatarKey !== next.avatarKey) await this.removals.schedule(avatarFileNames(current.avatarKey), manager);
      await beforeCommit?.();
      return current;
    });
    if (previous.avatarKey && previous.avatarKey !== next.avatarKey) {
      await this.removals.removeNow(avatarFileNames(previous.avatarKey));
    }
  }

  /**
   * After a failed upload: removes its files, unless the row points at them after all (a COMMIT whose reply was
   * lost may still have committed; a missing picture would be worse than an orphan).
   */
  private async discardUnlessCurrent(userId: number, key: string, names: string[]): Promise<void> {
    let currentKey: string | null;
    try {
      const current = await this.dataSource.getRepository(User).findOne({ where: { id: userId }, select: { id: true, avatarKey: true } });
      currentKey = current?.avatarKey ?? null;
    } catch (error) {
      this.logger.error({ err: error, key }, 'avatar upload failed and the row could not be read; its files are kept');
      return;
    }
    if (currentKey !== key) await removeQuietly(this.storage, this.logger, 'avatar', names);
  }
}

/** http/https only, at most 2048 characters, no credentials (docs/api/me.md#avatar). */
export function assertExternalAvatarUrl(url: string): void {
  if (url.length > MAX_EXTERNAL_URL_LENGTH) {
    throw DomainError.invalid('url', `The url may not be greater than ${MAX_EXTERNAL_URL_LENGTH} characters.`, 'max');
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DomainError(AVATAR_ERRORS.URL_MALFORMED);
  }
  // The raw text must read as what the parser understood (`http:///x`, `https:\\x` or spaces are "repaired" by it).
  const literal = /^https?:\/\/[^/\\\s]+(?:[/?#]\S*)?$/i.test(url);
  if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || !parsed.hostname || !literal) {
    throw new DomainError(AVATAR_ERRORS.URL_NOT_HTTP);
  }
  if (parsed.username || parsed.password) throw new DomainError(AVATAR_ERRORS.URL_WITH_CREDENTIALS);
}

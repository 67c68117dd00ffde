import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { AuthContext } from '../../core/users/auth-context.js';
import { AVATAR_FORMAT, avatarFileName, avatarFileNames } from '../../core/users/avatar-urls.js';
import { DomainError } from '../../platform/errors/domain-error.js';
import { AvatarFileRemovals } from '../avatar/avatar-file-removals.service.js';
import { AvatarImageProcessor } from '../avatar/avatar-image.processor.js';
import type { UploadedImage } from '../avatar/avatar.service.js';
import { AVATAR_STORAGE, type AvatarStorage } from '../avatar/storage/avatar-storage.js';
import { inStorage, removeQuietly } from '../avatar/storage/storage-steps.js';
import { Organization } from './entities/organization.entity.js';
import { accessAs } from './organization-access.js';
import { OrganizationsService } from './organizations.service.js';

/**
 * The organization's logo, through the avatar pipeline: judged by its bytes, decoded within the pixel limit,
 * re-encoded into the three square renditions, stored under a random key through the configured storage driver,
 * in the avatar queue's bound. As with avatars, the files get their public names inside the transaction that points
 * the row at them, and the previous logo's files are removed once that committed.
 */
@Injectable()
export class OrganizationLogoService {
  private readonly logger = new Logger(OrganizationLogoService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly images: AvatarImageProcessor,
    @Inject(AVATAR_STORAGE) private readonly storage: AvatarStorage,
    private readonly removals: AvatarFileRemovals,
    private readonly organizations: OrganizationsService,
  ) {}

  async upload(auth: AuthContext, organizationId: string, file: UploadedImage | undefined): Promise<Organization> {
    // Checked before the image work: a member without the role learns so without spending the line's CPU.
    await accessAs(this.dataSource.manager, auth, organizationId, 'edit');
    if (!file) throw DomainError.invalid('logo', 'The logo field is required.', 'required');
    const renditions = await this.images.render(file.buffer, 'logo');
    const key = randomBytes(16).toString('hex');
    const files = renditions.map(({ rendition, body }) => ({ name: avatarFileName(key, rendition), body, contentType: AVATAR_FORMAT.contentType }));
    const names = files.map((entry) => entry.name);
    try {
      await inStorage(this.logger, 'logo', () => this.storage.stage(files));
      return await this.change(auth, organizationId, key, () => inStorage(this.logger, 'logo', () => this.storage.commit(names)));
    } catch (error) {
      await this.discardUnlessCurrent(organizationId, key, names);
      throw error;
    }
  }

  async remove(auth: AuthContext, organizationId: string): Promise<Organization> {
    return this.change(auth, organizationId, null);
  }

  private async change(auth: AuthContext, organizationId: string, key: string | null, beforeCommit?: () => Promise<void>): Promise<Organization> {
    const { organization, previous } = await this.dataSource.transaction(async (manager) => {
      const access = await accessAs(manager, auth, organizationId, 'edit', { lock: true });
      const previousKey = access.organization.logoKey;
      if (previousKey !== key) {
        await manager.update(Organization, { id: organizationId }, { logoKey: key });
        await this.organizations.record(manager, auth, 'organization:updated', [auth.user.id], organizationId, { fields: 'logo' });
        const updated = await manager.findOneByOrFail(Organization, { id: organizationId });
        await this.organizations.emitUpdated(manager, auth, access.organization, updated);
        if (previousKey) await this.removals.schedule(avatarFileNames(previousKey), manager);
      }
      await beforeCommit?.();
      return { organization: await manager.findOneByOrFail(Organization, { id: organizationId }), previous: previousKey };
    });
    if (previous && previous !== key) await this.removals.removeNow(avatarFileNames(previous));
    return organization;
  }

  /** After a failed upload: removes its files, unless the row points at them after all (a COMMIT whose reply was lost). */
  private async discardUnlessCurrent(organizationId: string, key: string, names: string[]): Promise<void> {
    let current: Organization | null;
    try {
      current = await this.dataSource.manager.findOne(Organization, { where: { id: organizationId }, select: { id: true, logoKey: true } });
    } catch (error) {
      this.logger.error({ err: error, key }, 'logo upload failed and the row could not be read; its files are kept');
      return;
    }
    if (current?.logoKey !== key) await removeQuietly(this.storage, this.logger, 'logo', names);
  }
}

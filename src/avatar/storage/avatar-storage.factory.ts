import type { AppConfig } from '../../config/app-config.js';
import type { AvatarStorage } from './avatar-storage.js';
import { LocalAvatarStorage } from './local-avatar-storage.js';
import { S3AvatarStorage } from './s3-avatar-storage.js';

/** The driver STORAGE_DRIVER names. */
export function createAvatarStorage(config: AppConfig): AvatarStorage {
  return config.storageDriver === 's3' ? new S3AvatarStorage(config.s3) : new LocalAvatarStorage(config.storageDir);
}

import type { AppConfig } from '../../../platform/config/app-config.js';
import type { AvatarStorage } from './avatar-storage.js';
import { LocalAvatarStorage } from './local-avatar-storage.js';

/** The driver STORAGE_DRIVER names. */
export async function createAvatarStorage(config: AppConfig): Promise<AvatarStorage> {
  if (config.storageDriver !== 's3') return new LocalAvatarStorage(config.storageDir);
  // Imported only for this driver: the AWS SDK adds several MB of resident memory the local driver never needs.
  const { S3AvatarStorage } = await import('./s3-avatar-storage.js');
  return new S3AvatarStorage(config.s3);
}

import type { User } from '../users/entities/user.entity.js';

export interface AvatarUrls {
  main: string;
  high: string;
  thumbnail: string;
}

export const AVATAR_RENDITIONS = ['main', 'high', 'thumbnail'] as const;
export type AvatarRendition = (typeof AVATAR_RENDITIONS)[number];

/** Public path of the default picture the app serves (from assets/). */
export const DEFAULT_AVATAR_PATH = '/storage/default-avatar.png';

/**
 * Absolute URLs of a user's avatar renditions: the uploaded files, the external URL as stored (for all three),
 * or the default picture.
 */
export function avatarUrlsOf(user: Pick<User, 'avatarKey' | 'avatarUrl'>, appUrl: string): AvatarUrls {
  if (user.avatarUrl) return { main: user.avatarUrl, high: user.avatarUrl, thumbnail: user.avatarUrl };
  if (user.avatarKey) {
    const base = `${appUrl}/storage/avatars/${user.avatarKey}`;
    return { main: `${base}.webp`, high: `${base}_high.webp`, thumbnail: `${base}_thumbnail.webp` };
  }
  const fallback = `${appUrl}${DEFAULT_AVATAR_PATH}`;
  return { main: fallback, high: fallback, thumbnail: fallback };
}

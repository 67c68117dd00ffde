import type { User } from './user.entity.js';

export interface AvatarUrls {
  main: string;
  high: string;
  thumbnail: string;
}

export const AVATAR_RENDITIONS = ['main', 'high', 'thumbnail'] as const;
export type AvatarRendition = (typeof AVATAR_RENDITIONS)[number];

/** The one output format of every rendition: its file extension and the Content-Type it is served with. */
export const AVATAR_FORMAT = { extension: 'webp', contentType: 'image/webp' } as const;

const RENDITION_SUFFIX: Record<AvatarRendition, string> = { main: '', high: '_high', thumbnail: '_thumbnail' };

/** Public path under which the renditions are served (docs/api/me.md#avatar). */
export const AVATAR_PUBLIC_PATH = '/storage/avatars';

/** Public path of the default picture the app serves (from assets/). */
export const DEFAULT_AVATAR_PATH = '/storage/default-avatar.png';

/** File name of one rendition of an uploaded avatar: `<key>.webp`, `<key>_high.webp`, `<key>_thumbnail.webp`. */
export function avatarFileName(key: string, rendition: AvatarRendition): string {
  return `${key}${RENDITION_SUFFIX[rendition]}.${AVATAR_FORMAT.extension}`;
}

/** The file names of all three renditions of an upload. */
export function avatarFileNames(key: string): string[] {
  return AVATAR_RENDITIONS.map((rendition) => avatarFileName(key, rendition));
}

/**
 * Absolute URLs of a user's avatar renditions: the uploaded files, the external URL as stored (for all three),
 * or the default picture.
 */
export function avatarUrlsOf(user: Pick<User, 'avatarKey' | 'avatarUrl'>, appUrl: string): AvatarUrls {
  if (user.avatarUrl) return { main: user.avatarUrl, high: user.avatarUrl, thumbnail: user.avatarUrl };
  if (user.avatarKey) {
    const base = `${appUrl}${AVATAR_PUBLIC_PATH}`;
    return {
      main: `${base}/${avatarFileName(user.avatarKey, 'main')}`,
      high: `${base}/${avatarFileName(user.avatarKey, 'high')}`,
      thumbnail: `${base}/${avatarFileName(user.avatarKey, 'thumbnail')}`,
    };
  }
  const fallback = `${appUrl}${DEFAULT_AVATAR_PATH}`;
  return { main: fallback, high: fallback, thumbnail: fallback };
}

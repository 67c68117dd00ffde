import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Response } from 'express';

export const AVATAR_STORAGE = Symbol('AVATAR_STORAGE');

export interface AvatarFile {
  /** A rendition's file name (`<key>_high.webp`), see avatarFileName(). */
  name: string;
  body: Buffer;
  contentType: string;
}

/**
 * Where rendition files live. A write is two steps so that the database decides what becomes public: stage()
 * puts files under temporary names nothing serves; commit() gives them their public names.
 */
export interface AvatarStorage {
  /** Writes the files under temporary names. */
  stage(files: AvatarFile[]): Promise<void>;
  /** Moves staged files to their public names. */
  commit(names: string[]): Promise<void>;
  /** Removes files, staged or public (the staged copy first); a file already gone is not an error. */
  remove(names: string[]): Promise<void>;
  /** Serves the public files at `urlPath`. */
  serve(app: NestExpressApplication, urlPath: string): void;
}

/** Public avatar files have random names that never change content: cache them for a year. */
export const AVATAR_CACHE_CONTROL = 'public, max-age=31536000, immutable';

/** Headers of every file under /storage: no MIME sniffing, and embeddable by the SPA on its own origin. */
export function setStorageHeaders(res: Response): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
}

/** Only names avatarFileName() makes are ever looked up. */
export const AVATAR_FILE_NAME = /^[0-9a-f]{32}(?:_high|_thumbnail)?\.[a-z]+$/;

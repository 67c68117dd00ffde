import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import path from 'node:path';
import { AVATAR_PUBLIC_PATH, DEFAULT_AVATAR_PATH } from '../../core/users/avatar-urls.js';
import { AVATAR_STORAGE, setStorageHeaders, type AvatarStorage } from './storage/avatar-storage.js';

/** assets/ beside src/ (and dist/assets beside dist/src after `nest build`). */
const DEFAULT_AVATAR_FILE = path.resolve(import.meta.dirname, '..', '..', '..', 'assets', path.posix.basename(DEFAULT_AVATAR_PATH));

/**
 * Serves /storage: the avatar renditions through the storage driver (long-lived, immutable) and the default
 * picture from assets/ (a day). No directory listings, no dotfiles, nosniff; anything else is the app's 404.
 */
export function serveAvatarFiles(app: NestExpressApplication): void {
  app.get<AvatarStorage>(AVATAR_STORAGE).serve(app, AVATAR_PUBLIC_PATH);
  app.use(DEFAULT_AVATAR_PATH, (req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || req.path !== '/') return next();
    setStorageHeaders(res);
    res.sendFile(DEFAULT_AVATAR_FILE, { maxAge: '1d' }, (error) => error && next(error));
  });
}

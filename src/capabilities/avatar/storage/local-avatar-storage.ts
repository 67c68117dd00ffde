import type { NestExpressApplication } from '@nestjs/platform-express';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AVATAR_CACHE_CONTROL, setStorageHeaders, type AvatarFile, type AvatarStorage } from './avatar-storage.js';

/**
 * Files under STORAGE_DIR: public ones in `avatars/`, staged ones in `.tmp/` (same file system, so commit is an
 * atomic rename; a dot directory, so never served).
 */
export class LocalAvatarStorage implements AvatarStorage {
  readonly publicDir: string;
  private readonly stagingDir: string;

  constructor(storageDir: string) {
    const root = path.resolve(storageDir);
    this.publicDir = path.join(root, 'avatars');
    this.stagingDir = path.join(root, '.tmp');
  }

  async stage(files: AvatarFile[]): Promise<void> {
    await mkdir(this.stagingDir, { recursive: true });
    // 'wx': a random name that already exists is never overwritten.
    await Promise.all(files.map((file) => writeFile(this.staged(file.name), file.body, { flag: 'wx', mode: 0o644 })));
  }

  async commit(names: string[]): Promise<void> {
    await mkdir(this.publicDir, { recursive: true });
    for (const name of names) await rename(this.staged(name), this.publicPath(name));
  }

  async remove(names: string[]): Promise<void> {
    for (const name of names) {
      await rm(this.staged(name), { force: true });
      await rm(this.publicPath(name), { force: true });
    }
  }

  serve(app: NestExpressApplication, urlPath: string): void {
    app.useStaticAssets(this.publicDir, {
      prefix: urlPath,
      index: false,
      redirect: false,
      dotfiles: 'deny',
      fallthrough: true,
      setHeaders: (res) => {
        setStorageHeaders(res);
        res.setHeader('Cache-Control', AVATAR_CACHE_CONTROL);
      },
    });
  }

  private staged(name: string): string {
    return path.join(this.stagingDir, path.basename(name));
  }

  private publicPath(name: string): string {
    return path.join(this.publicDir, path.basename(name));
  }
}
